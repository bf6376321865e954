/** Everything that makes one single-host cluster distinct from another running beside it. */
export interface ClusterLayout {
  fsid: string;
  dir: string;
  monPort: number;
  rgwPort: number;
  memstoreBytes: number;
}

/**
 * ceph.conf for a throw-away cluster on loopback: one monitor, one in-memory
 * OSD, pool size 1, no cephx (nothing listens beyond 127.0.0.1), and every
 * path (run dir, admin sockets, logs) inside `dir` so several clusters can run
 * side by side.
 */
export function cephConfig(layout: ClusterLayout): string {
  const { fsid, dir, monPort, rgwPort, memstoreBytes } = layout;
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = ${memstoreBytes}
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
keyring = ${dir}/keyring
[mon]
mon data = ${dir}/mon
[osd]
osd data = ${dir}/osd$id
osd journal = ${dir}/osd$id/journal
[client]
# Without this radosgw loops on "get_initial_auth_request returned -13" (Ceph 16).
ms mon client mode = crc
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort} tcp_nodelay=1
rgw data = ${dir}/rgw
# Free deleted and overwritten objects' data within seconds, not hours: the OSD lives in a small RAM budget.
rgw gc obj min wait = 30
rgw gc processor period = 15
`;
}
