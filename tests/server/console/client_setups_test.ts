/** The "Connect a client" page's setups: read from the client documentation's sections, filled in with the relay's address and a model. */
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  DOCUMENTED_BASE,
  DOCUMENTED_MODEL,
  fillClientSetups,
  parseClientSetups,
} from "../../../lib/server/console/client_setups.ts";
import { RelayError } from "../../../lib/hub/errors.ts";

const FENCE = "`".repeat(3);

const DOCUMENT = `# Clients

Intro with a [link](../README.md) and ${DOCUMENTED_BASE}.

## Setups

### Shell client

In a shell
(two lines):

${FENCE}sh
# a comment, not a heading
export BASE=${DOCUMENTED_BASE}/v1 MODEL=${DOCUMENTED_MODEL}
${FENCE}

Then run it. See [Keys](#keys) and \`--flag\`.

A second note.

### Editor <b>bold</b>

In \`settings.json\`:

~~~json
{ "url": "${DOCUMENTED_BASE}" }
~~~

And the key file:

${FENCE}${FENCE.slice(1)}text
${FENCE}not the end
key
${FENCE}${FENCE.slice(1)}

#### A sub-heading stays in the section

### Prose only

Nothing to copy here.

## Browsers

Not a client.
`;

Deno.test("parseClientSetups: one row per ### section with a fenced block, its first paragraph where the text goes", () => {
  deepEqual(parseClientSetups(DOCUMENT), [
    {
      client: "Shell client",
      where: "In a shell (two lines):",
      note: "Then run it. See Keys and `--flag`.\n\nA second note.",
      text: `# a comment, not a heading\nexport BASE=${DOCUMENTED_BASE}/v1 MODEL=${DOCUMENTED_MODEL}`,
    },
    {
      client: "Editor <b>bold</b>",
      where: "In `settings.json`:",
      note: "And the key file:\n\n#### A sub-heading stays in the section",
      text: `{ "url": "${DOCUMENTED_BASE}" }\n\n${FENCE}not the end\nkey`,
    },
  ]);
  deepEqual(parseClientSetups("no sections at all"), []);
  deepEqual(parseClientSetups(`### Unclosed\n\nHere:\n\n${FENCE}\nline`), [
    { client: "Unclosed", where: "Here:", text: "line" },
  ]);
});

Deno.test("fillClientSetups: this relay's origin and the model chosen wherever the documented ones are", () => {
  const [shell, editor] = fillClientSetups(parseClientSetups(DOCUMENT), {
    base: "https://relay.example:8443",
    model: "team::<img src=x onerror=alert(1)>",
  });
  equal(
    shell.text,
    "# a comment, not a heading\nexport BASE=https://relay.example:8443/v1 MODEL=team::<img src=x onerror=alert(1)>",
  );
  equal(editor.text.split("\n")[0], '{ "url": "https://relay.example:8443" }');
  deepEqual(
    fillClientSetups(parseClientSetups(DOCUMENT), {}),
    parseClientSetups(DOCUMENT),
    "nothing given, nothing changed",
  );
  equal(
    fillClientSetups([{ client: "c", where: `at ${DOCUMENTED_BASE}`, note: DOCUMENTED_MODEL, text: "" }], {
      base: "http://[::1]:9000/",
      model: "m",
    }).map((setup) => `${setup.where} ${setup.note}`)[0],
    "at http://[::1]:9000 m",
  );
});

Deno.test("fillClientSetups: a base that is not an http(s) origin, or an unbounded model, is a 400 naming it", () => {
  const setups = parseClientSetups(DOCUMENT);
  for (
    const base of [
      "",
      "relay.example",
      "ftp://relay.example",
      "javascript:alert(1)",
      "http://relay.example/v1",
      "http://relay.example/?q=1",
      "http://relay.example/#x",
      "http://user:pass@relay.example",
      `http://${"a".repeat(3000)}.example`,
    ]
  ) {
    throws(
      () => fillClientSetups(setups, { base }),
      (error) => error instanceof RelayError && error.status === 400 && error.param === "base",
      base.slice(0, 40),
    );
  }
  for (const model of ["", "m".repeat(257), "line\nbreak", "tab\there"]) {
    throws(
      () => fillClientSetups(setups, { model }),
      (error) => error instanceof RelayError && error.status === 400 && error.param === "model",
      JSON.stringify(model.slice(0, 20)),
    );
  }
  equal(fillClientSetups(setups, { model: "m".repeat(256) }).length, 2);
});

Deno.test("parseClientSetups reads docs/clients.md: every ### section a client, its blocks naming the documented relay", async () => {
  const document = await Deno.readTextFile(new URL("../../../docs/clients.md", import.meta.url));
  const setups = parseClientSetups(document);
  deepEqual(setups.map((setup) => setup.client), [...document.matchAll(/^### (.+)$/gm)].map((match) => match[1]));
  for (const setup of setups) {
    ok(setup.where && !setup.where.includes("```"), `${setup.client}: where the text goes, in prose`);
    ok(setup.text.includes(DOCUMENTED_BASE), `${setup.client}: its blocks name ${DOCUMENTED_BASE}`);
  }
});
