/** A JSON value as an object, or `{}` when it is anything else: request bodies are read field by field and checked there. */
export function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * A client's `limit` (from a query string or a JSON number): a whole number
 * from 1 to `max`, rounded down; `fallback` when it is absent or not a number.
 * (A fraction reached SQLite's LIMIT, which refuses it: a 500.)
 */
export function limitOf(v: unknown, fallback: number, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Math.min(max, Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback);
}

/** Deepest nesting of objects and arrays a request body may have: far past any client's, far short of a stack's. */
export const MAX_JSON_DEPTH = 64;

/** Whether `v` nests objects and arrays at most `max` levels deep (walked without recursion). */
export function nestedWithin(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > max) return false;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return true;
}
