import { equal, rejects } from "node:assert/strict";
import { serve } from "../../lib/server/serve.ts";

const TLS = new URL("../fixtures/tls/", import.meta.url);

Deno.test("with cert and key, serve answers HTTPS and reports an https URL", async () => {
  const [cert, key] = [
    await Deno.readTextFile(new URL("cert.pem", TLS)),
    await Deno.readTextFile(new URL("key.pem", TLS)),
  ];
  const server = await serve({ fetch: () => new Response("secure"), port: 0, cert, key });
  const client = Deno.createHttpClient({ caCerts: [cert] });
  try {
    equal(server.url.startsWith("https://127.0.0.1:"), true);
    equal(await (await fetch(server.url, { client })).text(), "secure");
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("a cert without a key is refused", async () => {
  await rejects(serve({ fetch: () => new Response(), port: 0, cert: "x" }), /both cert and key/);
});
