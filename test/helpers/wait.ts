// Waiting in tests: a plain sleep, and polling until a condition holds.

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type EventuallyOptions = {
  /** How long to keep polling (default 10 s). */
  timeoutMs?: number;
  /** What is awaited, for the failure message; a function is asked only when it fails. */
  what?: string | (() => string);
};

/**
 * Polls `check` every 25 ms until it returns something other than undefined, and returns
 * that; fails after `timeoutMs` (a number is the timeout alone).
 */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, options: EventuallyOptions | number = {}): Promise<T> {
  const { timeoutMs = 10_000, what } = typeof options === "number" ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const awaited = typeof what === "function" ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms${awaited === undefined ? "" : ` waiting for ${awaited}`}`);
    }
    await sleep(25);
  }
}
