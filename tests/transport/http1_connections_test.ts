/**
 * The HTTP/1.1 client's connections, against hand-written loopback servers where the exact
 * bytes matter: keep-alive and when a connection is not reused, response framing (1xx
 * heads, chunk extensions and trailers, bodies until close), malformed responses, header
 * injection, TLS trust, and the push body's back-pressure and cancel.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import net from "node:net";
import { createHttp1Fetch, type PushBody, pushBodyOf } from "../../lib/transport/http1_fetch.ts";
import { sleep } from "../../lib/hub/sleep.ts";
import { serve } from "../../lib/server/serve.ts";

const cert = await Deno.readTextFile(new URL("../fixtures/tls/cert.pem", import.meta.url));
const key = await Deno.readTextFile(new URL("../fixtures/tls/key.pem", import.meta.url));

/** A request as a raw server read it: its head, the connection it came on, and that connection's socket. */
interface RawRequest {
  head: string;
  connection: number;
  socket: net.Socket;
}

/**
 * A `node:net` server on 127.0.0.1 that hands each request head (requests here have no
 * body) to `answer`, with the index of the connection it came on. It counts connections
 * and closes, and on dispose destroys every socket left and waits for the server to close.
 */
async function rawServer(answer: (request: RawRequest) => void) {
  const sockets = new Set<net.Socket>();
  const requests: RawRequest[] = [];
  const state = { connections: 0, closes: 0 };
  const closeWaiters: (() => void)[] = [];
  const server = net.createServer((socket) => {
    const connection = state.connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("error", () => {});
    socket.on("close", () => {
      state.closes++;
      sockets.delete(socket);
      for (const wake of closeWaiters.splice(0)) wake();
    });
    let buffered = "";
    socket.on("data", (bytes: Buffer) => {
      buffered += bytes.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
        const request = { head: buffered.slice(0, end), connection, socket };
        buffered = buffered.slice(end + 4);
        requests.push(request);
        answer(request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return state.connections;
    },
    get closes() {
      return state.closes;
    },
    /** Resolves once `count` connections have closed (on the server's side). */
    async closed(count: number): Promise<void> {
      while (state.closes < count) await new Promise<void>((resolve) => closeWaiters.push(resolve));
    },
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `promise`, or a failure naming `what` if it takes over `ms` (so a hang fails fast instead of hanging the suite). */
async function within<T>(promise: Promise<T>, what: string, ms = 1_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new Error(`${what}: no outcome in ${ms} ms`)), ms)
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection of `promise` (failing if it resolves), within a second. */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  return await within(
    promise.then(() => {
      throw new Error(`${what}: it succeeded`);
    }, (error: unknown) => error),
    what,
  );
}

const ok200 = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** Reads a push body whole, copying each chunk (valid only during its call). */
function readPush(body: PushBody, onChunk: (bytes: Uint8Array, index: number) => void = () => {}): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  return new Promise((resolve, reject) => {
    body.start((bytes) => {
      chunks.push(bytes.slice());
      onChunk(bytes, chunks.length - 1);
    }, (error) => error ? reject(error) : resolve(Buffer.concat(chunks)));
  });
}

Deno.test("keep-alive: two sequential requests to one origin reuse one TCP connection", async () => {
  await using server = await rawServer(({ socket, head }) => socket.write(ok200(head.split(" ")[1])));
  const fetch = createHttp1Fetch();
  equal(await (await within(fetch(new Request(`${server.url}/one`)), "first")).text(), "/one");
  equal(await (await within(fetch(new Request(`${server.url}/two`)), "second")).text(), "/two");
  equal(server.requests.length, 2);
  equal(server.connections, 1, "the second request opened a new connection");
  deepEqual(server.requests.map((request) => request.connection), [0, 0]);
});

Deno.test("keep-alive: a kept connection the server closed after its response is not used; the next request succeeds on a new one", async () => {
  await using server = await rawServer(({ socket, connection }) => {
    socket.write(ok200(`answer ${connection}`));
    // The client gives the connection back at once; the server closes it a little later.
    setTimeout(() => socket.end(), 10);
  });
  const fetch = createHttp1Fetch();
  equal(await (await within(fetch(new Request(server.url)), "first")).text(), "answer 0");
  await within(server.closed(1), "the server's close");
  await sleep(20); // the client reads the close too
  equal(await (await within(fetch(new Request(server.url)), "second")).text(), "answer 1");
  equal(server.connections, 2);
  equal(server.requests.length, 2, "each request reached the server once");
});

Deno.test("keep-alive: a request on a kept connection the server closes without answering is sent again once on a new connection", async () => {
  // The race a kept connection loses when the server's idle timeout fires as the request goes out.
  await using server = await rawServer(({ socket, connection }) => {
    if (server.requests.length === 2) return void socket.destroy(); // the second request, on the kept connection
    socket.write(ok200(`answer ${connection}`));
  });
  const fetch = createHttp1Fetch();
  equal(await (await within(fetch(new Request(server.url)), "first")).text(), "answer 0");
  equal(await (await within(fetch(new Request(server.url)), "second")).text(), "answer 1");
  equal(server.connections, 2);
  deepEqual(server.requests.map((request) => request.connection), [0, 0, 1]);
});

Deno.test("keep-alive: a POST on a kept connection the server closes without answering is sent again with its body", async () => {
  const bodies: string[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    const connection = connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    let buffered = "";
    socket.on("data", (bytes: Buffer) => {
      buffered += bytes.toString("latin1");
      const end = buffered.indexOf("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(buffered)?.[1] ?? 0);
      if (end < 0 || buffered.length < end + 4 + length) return;
      const body = buffered.slice(end + 4, end + 4 + length);
      buffered = buffered.slice(end + 4 + length);
      bodies.push(body);
      if (bodies.length === 2) return void socket.destroy();
      socket.write(ok200(`got ${body} on ${connection}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
    const fetch = createHttp1Fetch();
    const post = (body: string) =>
      fetch(new Request(url, { method: "POST", body })).then((response) => response.text());
    equal(await within(post("a"), "first"), "got a on 0");
    equal(await within(post("bb"), "second"), "got bb on 1");
    deepEqual(bodies, ["a", "bb", "bb"]);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

Deno.test("keep-alive: a response with Connection: close is not reused; the next request opens a new connection", async () => {
  // The server leaves the socket open: only the header tells the client not to reuse it.
  await using server = await rawServer(({ socket, connection }) =>
    socket.write(ok200(`answer ${connection}`, "connection: close\r\n"))
  );
  const fetch = createHttp1Fetch();
  equal(await (await within(fetch(new Request(server.url)), "first")).text(), "answer 0");
  await within(server.closed(1), "the client closing the connection it will not reuse");
  equal(await (await within(fetch(new Request(server.url)), "second")).text(), "answer 1");
  equal(server.connections, 2);
});

Deno.test("keep-alive: an HTTP/1.0 response without keep-alive is not reused", async () => {
  await using server = await rawServer(({ socket, connection }) =>
    socket.write(`HTTP/1.0 200 OK\r\ncontent-length: 8\r\n\r\nanswer ${connection}`)
  );
  const fetch = createHttp1Fetch();
  equal(await (await within(fetch(new Request(server.url)), "first")).text(), "answer 0");
  equal(await (await within(fetch(new Request(server.url)), "second")).text(), "answer 1");
  equal(server.connections, 2);
});

Deno.test("framing: a body delimited by the connection closing is read whole and its connection is not reused", async () => {
  const part = "x".repeat(100_000);
  await using server = await rawServer(({ socket, connection }) => {
    socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n");
    socket.write(`start ${connection} `);
    setTimeout(() => {
      socket.write(part);
      setTimeout(() => socket.end(" end"), 10);
    }, 10);
  });
  const fetch = createHttp1Fetch();
  const first = await within(fetch(new Request(server.url)), "first");
  equal(first.headers.get("content-length"), null);
  equal(await within(first.text(), "first body"), `start 0 ${part} end`);
  equal(await within((await fetch(new Request(server.url))).text(), "second"), `start 1 ${part} end`);
  equal(server.connections, 2);
});

Deno.test("framing: 100 Continue and 103 Early Hints heads are skipped; the final status, headers and body are answered", async () => {
  await using server = await rawServer(({ socket }) => {
    if (server.requests.length === 1) {
      // All in one write.
      socket.write(
        "HTTP/1.1 100 Continue\r\n\r\n" +
          "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n" +
          "HTTP/1.1 201 Created\r\nx-final: yes\r\ncontent-length: 5\r\n\r\nfinal",
      );
      return;
    }
    // Each head in its own write.
    socket.write("HTTP/1.1 100 Continue\r\n\r\n");
    setTimeout(() => socket.write("HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=preload\r\n\r\n"), 5);
    setTimeout(() => socket.write("HTTP/1.1 202 Accepted\r\nx-final: later\r\ncontent-length: 4\r\n\r\nlate"), 15);
  });
  const fetch = createHttp1Fetch();
  for (const [status, header, body] of [[201, "yes", "final"], [202, "later", "late"]] as const) {
    const response = await within(fetch(new Request(server.url)), `${status}`);
    equal(response.status, status);
    equal(response.headers.get("x-final"), header);
    equal(response.headers.get("link"), null, "a 1xx head's headers leaked into the final response");
    equal(await within(response.text(), "body"), body);
  }
});

Deno.test("framing: chunked bodies with chunk extensions and trailers decode right, and the connection is then reused", async () => {
  const response =
    'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6;a=b;c="d;e"\r\n world\r\nA \r\n, chunked!\r\n' +
    "0;last\r\nx-trailer: y\r\nx-other: z\r\n\r\n";
  await using server = await rawServer(({ socket }) => {
    if (server.requests.length === 1) return void socket.write(response);
    // Split inside the size line, the extension, the data, a CRLF and the trailers.
    const cuts = [50, 51, 55, 60, 62, 70, 90, response.length - 12, response.length - 1, response.length];
    cuts.forEach((cut, index) =>
      setTimeout(() => socket.write(response.slice(index ? cuts[index - 1] : 0, cut)), 3 * index)
    );
  });
  const fetch = createHttp1Fetch();
  for (const name of ["whole", "split"]) {
    const answer = await within(fetch(new Request(server.url)), name);
    equal(answer.headers.get("x-trailer"), null, "a trailer is not a header");
    equal(await within(answer.text(), `${name} body`), "hello world, chunked!");
  }
  // A third request, after the split body's ending: still the same connection.
  equal(await within((await fetch(new Request(server.url))).text(), "third"), "hello world, chunked!");
  equal(server.connections, 1);
});

Deno.test("keep-alive: a body stream whose last chunk came with the chunked end leaves its connection reading for the next request", async () => {
  // The reader pauses the connection after each chunk until it pulls again; the end came in
  // the same read, so the connection went back to the pool paused, and the next answer on
  // it was never read.
  await using server = await rawServer(({ socket }) => {
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n");
    setTimeout(() => socket.write("4\r\nlast\r\n0\r\n\r\n"), 20);
  });
  const fetch = createHttp1Fetch();
  for (const name of ["first", "second", "third"]) {
    const answer = await within(fetch(new Request(server.url)), name);
    let text = "";
    for await (const bytes of answer.body!) text += new TextDecoder().decode(bytes);
    equal(text, "firstlast", name);
  }
  equal(server.connections, 1);
});

Deno.test("malformed: a status line that is not HTTP/1.x rejects the fetch with a TypeError, and the connection is closed", async () => {
  await using server = await rawServer(({ socket }) => socket.write("HTXP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
  const error = await rejection(createHttp1Fetch()(new Request(server.url)), "bad status line");
  ok(error instanceof TypeError, String(error));
  await within(server.closed(1), "the client closing the connection");
});

Deno.test("malformed: a non-hex chunk size errors the body with a TypeError after a good head", async () => {
  await using server = await rawServer(({ socket }) => {
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n");
    setTimeout(() => socket.write("zz\r\nnope\r\n"), 10);
  });
  const fetch = createHttp1Fetch();
  const response = await within(fetch(new Request(server.url)), "head");
  equal(response.status, 200);
  const error = await rejection(response.text(), "body");
  ok(error instanceof TypeError, String(error));
  ok(/chunk size/.test((error as Error).message), (error as Error).message);
  await within(server.closed(1), "the client closing the connection");
});

Deno.test("malformed: a non-hex chunk size in the same read as the head errors the body with a TypeError", async () => {
  await using server = await rawServer(({ socket }) =>
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n-1\r\nnope\r\n")
  );
  const response = await within(createHttp1Fetch()(new Request(server.url)), "head");
  const error = await rejection(response.text(), "body");
  ok(error instanceof TypeError, String(error));
  await within(server.closed(1), "the client closing the connection");
});

Deno.test("malformed: a response head over 16 KiB without its blank line rejects with a TypeError instead of hanging", async () => {
  await using server = await rawServer(({ socket }) => {
    socket.write("HTTP/1.1 200 OK\r\n");
    for (let index = 0; index < 20; index++) socket.write(`x-filler-${index}: ${"a".repeat(4_000)}\r\n`);
    // No blank line: the socket stays open.
  });
  const error = await rejection(createHttp1Fetch()(new Request(server.url)), "oversized head");
  ok(error instanceof TypeError, String(error));
  ok(/over 16384 bytes/.test((error as Error).message), (error as Error).message);
  await within(server.closed(1), "the client closing the connection");
});

Deno.test("malformed: a server that closes a new connection before answering rejects the fetch with a TypeError (not sent again)", async () => {
  await using server = await rawServer(({ socket }) => socket.end());
  const error = await rejection(createHttp1Fetch()(new Request(server.url)), "closed before answering");
  ok(error instanceof TypeError, String(error));
  equal(server.connections, 1, "a request on a new connection is not retried");
});

Deno.test("headers: a header value with CR, LF or NUL is refused with a TypeError before anything is written, without its value in the error", async () => {
  await using server = await rawServer(({ socket }) => socket.write(ok200("should not be reached")));
  const fetch = createHttp1Fetch();
  const url = new URL(`${server.url}/`);
  const secret = "sk-secret-4f9a2c";
  for (
    const value of [
      "1\r\nx-injected: 2",
      `Bearer ${secret}\r\nx-injected: 2`,
      `Bearer ${secret}\nx-injected: 2`,
      `Bearer ${secret}\r`,
      `Bearer ${secret}\0`,
    ]
  ) {
    const error = await rejection(fetch.send({ url, method: "GET", headers: { "x-a": value } }), JSON.stringify(value));
    ok(error instanceof TypeError, String(error));
    const { message } = error as TypeError;
    ok(!message.includes(secret), `the error shows the header's value: ${message}`);
    ok(!message.includes("x-injected"), `the error shows the header's value: ${message}`);
  }
  await sleep(20);
  equal(server.connections, 0, "a connection was opened for a request that is refused");
  equal(server.requests.length, 0);
});

Deno.test("TLS: a self-signed upstream is refused by default, accepted with its certificate as ca or without verification", async () => {
  // The fixture certificate is for IP 127.0.0.1 and DNS localhost.
  const server = await serve({
    fetch: (request) => new Response(`secure ${new URL(request.url).pathname}`),
    port: 0,
    cert,
    key,
  });
  try {
    ok(server.url.startsWith("https://127.0.0.1:"), server.url);
    for (const url of [`${server.url}/ip`, `https://localhost:${server.port}/name`]) {
      const error = await rejection(createHttp1Fetch()(new Request(url)), `default trust, ${url}`);
      ok(error instanceof TypeError, String(error));
      const path = new URL(url).pathname;
      const trusted = createHttp1Fetch({ ca: cert });
      equal(await within((await trusted(new Request(url))).text(), `ca, ${url}`), `secure ${path}`);
      const insecure = createHttp1Fetch({ rejectUnauthorized: false });
      equal(await within((await insecure(new Request(url))).text(), `insecure, ${url}`), `secure ${path}`);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("TLS: a kept TLS connection is reused for the next request", async () => {
  // Deno.serve over TLS, counting connections by the remote port of each request.
  const ports = new Set<number>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", cert, key, onListen() {} }, (_request, info) => {
    ports.add((info.remoteAddr as Deno.NetAddr).port);
    return new Response("again");
  });
  try {
    const fetch = createHttp1Fetch({ ca: cert });
    for (let index = 0; index < 3; index++) {
      equal(
        await within((await fetch(new Request(`https://127.0.0.1:${server.addr.port}/`))).text(), `${index}`),
        "again",
      );
    }
    equal(ports.size, 1, `${ports.size} connections for 3 sequential requests`);
  } finally {
    await server.shutdown();
  }
});

/** `size` bytes of 32-bit big-endian counters, so a lost, doubled or reordered chunk shows. */
function patterned(size: number): Buffer {
  const body = Buffer.allocUnsafe(size);
  for (let index = 0; index < size; index += 4) body.writeUInt32BE(index / 4, index);
  return body;
}

Deno.test("push body: pause() stops chunk callbacks, resume() goes on, and a 2 MB body arrives intact and in order", async () => {
  const body = patterned(2 * 1024 * 1024);
  await using server = await rawServer(({ socket }) => {
    // The head in its own write, so the body's chunks come from reads after the reader started.
    socket.write("HTTP/1.1 200 OK\r\ncontent-length: " + body.length + "\r\n\r\n");
    setTimeout(() => socket.write(body), 20);
  });
  const fetch = createHttp1Fetch();
  const response = await within(fetch(new Request(server.url)), "head");
  const push = pushBodyOf(response);
  ok(push, "an http1Fetch response has a push body");
  equal(pushBodyOf(response), undefined, "the push body is taken once");
  let paused = false;
  let whilePaused = 0;
  let pauses = 0;
  let received = 0;
  const pauseFor = () => {
    push.pause();
    paused = true;
    pauses++;
    setTimeout(() => {
      paused = false;
      push.resume();
    }, 60);
  };
  const whole = await within(
    readPush(push, (bytes) => {
      if (paused) whilePaused++;
      received += bytes.length;
      // Pause at the first chunk and again past 1 MB.
      if (pauses === 0 || (pauses === 1 && received > 1024 * 1024)) pauseFor();
    }),
    "the whole body",
    3_000,
  );
  equal(pauses, 2, "the body came in too few chunks to pause twice");
  equal(whilePaused, 0, `${whilePaused} chunks arrived while paused`);
  equal(whole.length, body.length);
  ok(whole.equals(body), "the body arrived corrupted or out of order");
  // The connection went back to the pool after the whole body.
  await within((await fetch(new Request(server.url))).arrayBuffer(), "second");
  equal(server.connections, 1);
});

Deno.test("push body: pause() in the callback of a body chunk that came with the head stops chunk callbacks", async () => {
  const body = patterned(2 * 1024 * 1024);
  await using server = await rawServer(({ socket }) => {
    // Head and body in one write: the first body bytes are read with the head, before the reader starts.
    socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`), body]));
  });
  const response = await within(createHttp1Fetch()(new Request(server.url)), "head");
  await sleep(20); // the body goes on arriving at the socket while nothing reads it
  const push = pushBodyOf(response)!;
  let paused = false;
  let whilePaused = 0;
  const whole = await within(
    readPush(push, (_bytes, index) => {
      if (paused) whilePaused++;
      if (index === 0) {
        push.pause();
        paused = true;
        setTimeout(() => {
          paused = false;
          push.resume();
        }, 60);
      }
    }),
    "the whole body",
    3_000,
  );
  equal(whilePaused, 0, `${whilePaused} chunks arrived while paused`);
  ok(whole.equals(body), "the body arrived corrupted or out of order");
});

Deno.test("push body: cancel() mid-stream closes the connection, and the next request uses a new one", async () => {
  await using server = await rawServer(({ socket, connection }) => {
    if (connection > 0) return void socket.write(ok200("fresh"));
    // An endless chunked stream.
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    const timer = setInterval(() => socket.writable ? socket.write("6\r\nevent\n\r\n") : clearInterval(timer), 5);
    socket.on("close", () => clearInterval(timer));
  });
  const fetch = createHttp1Fetch();
  const response = await within(fetch(new Request(server.url)), "stream head");
  const push = pushBodyOf(response)!;
  let chunks = 0;
  let ended = false;
  await within(
    new Promise<void>((resolve) =>
      push.start(() => {
        if (++chunks === 3) {
          push.cancel();
          resolve();
        }
      }, () => ended = true)
    ),
    "three chunks",
  );
  await within(server.closed(1), "the server seeing the connection close");
  await sleep(20);
  equal(chunks, 3, "chunks arrived after cancel()");
  equal(ended, false, "a cancelled body is not ended");
  equal(await within((await fetch(new Request(server.url))).text(), "next"), "fresh");
  equal(server.connections, 2);
});

Deno.test("push body: cancelling the body stream mid-stream closes the connection", async () => {
  await using server = await rawServer(({ socket }) => {
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n");
  });
  const response = await within(createHttp1Fetch()(new Request(server.url)), "head");
  const reader = response.body!.getReader();
  equal(new TextDecoder().decode((await within(reader.read(), "first chunk")).value), "first");
  await reader.cancel();
  await within(server.closed(1), "the server seeing the connection close");
});

Deno.test("keep-alive: bytes after a complete content-length response make the connection not reused", async () => {
  await using server = await rawServer(({ socket, connection }) =>
    socket.write(ok200(`answer ${connection}`) + "garbage")
  );
  const fetch = createHttp1Fetch();
  equal(await (await within(fetch(new Request(server.url)), "first")).text(), "answer 0");
  equal(await (await within(fetch(new Request(server.url)), "second")).text(), "answer 1");
  equal(server.connections, 2);
  await within(server.closed(2), "the client closing both connections");
});

Deno.test("keep-alive: bytes arriving on an idle kept connection make it not reused", async () => {
  await using server = await rawServer(({ socket, connection }) => {
    socket.write(ok200(`answer ${connection}`));
    if (connection === 0) setTimeout(() => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstale"), 10);
  });
  const fetch = createHttp1Fetch();
  equal(await (await within(fetch(new Request(server.url)), "first")).text(), "answer 0");
  await within(server.closed(1), "the client closing the connection that spoke while idle");
  equal(await (await within(fetch(new Request(server.url)), "second")).text(), "answer 1");
  equal(server.connections, 2);
});

/** Reads a push body until `count` chunks came, then drains it. */
async function drainAfter(body: PushBody, count: number): Promise<void> {
  await within(
    new Promise<void>((resolve) => {
      let chunks = 0;
      body.start(() => {
        if (++chunks === count) {
          body.drain();
          resolve();
        }
      }, () => {});
    }),
    `${count} chunks`,
  );
}

Deno.test("push body: drain() once the answer is read keeps the connection when the rest of the response comes", async () => {
  let requests = 0;
  await using server = await rawServer(({ socket }) => {
    if (requests++ > 0) return void socket.write(ok200("fresh"));
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n6\r\nanswer\r\n");
    // The stream's end comes in later writes, as an SSE upstream sends its last event and then the terminator.
    setTimeout(() => socket.write("4\r\ndone\r\n"), 20);
    setTimeout(() => socket.write("0\r\n\r\n"), 40);
  });
  const fetch = createHttp1Fetch();
  await drainAfter(pushBodyOf(await within(fetch(new Request(server.url)), "head"))!, 1);
  await sleep(80);
  equal(await within((await fetch(new Request(server.url))).text(), "next"), "fresh");
  equal(server.connections, 1, "the drained connection carried the next request");
});

Deno.test("push body: drain() closes the connection when the rest does not end within a second", async () => {
  await using server = await rawServer(({ socket }) => {
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n6\r\nanswer\r\n"); // and nothing more
  });
  await drainAfter(pushBodyOf(await within(createHttp1Fetch()(new Request(server.url)), "head"))!, 1);
  const started = performance.now();
  await within(server.closed(1), "the client closing the connection", 3_000);
  const waited = performance.now() - started;
  ok(waited > 800, `closed after ${Math.round(waited)} ms, before the drain's second was over`);
});

Deno.test("push body: drain() closes the connection when more than 64 KiB still come", async () => {
  await using server = await rawServer(({ socket }) => {
    socket.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n6\r\nanswer\r\n");
    const chunk = `4000\r\n${"x".repeat(0x4000)}\r\n`;
    const timer = setInterval(() => socket.writable ? socket.write(chunk) : clearInterval(timer), 2);
    socket.on("close", () => clearInterval(timer));
  });
  await drainAfter(pushBodyOf(await within(createHttp1Fetch()(new Request(server.url)), "head"))!, 1);
  const started = performance.now();
  await within(server.closed(1), "the client closing the connection");
  ok(performance.now() - started < 800, "closed for the bytes, not the time");
});
