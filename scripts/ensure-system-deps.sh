#!/bin/sh
# Makes sure the real parts the test suite drives are on this machine:
# Debian's Chromium (browser-state, end-to-end journeys), Ceph RADOS Gateway
# (the S3 server the blob-store conformance suite runs against) and curl (a
# real HTTP client). Installs what is missing when we are root on Debian;
# otherwise names the packages to install and fails, rather than letting
# tests skip.
set -eu

missing=""
need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ] || missing="$missing $2"
}

if [ -z "${CHROME_PATH:-}" ]; then need chromium chromium; fi
need radosgw radosgw
need ceph-mon ceph-mon
need ceph-osd ceph-osd
need monmaptool ceph-mon
need curl curl

[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086 # word splitting of the package list is wanted
set -- $(printf '%s\n' $missing | sort -u)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: $*" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "$@" >/dev/null
  exit 0
fi

echo "missing system packages: $*" >&2
echo "install them (Debian: sudo apt-get install -y $*) or set CHROME_PATH, then run again" >&2
exit 1
