/**
 * Fault suite, part 4: 200 concurrent streams through the real openai client, one in ten
 * with an upstream fault. Every healthy stream must arrive byte-exact and finish; every
 * faulty one must end in an error, never a finish.
 */
import { equal, ok } from "node:assert/strict";
import { faultStack, referenceText, streamChat } from "./helpers.ts";

const STREAMS = 200;
const WORDS = 80;
const FAULTS = ["error_after=5", "drop_after=5", "truncate_after=5", "stall_after=5", "bad_json_after=5"];

Deno.test(`${STREAMS} concurrent streams, 10% faulty: healthy ones byte-exact, faulty ones errors`, async () => {
  const whole = await referenceText(WORDS);
  await using stack = await faultStack({ timeouts: { idleMs: 1_000 }, retry: { maxRetries: 0 } });
  const plan = Array.from({ length: STREAMS }, (_, index) => index % 10 === 3 ? FAULTS[index % FAULTS.length] : "");
  const results = await Promise.all(
    plan.map((fault) => streamChat(stack, `Hi [[sim words=${WORDS}${fault ? ` ${fault}` : ""} pace_ms=2]]`)),
  );
  const healthy = results.filter((_, index) => !plan[index]);
  const faulty = results.filter((_, index) => plan[index]);
  equal(faulty.length, STREAMS / 10);
  for (const result of healthy) {
    equal(result.error, undefined);
    equal(result.finish, "stop");
    equal(result.text, whole);
  }
  for (const [index, result] of faulty.entries()) {
    ok(result.error, `faulty stream ${index} (${plan.filter(Boolean)[index]}) ended with an error`);
    equal(result.finish, undefined);
    ok(whole.startsWith(result.text) && result.text.length < whole.length);
  }
});
