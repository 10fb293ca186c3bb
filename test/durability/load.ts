/**
 * Concurrent senders for the durability tests: each socket keeps a window of
 * sends in flight, every clientMsgId distinct, and records every ack it gets
 * until it is told to stop or its connection ends.
 */
import WebSocket from 'ws';
import type { Acked } from './child-server.js';

export interface Sender { acked: Acked[]; sent: number; done: Promise<{ code: number }>; stop: () => void }

export function startSender(port: number, token: string, user: number, rooms: readonly string[], tag: string, window = 16): Sender {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${token}` } });
  const acked: Acked[] = [];
  const pending = new Map<string, { room: string; clientMsgId: string }>();
  let stopped = false;
  const state: Sender = {
    acked, sent: 0,
    done: new Promise((resolve) => {
      socket.on('close', (code) => resolve({ code }));
      socket.on('error', () => undefined);
    }),
    stop: () => { stopped = true; },
  };
  const sendOne = (): void => {
    if (stopped || socket.readyState !== WebSocket.OPEN) return;
    const n = state.sent++;
    const room = rooms[n % rooms.length] ?? '';
    const id = `${tag}-${n}`;
    const clientMsgId = `${tag}-cm-${n}`;
    pending.set(id, { room, clientMsgId });
    socket.send(JSON.stringify({ type: 'send', id, room, body: `message ${n} from ${tag}`, clientMsgId }));
  };
  socket.on('open', () => {
    for (let i = 0; i < window; i++) sendOne();
  });
  socket.on('message', (data) => {
    const f = JSON.parse(String(data)) as { type: string; id?: string; room?: string; seq?: number; msgId?: string };
    if (f.type !== 'ack' && f.type !== 'error') return;
    const p = f.id === undefined ? undefined : pending.get(f.id);
    if (p === undefined) return;
    pending.delete(f.id as string);
    if (f.type === 'ack') acked.push({ user, clientMsgId: p.clientMsgId, room: f.room ?? '', seq: f.seq ?? -1, msgId: f.msgId ?? '' });
    sendOne();
  });
  return state;
}
