/**
 * The search thread: FTS5 queries can take tens of milliseconds on a large
 * history, so they run here on their own read-only connection, never on the
 * gateway's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SearchHit } from '../../protocol/frames.js';
import { openReadOnly } from '../db/database.js';
import { makeSnippet } from './search-text.js';

/** `rooms`: each room searched with the first seq its hits may have (a page filtered afterwards would come up short). */
export interface SearchRequest { id: number; match: string; terms: string[]; rooms: Array<[number, number]>; before: number; limit: number }
export type SearchReply = { id: number; ok: true; hits: SearchHit[] } | { id: number; ok: false; message: string };

interface Row { id: number; room_id: number; seq: number; sender_id: number; body: string; ts: number }

const port = parentPort;
if (port === null) throw new Error('search-thread must run as a worker');
const db = openReadOnly((workerData as { dataDir: string }).dataDir);
const query = db.prepare<[string, number, string, number], Row>(`
  SELECT m.id, m.room_id, m.seq, m.sender_id, coalesce(s.body, m.body) AS body, m.ts
  FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
  LEFT JOIN message_state s ON s.room_id = m.room_id AND s.seq = m.seq
  WHERE messages_fts MATCH ? AND messages_fts.rowid < ?
    AND EXISTS (SELECT 1 FROM json_each(?) r WHERE r.value ->> 0 = m.room_id AND m.seq >= r.value ->> 1) AND s.deleted_at IS NULL
  ORDER BY messages_fts.rowid DESC LIMIT +?`);

port.on('message', (req: SearchRequest | 'close') => {
  if (req === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: SearchReply;
  try {
    const rows = query.all(req.match, req.before, JSON.stringify(req.rooms), req.limit);
    const hits = rows.map((r): SearchHit => {
      const { snippet, highlights } = makeSnippet(r.body, req.terms);
      return { room: String(r.room_id), seq: r.seq, msgId: String(r.id), from: String(r.sender_id), body: r.body, ts: r.ts, snippet, highlights };
    });
    reply = { id: req.id, ok: true, hits };
  } catch (err) {
    reply = { id: req.id, ok: false, message: (err as Error).message };
  }
  port.postMessage(reply);
});
