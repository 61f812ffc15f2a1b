/**
 * An upstream request as plain values, sent without a `Request` object where the fetch
 * allows it. Building a `Request` per upstream request, then reading its body and headers
 * back out of it for the client, was about a tenth of what a one-body stream allocated.
 *
 * @module
 */

/** An HTTP request as an upstream sends it: its URL parsed once, its headers {@link outgoingHeaders}, its body whole. */
export interface OutgoingRequest {
  /** Where to send it. */
  url: URL;
  /** The HTTP method. */
  method: string;
  /** Header names in lower case, as {@link outgoingHeaders} makes them. */
  headers: Record<string, string>;
  /** The whole body, if any. */
  body?: string | Uint8Array<ArrayBuffer>;
  /** Aborting it abandons the request (and its response body). */
  signal?: AbortSignal;
}

/** A fetch that also sends an {@link OutgoingRequest} as it is (`http1Fetch` does). */
export interface OutgoingFetch {
  /** Sends a `Request`, as `fetch` does. */
  (request: Request): Promise<Response>;
  /** Sends the same request without building a `Request`. */
  send?(request: OutgoingRequest): Promise<Response>;
}

/**
 * Sends `request` with `fetch`: as it is where `fetch` has a `send`, else as a `Request`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { sendOutgoing } from "./outgoing_request.ts";
 * const echo = (request: Request) => Promise.resolve(new Response(`${request.method} ${request.headers.get("accept")}`));
 * const response = await sendOutgoing(echo, { url: new URL("http://upstream.invalid/"), method: "POST", headers: { accept: "text/plain" }, body: "{}" });
 * equal(await response.text(), "POST text/plain");
 * ```
 */
export function sendOutgoing(fetch: OutgoingFetch, request: OutgoingRequest): Promise<Response> {
  if (fetch.send) return fetch.send(request);
  const { url, method, headers, body, signal } = request;
  return fetch(
    new Request(url, { method, headers, ...(body === undefined ? {} : { body }), ...(signal ? { signal } : {}) }),
  );
}

/** Whitespace a header value loses at either end, as `Headers` trims it. */
const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * Headers as `Headers` would hold them, as a plain record: names in lower case, values
 * trimmed, the values of names that differ only in case joined with `, `.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { outgoingHeaders } from "./outgoing_request.ts";
 * deepEqual(outgoingHeaders({ Accept: " a ", accept: "b", "X-Key": "k" }), { accept: "a, b", "x-key": "k" });
 * ```
 */
export function outgoingHeaders(headers: Record<string, string>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const name in headers) {
    const key = name.toLowerCase();
    const value = headers[name].replace(HTTP_WHITESPACE, "");
    lowered[key] = key in lowered ? `${lowered[key]}, ${value}` : value;
  }
  return lowered;
}
