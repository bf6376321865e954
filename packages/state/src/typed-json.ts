/**
 * Typed JSON: IndexedDB keys and values (anything the structured-clone
 * algorithm accepts) as plain JSON, so a BrowserState stays a JSON document.
 *
 * - `null`, booleans, strings, finite numbers, arrays and plain objects stand
 *   for themselves.
 * - Everything else is an object tagged with `$type`:
 *   `{"$type":"undefined"}`, `{"$type":"Number","value":"NaN"|"Infinity"|"-Infinity"|"-0"}`,
 *   `{"$type":"BigInt","value":"123"}`, `{"$type":"Date","value":<ms since epoch or null>}`,
 *   `{"$type":"RegExp","source":"…","flags":"gi"}`,
 *   `{"$type":"ArrayBuffer","base64":"…"}`, `{"$type":"Uint8Array"|"Int32Array"|…|"DataView","base64":"…"}`
 *   (the bytes of the view), `{"$type":"Map","entries":[[k,v],…]}`, `{"$type":"Set","values":[…]}`,
 *   `{"$type":"Error","name":"…","message":"…"}`, and a plain object that itself has
 *   a `$type` key is wrapped as `{"$type":"Object","value":{…}}` so it is never misread.
 * - Not kept: Blob/File and CryptoKey (encoded as `{"$type":"Unsupported","kind":"Blob"}` and skipped
 *   on restore), shared references and cycles (a shared object is written twice;
 *   a cycle is refused), class instances (they arrive as plain objects, as
 *   structured clone makes them anyway).
 *
 * The codec is one JavaScript source (`typedJsonSource`) so the very same
 * code runs in pages (where the values live) and in Node.
 */
export const typedJsonSource = `
var __webrunTypedJson = (function () {
  var viewTypes = ["Int8Array","Uint8Array","Uint8ClampedArray","Int16Array","Uint16Array","Int32Array","Uint32Array","Float32Array","Float64Array","BigInt64Array","BigUint64Array","DataView"];
  // defineProperty, not assignment: a key named "__proto__" must stay a plain key.
  function setOwn(object, key, value) {
    Object.defineProperty(object, key, { value: value, enumerable: true, writable: true, configurable: true });
  }
  function toBase64(bytes) {
    var chunks = [];
    for (var i = 0; i < bytes.length; i += 0x8000) chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    return btoa(chunks.join(""));
  }
  function fromBase64(text) {
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  function encode(value, seen) {
    if (value === null || typeof value === "boolean" || typeof value === "string") return value;
    if (value === undefined) return { $type: "undefined" };
    if (typeof value === "number") {
      if (Number.isNaN(value)) return { $type: "Number", value: "NaN" };
      if (value === Infinity) return { $type: "Number", value: "Infinity" };
      if (value === -Infinity) return { $type: "Number", value: "-Infinity" };
      if (Object.is(value, -0)) return { $type: "Number", value: "-0" };
      return value;
    }
    if (typeof value === "bigint") return { $type: "BigInt", value: value.toString() };
    if (typeof value !== "object") return { $type: "Unsupported", kind: typeof value };
    var tag = Object.prototype.toString.call(value).slice(8, -1);
    if (tag === "Date") { var ms = value.getTime(); return { $type: "Date", value: Number.isNaN(ms) ? null : ms }; }
    if (tag === "RegExp") return { $type: "RegExp", source: value.source, flags: value.flags };
    if (tag === "ArrayBuffer") return { $type: "ArrayBuffer", base64: toBase64(new Uint8Array(value)) };
    if (viewTypes.indexOf(tag) >= 0) return { $type: tag, base64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
    if (tag === "Blob" || tag === "File" || tag === "FileList" || tag === "CryptoKey") return { $type: "Unsupported", kind: tag };
    if (seen.indexOf(value) >= 0) throw new TypeError("typed JSON cannot encode a cycle");
    seen.push(value);
    try {
      if (tag === "Error") return { $type: "Error", name: String(value.name), message: String(value.message) };
      if (tag === "Map") { var entries = []; value.forEach(function (v, k) { entries.push([encode(k, seen), encode(v, seen)]); }); return { $type: "Map", entries: entries }; }
      if (tag === "Set") { var values = []; value.forEach(function (v) { values.push(encode(v, seen)); }); return { $type: "Set", values: values }; }
      if (tag === "Boolean" || tag === "Number" || tag === "String") return encode(value.valueOf(), seen);
      if (Array.isArray(value)) { var out = []; for (var i = 0; i < value.length; i++) out.push(encode(value[i], seen)); return out; }
      var object = {};
      var keys = Object.keys(value);
      for (var j = 0; j < keys.length; j++) setOwn(object, keys[j], encode(value[keys[j]], seen));
      return Object.prototype.hasOwnProperty.call(value, "$type") ? { $type: "Object", value: object } : object;
    } finally {
      seen.pop();
    }
  }
  function decodeProperties(json) {
    var object = {};
    Object.keys(json).forEach(function (k) { setOwn(object, k, decode(json[k])); });
    return object;
  }
  function decode(json) {
    if (json === null || typeof json !== "object") return json;
    if (Array.isArray(json)) return json.map(decode);
    if (!Object.prototype.hasOwnProperty.call(json, "$type")) return decodeProperties(json);
    switch (json.$type) {
      case "undefined": return undefined;
      case "Number": return json.value === "-0" ? -0 : Number(json.value);
      case "BigInt": return BigInt(json.value);
      case "Date": return new Date(json.value === null ? NaN : json.value);
      case "RegExp": return new RegExp(json.source, json.flags);
      case "ArrayBuffer": return fromBase64(json.base64).buffer;
      case "Map": return new Map(json.entries.map(function (e) { return [decode(e[0]), decode(e[1])]; }));
      case "Set": return new Set(json.values.map(decode));
      case "Error": { var error = new Error(json.message); error.name = json.name; return error; }
      case "Object": return decodeProperties(json.value);
      case "Unsupported": return undefined;
    }
    if (viewTypes.indexOf(json.$type) >= 0) {
      var bytes = fromBase64(json.base64);
      if (json.$type === "DataView") return new DataView(bytes.buffer);
      var Ctor = globalThis[json.$type];
      return new Ctor(bytes.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    throw new TypeError("unknown typed JSON $type: " + String(json.$type).slice(0, 40));
  }
  return { encode: function (value) { return encode(value, []); }, decode: decode };
})();
`;

interface TypedJsonCodec {
  encode(value: unknown): unknown;
  decode(json: unknown): unknown;
}

const codec = new Function(`${typedJsonSource}; return __webrunTypedJson;`)() as TypedJsonCodec;

/** A structured-clone value → typed JSON (see the module doc for the tags). */
export function encodeTypedJson(value: unknown): unknown {
  return codec.encode(value);
}

/** Typed JSON → the structured-clone value it stands for. */
export function decodeTypedJson(json: unknown): unknown {
  return codec.decode(json);
}
