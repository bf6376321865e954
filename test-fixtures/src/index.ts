export { type RgwServer, type StartRgwOptions, startRgw } from "./rgw/index.js";
