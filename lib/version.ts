/**
 * The cody-relay release version, sent upstream as `client-version` and in `User-Agent`.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(`cody-relay ${VERSION}`);
 * ```
 */
export const VERSION = "0.1.0";
