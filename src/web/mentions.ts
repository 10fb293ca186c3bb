/** @-mentions in the composer (what is being typed) and in messages (what to highlight). */

/** The `@word` being typed just before the caret, if any: where its `@` is and the letters after it. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|[\s(])@([\p{L}\p{N}_.-]*)$/u.exec(text.slice(0, caret));
  if (m === null) return null;
  const query = m[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Up to `max` names that start with the query (case-insensitive), then those containing it. */
export function suggest(names: readonly string[], query: string, max = 6): string[] {
  const q = query.toLowerCase();
  const starts = names.filter((n) => n.toLowerCase().startsWith(q));
  const inside = names.filter((n) => !n.toLowerCase().startsWith(q) && n.toLowerCase().includes(q));
  return [...starts, ...inside].slice(0, max);
}

/** Text with `@name` for each of `names` cut out as its own piece, matched as the server does (not inside a word). */
export function splitMentions(text: string, names: readonly string[]): Array<{ text: string; name?: string }> {
  if (names.length === 0) return [{ text }];
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
  const re = new RegExp(`(?<![\\p{L}\\p{N}_.@])@(${escaped.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  const out: Array<{ text: string; name?: string }> = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > last) out.push({ text: text.slice(last, i) });
    out.push({ text: m[0], name: m[1] ?? '' });
    last = i + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
