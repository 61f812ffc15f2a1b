/**
 * The HTTP/1.1 response parser: every framing, split at random places across reads, gives
 * the same head, body and end; malformed and oversized responses throw.
 */
import { deepEqual, equal, throws } from "node:assert/strict";
import { MAX_HEAD_BYTES, type ResponseHead, ResponseParser } from "../../lib/transport/response_parser.ts";

interface Parsed {
  heads: ResponseHead[];
  body: string;
  /** How many body callbacks came (at most one per push). */
  bodyCalls: number;
  ends: boolean[];
}

function parse(method: string, reads: Uint8Array[], close = false): Parsed {
  const parsed: Parsed = { heads: [], body: "", bodyCalls: 0, ends: [] };
  const decoder = new TextDecoder();
  const parser = new ResponseParser(method, {
    head: (head) => parsed.heads.push(head),
    body: (bytes) => {
      parsed.body += decoder.decode(bytes, { stream: true });
      parsed.bodyCalls++;
    },
    end: (reusable) => parsed.ends.push(reusable),
  });
  for (const read of reads) parser.push(read);
  if (close) parser.close();
  return parsed;
}

/** `bytes` split at `cuts` random places (seeded, so a failure repeats). */
function split(bytes: Uint8Array, cuts: number, seed: number): Uint8Array[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const points = [...new Set(Array.from({ length: cuts }, () => Math.floor(random() * bytes.length)))].sort((a, b) =>
    a - b
  );
  const reads: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) reads.push(bytes.subarray(from, point));
    from = point;
  }
  return reads;
}

const BODY = 'data: {"deltaText":"café — naïve"}\n\n'.repeat(40);
const LENGTH = new TextEncoder().encode(BODY).length;
/** Text and bytes joined as bytes. */
const joined = (...parts: (string | Uint8Array)[]) =>
  new Uint8Array(
    parts.flatMap((part) => [...(typeof part === "string" ? new TextEncoder().encode(part) : part)]),
  );

/** `body` as chunks of `size` bytes (a multi-byte letter may straddle two), each with an extension. */
const chunked = (body: string, size: number) => {
  const bytes = new TextEncoder().encode(body);
  const parts: (string | Uint8Array)[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    parts.push(`${Math.min(size, bytes.length - at).toString(16)};ext="a"\r\n`, bytes.subarray(at, at + size), "\r\n");
  }
  return joined(...parts);
};

const CASES: { name: string; response: Uint8Array; close?: boolean; reusable: boolean; status?: number }[] = [
  {
    name: "content-length",
    response: joined(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: ${LENGTH}\r\n\r\n${BODY}`),
    reusable: true,
  },
  {
    name: "chunked with extensions and trailers",
    response: joined(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      chunked(BODY, 37),
      "0\r\nX-Trailer: t\r\n\r\n",
    ),
    reusable: true,
  },
  {
    name: "1xx heads before the final one",
    response: joined(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\n",
      "Transfer-Encoding: chunked\r\n\r\n",
      chunked(BODY, 500),
      "0\r\n\r\n",
    ),
    reusable: true,
    status: 201,
  },
  {
    name: "until the connection closes",
    response: joined(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n${BODY}`),
    close: true,
    reusable: false,
  },
  {
    name: "Connection: close",
    response: joined(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${LENGTH}\r\n\r\n${BODY}`),
    reusable: false,
  },
  {
    name: "HTTP/1.0",
    response: joined(`HTTP/1.0 200 OK\r\nContent-Length: ${LENGTH}\r\n\r\n${BODY}`),
    reusable: false,
  },
];

for (const { name, response, close, reusable, status } of CASES) {
  Deno.test(`response parser, ${name}: the same head, body and end however the bytes are split`, () => {
    const whole = parse("POST", [response], close);
    equal(whole.heads.length, 1);
    equal(whole.heads[0].status, status ?? 200);
    equal(whole.body, BODY);
    deepEqual(whole.ends, [reusable]);
    for (let seed = 1; seed <= 200; seed++) {
      const reads = split(response, 1 + (seed % 40), seed);
      const parsed = parse("POST", reads, close);
      deepEqual(parsed.heads, whole.heads, `seed ${seed}`);
      equal(parsed.body, BODY, `seed ${seed}`);
      deepEqual(parsed.ends, [reusable], `seed ${seed}`);
      equal(parsed.bodyCalls <= reads.length, true, `seed ${seed}: one body call per read at most`);
    }
  });
}

Deno.test("response parser: header names in lower case, values trimmed, in order", () => {
  const { heads } = parse("GET", [
    new TextEncoder().encode(
      "HTTP/1.1 404 Not Found\r\nX-A:  1 \r\nSet-Cookie: a\r\nset-cookie: b\r\nContent-Length: 0\r\n\r\n",
    ),
  ]);
  deepEqual(heads, [{
    status: 404,
    statusText: "Not Found",
    headers: [["x-a", "1"], ["set-cookie", "a"], ["set-cookie", "b"], ["content-length", "0"]],
  }]);
});

Deno.test("response parser: HEAD, 204 and 304 answers have no body, even with a content-length", () => {
  const head = new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
  deepEqual(parse("HEAD", [head]).ends, [true]);
  deepEqual(parse("GET", [new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n")]).ends, [true]);
  deepEqual(parse("GET", [new TextEncoder().encode("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n")]).ends, [
    true,
  ]);
});

Deno.test("response parser: bytes after the response make the connection not reusable", () => {
  const parsed = parse("GET", [new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200")]);
  equal(parsed.body, "ok");
  deepEqual(parsed.ends, [false]);
});

Deno.test("response parser: a connection closed before the response ended throws", () => {
  const parser = () => new ResponseParser("GET", { head() {}, body() {}, end: () => {} });
  const beforeHead = parser();
  beforeHead.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\n"));
  throws(() => beforeHead.close(), /closed the connection before it answered/);
  const midBody = parser();
  midBody.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"));
  throws(() => midBody.close(), /closed before the response ended/);
  const midChunk = parser();
  midChunk.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12"));
  throws(() => midChunk.close(), /closed before the response ended/);
});

Deno.test("response parser: malformed responses throw a TypeError", () => {
  const malformed = [
    "HTXP/1.1 200 OK\r\n\r\n",
    "HTTP/2 200\r\n\r\n",
    "HTTP/1.1 2000 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
  ];
  for (const response of malformed) {
    throws(() => parse("GET", [new TextEncoder().encode(response)]), TypeError, JSON.stringify(response));
  }
});

Deno.test("response parser: a head or chunk line past its limit throws instead of growing", () => {
  const parser = new ResponseParser("GET", { head() {}, body() {}, end() {} });
  const line = new TextEncoder().encode(`X-Filler: ${"a".repeat(1000)}\r\n`);
  parser.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\n"));
  throws(() => {
    for (let read = 0; read * line.length <= MAX_HEAD_BYTES + line.length; read++) parser.push(line);
  }, new RegExp(`response head is over ${MAX_HEAD_BYTES} bytes`));
  const chunkLine = new ResponseParser("GET", { head() {}, body() {}, end() {} });
  chunkLine.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;"));
  throws(() => chunkLine.push(new TextEncoder().encode("x".repeat(8192))), /chunk line is over/);
});

Deno.test("response parser: a header value's bytes above ASCII read as Latin-1, one character per byte", () => {
  const head = new Uint8Array([
    ...new TextEncoder().encode("HTTP/1.1 200 OK\r\nX-Name: caf"),
    0xe9,
    0x80,
    ...new TextEncoder().encode("\r\nContent-Length: 0\r\n\r\n"),
  ]);
  deepEqual(parse("GET", [head]).heads[0].headers[0], ["x-name", "caf\u00e9\u0080"]);
});
