import { locale, t } from './i18n.js';

/** Pieces of message text: plain runs and links. Rendered as text nodes and <a>, never as HTML. */
export interface TextPiece { text: string; href?: string }

const URL_LIKE = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"»”’)\]}>]+$/;

function trimUrl(raw: string): string {
  let url = raw.replace(TRAILING, '');
  // Keep a closing parenthesis that belongs to the URL, as in wiki links: a_(b).
  const opens = (url.match(/\(/g) ?? []).length;
  let closes = (url.match(/\)/g) ?? []).length;
  const rest = raw.slice(url.length);
  for (let i = 0; i < rest.length && rest[i] === ')' && closes < opens; i++) {
    url += ')';
    closes++;
  }
  return url;
}

/** Splits text into plain runs and http(s) links; anything that is not a valid http(s) URL stays text. */
export function linkify(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_LIKE)) {
    const start = m.index ?? 0;
    const url = trimUrl(m[0]);
    if (url.length === 0) continue;
    let href: string;
    try {
      const parsed = new URL(url.toLowerCase().startsWith('www.') ? `http://${url}` : url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') continue;
      href = parsed.href;
    } catch {
      continue;
    }
    if (start > last) pieces.push({ text: text.slice(last, start) });
    pieces.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last) });
  return pieces;
}

/** Snippet text cut into plain and highlighted runs from [start, end) UTF-16 ranges (clamped, merged). */
export function highlight(snippet: string, ranges: ReadonlyArray<readonly [number, number]>): Array<{ text: string; mark: boolean }> {
  const sorted = ranges
    .map(([s, e]) => [Math.max(0, Math.min(s, snippet.length)), Math.max(0, Math.min(e, snippet.length))] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const out: Array<{ text: string; mark: boolean }> = [];
  let pos = 0;
  for (const [s, e] of sorted) {
    if (e <= pos) continue;
    const from = Math.max(s, pos);
    if (from > pos) out.push({ text: snippet.slice(pos, from), mark: false });
    out.push({ text: snippet.slice(from, e), mark: true });
    pos = e;
  }
  if (pos < snippet.length) out.push({ text: snippet.slice(pos), mark: false });
  return out;
}

const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const fullFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' });
const dayFmt = new Intl.DateTimeFormat(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
const shortDayFmt = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });

/** A calendar day in the viewer's time zone, for grouping. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

export function dayLabel(ts: number, now: number = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return t('today');
  if (dayKey(ts) === dayKey(now - 86_400_000)) return t('yesterday');
  return dayFmt.format(ts);
}

export const timeLabel = (ts: number): string => timeFmt.format(ts);
export const fullTime = (ts: number): string => fullFmt.format(ts);
export const shortDateTime = (ts: number): string => dateTimeFmt.format(ts);

/** Time for a room list row: the time today, the day otherwise. */
export function shortWhen(ts: number, now: number = Date.now()): string {
  return dayKey(ts) === dayKey(now) ? timeFmt.format(ts) : shortDayFmt.format(ts);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
}
