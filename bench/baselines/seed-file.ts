/**
 * What a baseline server knows instead of a database: which token belongs to
 * which user and room. Written by the harness, read once at start.
 */
import { readFileSync } from 'node:fs';

export interface BaselineIdentity { user: string; room: string }

export function readSeed(path: string): Map<string, BaselineIdentity> {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as Array<[string, string, string]>;
  return new Map(rows.map(([token, user, room]) => [token, { user, room }]));
}

export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** The frames both baselines answer, in Roost's shapes. Returns the reply and the room broadcast, if any. */
export function handleFrame(text: string, id: BaselineIdentity, seqs: Map<string, number>, nextMsgId: () => number): { reply?: string; publish?: string } {
  let f: { type?: unknown; id?: unknown; room?: unknown; body?: unknown };
  try {
    f = JSON.parse(text) as typeof f;
  } catch {
    return { reply: '{"type":"error","code":"bad_request","message":"frame is not valid JSON"}' };
  }
  if (f.type === 'ping') return { reply: typeof f.id === 'string' ? JSON.stringify({ type: 'pong', id: f.id }) : '{"type":"pong"}' };
  if (f.type !== 'send' || typeof f.body !== 'string' || f.room !== id.room) {
    return { reply: JSON.stringify({ type: 'error', id: f.id, code: 'bad_request', message: 'baseline answers send and ping only' }) };
  }
  const seq = (seqs.get(id.room) ?? 0) + 1;
  seqs.set(id.room, seq);
  const msgId = String(nextMsgId());
  const ts = Date.now();
  return {
    reply: JSON.stringify({ type: 'ack', id: f.id, room: id.room, seq, msgId, ts }),
    publish: JSON.stringify({ type: 'message', room: id.room, seq, msgId, from: id.user, body: f.body, ts }),
  };
}
