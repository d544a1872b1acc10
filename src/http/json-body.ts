/** No API of tetri's needs more; deeper bodies are refused before anything recurses into them. */
export const MAX_JSON_DEPTH = 32;

/**
 * What is wrong with a parsed JSON body as a whole, if anything: nesting deeper than any API
 * needs, or text that is not well-formed Unicode (a lone surrogate from a \ud800 escape,
 * which storage would silently turn into U+FFFD). Walked without recursion, so a hostile
 * body cannot overflow the stack.
 */
export function jsonBodyProblem(value: unknown): string | undefined {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === "string") {
      if (!current.isWellFormed()) return "contains text that is not well-formed Unicode (a lone surrogate)";
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return `is nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(current)) {
      if (!key.isWellFormed()) return "contains text that is not well-formed Unicode (a lone surrogate)";
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}
