/** The simulator's choice of tool (`[[sim tool=…]]`) and its arguments for coding agents' shell tools. */
import { deepEqual, equal } from "node:assert/strict";
import { planAnswer, SIMULATED_COMMAND } from "../../lib/simulator/answer.ts";
import { parseDirective } from "../../lib/simulator/faults.ts";

const tools = [
  {
    function: {
      name: "exec_command",
      parameters: { type: "object", properties: { cmd: { type: "string" }, tty: { type: "boolean" } } },
    },
  },
  { function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
];

function plan(text: string) {
  const directive = parseDirective(text);
  return planAnswer({ tools, messages: [{ speaker: "human", text }] }, {
    displayModel: "m",
    thinking: false,
    tools: true,
    question: { text },
    userText: directive.text,
    tool: directive.fault?.tool,
  });
}

Deno.test("a coding agent's shell tool is called with a harmless command whose output is not its text", () => {
  const call = plan("Run something").toolCall!;
  equal(call.name, "exec_command");
  deepEqual(JSON.parse(call.arguments.join("")), { cmd: SIMULATED_COMMAND });
  const output = new TextDecoder().decode(
    new Deno.Command("bash", { args: ["-c", SIMULATED_COMMAND] }).outputSync().stdout,
  );
  equal(output, "simulated-42\n");
});

Deno.test("[[sim tool=NAME]] picks the tool to call, and tool=none answers in text", () => {
  const weather = plan("Weather? [[sim tool=get_weather]]");
  equal(weather.toolCall?.name, "get_weather");
  deepEqual(JSON.parse(weather.toolCall!.arguments.join("")), { city: "example city" });
  const none = plan("Say hello [[sim tool=none]]");
  equal(none.toolCall, undefined);
  equal(none.stopReason, "end_turn");
  equal(none.text.join(""), "This is the cody-relay simulator answering as m. You said: Say hello");
});
