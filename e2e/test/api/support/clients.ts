import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A fetch client bound to one server and one API key (or none). */
export function client(baseUrl: string, apiKey?: string) {
  const auth: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  async function request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string>; body?: RequestInit["body"] } = {},
  ): Promise<JsonAnswer<T>> {
    const headers: Record<string, string> = { ...auth, ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }
  return {
    get: <T = Record<string, unknown>>(path: string, headers?: Record<string, string>) =>
      request<T>("GET", path, headers ? { headers } : {}),
    post: <T = Record<string, unknown>>(path: string, json?: unknown, headers?: Record<string, string>) =>
      request<T>("POST", path, { ...(json === undefined ? {} : { json }), ...(headers ? { headers } : {}) }),
    put: <T = Record<string, unknown>>(path: string, json: unknown, headers?: Record<string, string>) =>
      request<T>("PUT", path, { json, ...(headers ? { headers } : {}) }),
    patch: <T = Record<string, unknown>>(path: string, json: unknown) => request<T>("PATCH", path, { json }),
    delete: <T = Record<string, unknown>>(path: string) => request<T>("DELETE", path),
    raw: (path: string, init: RequestInit = {}) =>
      fetch(`${baseUrl}${path}`, {
        ...init,
        headers: { ...auth, ...(init.headers as Record<string, string>) },
      }),
  };
}

/** `curl` with `-F` form parts (and extra headers); returns the status and the parsed JSON body. */
export async function curlForm(
  url: string,
  apiKey: string | undefined,
  parts: string[],
  headers: string[] = [],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const args = ["-sS", "-X", "POST", "-w", "\n%{http_code}"];
  if (apiKey) args.push("-H", `Authorization: Bearer ${apiKey}`);
  for (const header of headers) args.push("-H", header);
  for (const part of parts) args.push("-F", part);
  args.push(url);
  const { stdout } = await run("curl", args, { maxBuffer: 64 * 1024 * 1024 });
  const newline = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(newline + 1)), body: JSON.parse(stdout.slice(0, newline)) };
}

/** `curl -o <file>` a URL without credentials; returns the status. */
export async function curlDownload(url: string, file: string, headers: string[] = []): Promise<number> {
  const args = ["-sS", "-o", file, "-w", "%{http_code}"];
  for (const header of headers) args.push("-H", header);
  const { stdout } = await run("curl", [...args, url]);
  return Number(stdout);
}

/** GNU tar, as a user would make the archive. */
export async function tarList(archive: string): Promise<string[]> {
  const { stdout } = await run("tar", ["tzf", archive]);
  return stdout.split("\n").filter(Boolean);
}
