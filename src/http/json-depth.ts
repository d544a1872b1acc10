/** No API of tetri's needs more; deeper bodies are refused before anything recurses into them. */
export const MAX_JSON_DEPTH = 32;

/** How deeply a parsed JSON value nests, measured without recursion (so a hostile body cannot overflow the stack). */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
