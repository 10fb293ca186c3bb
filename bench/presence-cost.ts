/**
 * What a presence transition costs the event loop (issue 7), without the
 * network: N users in rooms of K, each connecting and then disconnecting once
 * (2N transitions), pushing to a fanout that only counts publishes and bytes
 * (uWS's own copy per subscriber happens in C++ and is not measured here).
 *
 *   npm run build && node dist/bench/presence-cost.js [users=10000] [roomSize=50] [maxRoomSize=100]
 */
import { Membership } from '../src/chat/membership.js';
import { Presence } from '../src/chat/presence.js';

const users = Number(process.argv[2] ?? 10_000);
const roomSize = Number(process.argv[3] ?? 50);
const maxRoomSize = Number(process.argv[4] ?? 100);

function run(enabled: boolean): { ms: number; frames: number; bytes: number } {
  const rows: Array<{ room_id: number; user_id: number }> = [];
  for (let u = 1; u <= users; u++) {
    rows.push({ room_id: Math.ceil(u / roomSize), user_id: u });
    // Every user also has one direct room with the next user.
    rows.push({ room_id: 1_000_000 + u, user_id: u }, { room_id: 1_000_000 + u, user_id: (u % users) + 1 });
  }
  const membership = Membership.from(rows);
  let frames = 0;
  let bytes = 0;
  // Stands in for the gateway's socket registry: one socket per online user.
  const open = new Set<number>();
  const presence = new Presence({
    membership, enabled, maxRoomSize, socketCount: (u) => (open.has(u) ? 1 : 0),
    fanout: { publish: (_topic, frame) => { frames++; bytes += frame.length; } },
  });
  const started = process.hrtime.bigint();
  for (let u = 1; u <= users; u++) {
    open.add(u);
    presence.opened(u);
  }
  for (let u = 1; u <= users; u++) {
    open.delete(u);
    presence.closed(u, false);
  }
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, frames, bytes };
}

run(true); // warm up
for (const enabled of [false, true]) {
  const r = run(enabled);
  const per = (r.ms * 1000) / (2 * users);
  console.log(`presence ${enabled ? 'on ' : 'off'}: ${users} users, rooms of ${roomSize} + one direct room each: `
    + `${(2 * users).toLocaleString()} transitions in ${r.ms.toFixed(1)} ms (${per.toFixed(2)} µs each), `
    + `${r.frames.toLocaleString()} publishes (${(r.frames / (2 * users)).toFixed(1)} per transition, ${(r.bytes / 1e6).toFixed(1)} MB)`);
}
