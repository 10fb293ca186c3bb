/**
 * At most `max` UTF-16 units of `text`, never ending inside a surrogate pair:
 * half an emoji cannot be stored as UTF-8 unchanged (SQLite would keep U+FFFD).
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}
