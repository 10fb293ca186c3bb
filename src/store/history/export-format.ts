/**
 * How one exported message is written in each format. Pure string building,
 * kept apart from the streaming so each format is easy to read and test.
 */

export type ExportFormat = 'jsonl' | 'csv' | 'html';

/** "(edited)" or "(deleted)"; empty for a message unchanged since it was sent. */
export type ExportStatus = '' | '(edited)' | '(deleted)';

/** A file a message carries, as stored: the bytes are `files/ab/<sha256>` in the data folder. */
export interface ExportAttachment { fileId: string; name: string; size: number; mime: string; sha256: string }

/** Field order is the JSONL key order; the CSV columns are CSV_COLUMNS. */
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
  /** What people see now: the current edit's text, "(deleted)" for a deleted message, else the text as sent. */
  text: string;
  status: ExportStatus;
  /** ISO 8601, UTC, of the latest edit; null if never edited. */
  editedAt: string | null;
  /** ISO 8601, UTC; null if not deleted. */
  deletedAt: string | null;
  /** Files the message still carries (a deleted message's are released, unless the room is under legal hold). */
  attachments: ExportAttachment[];
  /**
   * The text as first sent, as stored and covered by `hash`. Emptied ("") once
   * the message is edited or deleted, unless the room is under legal hold.
   */
  body: string;
  hash: string;
  /** jsonl only: replyTo, attachments, mentions as sent (wire form, covered by the hash). */
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

export const CSV_COLUMNS = ['room', 'roomName', 'seq', 'msgId', 'from', 'fromName', 'clientMsgId', 'ts', 'text', 'status', 'editedAt', 'deletedAt', 'attachments', 'body', 'hash'] as const;

/** One line per file (file names hold no line breaks): `name (size bytes, mime, sha256 hex)`. */
export function attachmentsCell(files: readonly ExportAttachment[]): string {
  return files.map((f) => `${f.name} (${f.size} bytes, ${f.mime}, sha256 ${f.sha256})`).join('\n');
}

/**
 * RFC 4180: fields with a quote, comma or line break are quoted, quotes doubled; lines end with CRLF.
 * A text cell a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading
 * apostrophe, and so does one already starting with one: dropping one leading `'` gives the text back.
 */
export function csvField(value: string | number): string {
  const s = typeof value === 'string' && /^[=+\-@\t\r']/.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(row: ExportRow): string {
  return `${CSV_COLUMNS.map((c) => csvField(c === 'attachments' ? attachmentsCell(row.attachments) : row[c] ?? '')).join(',')}\r\n`;
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
.d{color:#777;font-size:.85rem}.s{color:#777;font-style:italic}.f{margin:.15rem 0;font-size:.9rem}code{font-size:.75rem;color:#999}
</style></head><body>
<h1>${escapeHtml(h.roomName)} <span class="d">(room ${escapeHtml(h.roomId)})</span></h1>
<p>Period: ${escapeHtml(h.period)}. Exported ${escapeHtml(h.exportedAt)}. All times are UTC.</p>
<h2>Members at export time</h2><ul>${members}</ul>
<h2>Membership changes in the period</h2>${changes}
<h2>Messages</h2>
`;
}

const shown = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const timeTag = (iso: string): string => `<time datetime="${escapeHtml(iso)}">${escapeHtml(shown(iso))}</time>`;

export function htmlMessage(row: ExportRow): string {
  const marker = row.deletedAt !== null ? ` · <span class="s">(deleted ${timeTag(row.deletedAt)})</span>`
    : row.editedAt !== null ? ` · <span class="s">(edited ${timeTag(row.editedAt)})</span>` : '';
  const text = row.deletedAt !== null ? `<p class="b s">${escapeHtml(row.text)}</p>`
    : row.text === '' && row.attachments.length > 0 ? '' : `<p class="b">${escapeHtml(row.text)}</p>`;
  return `<div class="m" id="seq-${row.seq}"><div class="h">${timeTag(row.ts)} · <b>${escapeHtml(row.fromName)}</b> · #${row.seq}${marker}</div>${text}${htmlAttachments(row.attachments)}${htmlChanges(row.changes)}</div>\n`;
}

function htmlAttachments(files: readonly ExportAttachment[]): string {
  if (files.length === 0) return '';
  const items = files.map((f) => `<li>File <b>${escapeHtml(f.name)}</b> · ${f.size} bytes · ${escapeHtml(f.mime)} · sha256 <code>${escapeHtml(f.sha256)}</code></li>`).join('');
  return `<ul class="f">${items}</ul>`;
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
