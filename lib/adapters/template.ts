import { RelayError } from "../hub/errors.ts";

/**
 * Whether `template` has anything {@link fillTemplate} would fill (a `${`): one without is
 * used as it is.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { hasPlaceholder } from "./template.ts";
 * equal(hasPlaceholder("Bearer ${token}"), true);
 * equal(hasPlaceholder("application/json"), false);
 * ```
 */
export function hasPlaceholder(template: string): boolean {
  return template.includes("${");
}

/**
 * Fills `${name}` placeholders from `vars`; `encode` is applied to each value (e.g.
 * `encodeURIComponent` for URLs). A placeholder without a value is an error naming it,
 * so a misconfigured adapter fails before anything is sent.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { fillTemplate } from "./template.ts";
 * const url = fillTemplate("https://h/stream?q=${query}", { query: "a b&c" }, encodeURIComponent);
 * equal(url, "https://h/stream?q=a%20b%26c");
 * ```
 */
export function fillTemplate(
  template: string,
  vars: Readonly<Record<string, string>>,
  encode: (value: string) => string = (value) => value,
): string {
  if (!hasPlaceholder(template)) return template;
  return template.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      throw new RelayError(500, `the adapter uses \${${name}}, which none of its env entries defines`, {
        retryable: false,
        code: "adapter_env",
      });
    }
    return encode(value);
  });
}
