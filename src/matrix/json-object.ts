/** A JSON value as an object, or `{}` when it is anything else: request bodies are read field by field and checked there. */
export function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
