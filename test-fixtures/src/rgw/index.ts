export { type RgwServer, type StartRgwOptions, startRgw } from "./start-rgw.js";
