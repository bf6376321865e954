// Calls to the storage driver (S3 requests on S3, file operations on fs) per request type of the
// load sequence, counted by a wrapper around the driver below encryption: the API runs in this
// process on the same storage as the load run, and each request type is sent alone, in turn.
import { randomBytes } from "node:crypto";
import { buildApp, createServices, loadConfig } from "../dist/index.js";

const OPERATIONS = ["put", "get", "head", "delete", "list"];

/** A BlobStore that counts each call (a listing counts once per page it fetches, like S3). */
function countingStore(driver, counts) {
  const counted = Object.create(driver);
  for (const operation of ["put", "get", "head", "delete"]) {
    counted[operation] = (...args) => {
      counts[operation] += 1;
      return driver[operation](...args);
    };
  }
  counted.list = (prefix) => {
    counts.list += 1;
    return driver.list(prefix);
  };
  return counted;
}

/** Median calls per request of each type over `rounds` create → … → delete sequences of one user. */
export async function countStoreCalls(storageEnv, rounds = 5) {
  const key = `calls-${randomBytes(16).toString("hex")}`;
  const config = loadConfig({ ...storageEnv, API_KEYS: `${key}:calls-user`, LOG_LEVEL: "silent" });
  const counts = Object.fromEntries(OPERATIONS.map((operation) => [operation, 0]));
  const services = await createServices(config, { wrapDriver: (driver) => countingStore(driver, counts) });
  const app = buildApp({ config, services });
  await app.ready();
  const perType = {};
  const measure = async (name, request) => {
    for (const operation of OPERATIONS) counts[operation] = 0;
    const response = await app.inject({
      ...request,
      headers: { authorization: `Bearer ${key}`, ...request.headers },
    });
    if (response.statusCode >= 300) throw new Error(`${name}: ${response.statusCode} ${response.body}`);
    perType[name] = [...(perType[name] ?? []), { ...counts }];
    return response;
  };
  for (let round = 0; round < rounds; round += 1) {
    const created = await measure("POST /environments", {
      method: "POST",
      url: "/environments",
      payload: { name: `calls ${round}` },
    });
    const id = created.json().environment._id;
    await measure("GET /environments/:id", { method: "GET", url: `/environments/${id}` });
    await measure("PATCH /environments/:id", {
      method: "PATCH",
      url: `/environments/${id}`,
      payload: { description: "patched" },
    });
    await measure("GET /environments", { method: "GET", url: "/environments" });
    await measure("GET /environments/:id/files", { method: "GET", url: `/environments/${id}/files` });
    await measure("DELETE /environments/:id", { method: "DELETE", url: `/environments/${id}` });
  }
  await app.close();
  await services.close();
  return Object.fromEntries(
    Object.entries(perType).map(([name, samples]) => {
      const byOperation = Object.fromEntries(
        OPERATIONS.map((operation) => [operation, median(samples.map((sample) => sample[operation]))]),
      );
      const total = Object.values(byOperation).reduce((sum, n) => sum + n, 0);
      return [name, { total, ...Object.fromEntries(Object.entries(byOperation).filter(([, n]) => n > 0)) }];
    }),
  );
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
