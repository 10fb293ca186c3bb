/**
 * How one exported message is written in each format. Pure string building,
 * kept apart from the streaming so each format is easy to read and test.
 */

export type ExportFormat = 'jsonl' | 'csv' | 'html';

export interface ExportRow {
  room: string;
  roomName: string;
  seq: number;
  msgId: string;
  from: string;
  fromName: string;
  clientMsgId: string;
  /** ISO 8601, UTC. */
  ts: string;
  body: string;
  hash: string;
  /** Issue 7 (jsonl and html; the CSV columns stay as they are): replyTo, attachments, mentions as stored. */
  extra?: Record<string, unknown>;
  /**
   * Edits, deletions and reactions, oldest first. `body` of an edit is its text
   * where still kept: every edit while the room is under legal hold, otherwise
   * only the current one (earlier ones, and the original `body` above, are
   * scrubbed to "" by retention).
   */
  changes?: ExportChange[];
}

export interface ExportChange { cseq: number; kind: string; by: string; byName: string; ts: string; body?: string; emoji?: string }

export const CSV_COLUMNS = ['room', 'roomName', 'seq', 'msgId', 'from', 'fromName', 'clientMsgId', 'ts', 'body', 'hash'] as const;

/** RFC 4180: fields with a quote, comma or line break are quoted, quotes doubled; lines end with CRLF. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(row: ExportRow): string {
  return `${CSV_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
}

export function jsonLine(row: ExportRow): string {
  return `${JSON.stringify(row)}\n`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Everything that reaches the HTML is escaped: bodies, names, room names. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export interface HtmlHeader {
  roomName: string;
  roomId: string;
  period: string;
  exportedAt: string;
  members: Array<{ name: string; joinedAt: string }>;
  changes: Array<{ ts: string; name: string; change: string }>;
}

export function htmlStart(h: HtmlHeader): string {
  const members = h.members.map((m) => `<li>${escapeHtml(m.name)} <span class="d">since ${escapeHtml(m.joinedAt)}</span></li>`).join('');
  const changes = h.changes.length === 0 ? '<p class="d">No membership changes in this period.</p>'
    : `<ul>${h.changes.map((c) => `<li><span class="d">${escapeHtml(c.ts)}</span> ${escapeHtml(c.name)} ${escapeHtml(c.change)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(h.roomName)}: transcript</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
.m{border-top:1px solid #eee;padding:.4rem 0}.h{font-size:.85rem;color:#555}.b{white-space:pre-wrap;overflow-wrap:anywhere;margin:.15rem 0 0}
.d{color:#777;font-size:.85rem}code{font-size:.75rem;color:#999}
</style></head><body>
<h1>${escapeHtml(h.roomName)} <span class="d">(room ${escapeHtml(h.roomId)})</span></h1>
<p>Period: ${escapeHtml(h.period)}. Exported ${escapeHtml(h.exportedAt)}. All times are UTC.</p>
<h2>Members at export time</h2><ul>${members}</ul>
<h2>Membership changes in the period</h2>${changes}
<h2>Messages</h2>
`;
}

export function htmlMessage(row: ExportRow): string {
  return `<div class="m" id="seq-${row.seq}"><div class="h"><time datetime="${row.ts}">${row.ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time> · <b>${escapeHtml(row.fromName)}</b> · #${row.seq}</div><p class="b">${escapeHtml(row.body)}</p>${htmlChanges(row.changes)}</div>\n`;
}

function htmlChanges(changes: ExportChange[] | undefined): string {
  if (changes === undefined || changes.length === 0) return '';
  const items = changes.map((c) => {
    const what = c.kind === 'edit' ? `edited${c.body === undefined ? ' (text removed by retention)' : `: ${escapeHtml(c.body)}`}`
      : c.kind === 'delete' ? 'deleted' : `${c.kind === 'react' ? 'reacted' : 'took back'} ${escapeHtml(c.emoji ?? '')}`;
    return `<li><span class="d">${escapeHtml(c.ts)}</span> ${escapeHtml(c.byName)} ${what}</li>`;
  }).join('');
  return `<ul class="d">${items}</ul>`;
}

export function htmlEnd(count: number, firstHash: string, lastHash: string): string {
  return `<p class="d">${count} message${count === 1 ? '' : 's'}. Chain hashes: first <code>${firstHash || '-'}</code>, last <code>${lastHash || '-'}</code>.</p>
</body></html>
`;
}
