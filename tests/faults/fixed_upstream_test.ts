/** The upstream is fixed by the server's configuration: nothing a client sends moves it to another host. */
import { equal } from "node:assert/strict";
import { serve } from "../../lib/server/serve.ts";
import { TOKEN } from "../harness.ts";
import { completionRequests, faultStack, MODEL } from "./helpers.ts";

Deno.test("headers and body fields naming another host are ignored; every request reaches the configured upstream", async () => {
  let decoyHits = 0;
  const decoy = await serve({ fetch: () => (decoyHits++, new Response("decoy")), port: 0 });
  await using stack = await faultStack();
  try {
    const hostile = {
      host: new URL(decoy.url).host,
      "x-forwarded-host": new URL(decoy.url).host,
      "x-forwarded-proto": "http",
      "x-sourcegraph-endpoint": decoy.url,
      "x-cody-endpoint": decoy.url,
      "src-endpoint": decoy.url,
    };
    const body = {
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
      endpoint: decoy.url,
      api_base: decoy.url,
      base_url: decoy.url,
      baseURL: decoy.url,
      server_url: decoy.url,
    };
    for (const path of ["/v1/chat/completions", `/${decoy.url}/v1/chat/completions`]) {
      const response = await fetch(`${stack.relayUrl}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, ...hostile },
        body: JSON.stringify(body),
      });
      await response.body?.cancel();
    }
    const byModel = await fetch(`${stack.relayUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ...body, model: `${decoy.url}/model` }),
    });
    equal(byModel.status, 400, "a URL as model is just an unknown model");
    await byModel.body?.cancel();
    equal(decoyHits, 0);
    equal(completionRequests(stack), 2);
  } finally {
    await decoy.shutdown();
  }
});
