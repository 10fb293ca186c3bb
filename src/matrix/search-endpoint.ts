import type { SearchHit } from '../protocol/frames.js';
import { badJson, frameRefusal, fromRoost } from './errors.js';
import { EventRenderer } from './events.js';
import { powerUsers } from './room-state.js';
import { client, type MatrixRouter } from './router.js';
import type { MatrixContext } from './context.js';
import { obj } from './json-object.js';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

/** `next_batch` is the message id to search before (hits come newest first). */
const encodeBatch = (msgId: string): string => `b${msgId}`;
function decodeBatch(batch: string | null): number | undefined | null {
  if (batch === null) return undefined;
  const m = /^b([1-9][0-9]{0,15})$/.exec(batch);
  return m === null ? null : Number(m[1]);
}

/**
 * `POST /search`, room events only: the chat service's search (the one the
 * native `search` frame uses, Chinese-aware, over the caller's rooms with
 * history visibility applied), said as Matrix results newest first.
 */
export function mountSearchEndpoint(router: MatrixRouter, c: MatrixContext): void {
  router.authed('POST', client('search'), async (r) => {
    const events = obj(obj(obj(r.body).search_categories).room_events);
    const term = events.search_term;
    if (typeof term !== 'string' || term.trim() === '') return r.ex.fail(badJson('search_categories.room_events.search_term must be a non-empty string'));
    const bad = frameRefusal(c.limits, { type: 'search', query: term });
    if (bad !== undefined) return r.ex.fail(bad);
    const before = decodeBatch(r.query.get('next_batch'));
    if (before === null) return r.ex.fail(badJson('next_batch is not one this server gave'));
    const filter = obj(events.filter);
    const wanted = Array.isArray(filter.rooms) ? filter.rooms : undefined;
    let rooms: string[] | undefined;
    if (wanted !== undefined) {
      rooms = [];
      for (const id of wanted) {
        const room = typeof id === 'string' ? c.ids.roomOf(id) : null;
        // A room that is not this server's is named as itself: the service refuses it like any room the caller is not in.
        rooms.push(room === null ? String(id) : String(room));
      }
    }
    const limit = typeof filter.limit === 'number' && filter.limit >= 1 ? Math.min(MAX_LIMIT, Math.floor(filter.limit)) : DEFAULT_LIMIT;
    const out = await c.chat.search(r.session.userId, { query: term, rooms, limit, before });
    if (!out.ok) return r.ex.fail(fromRoost(out));
    r.ex.json({ search_categories: { room_events: answer(c, out.hits, term, limit) } });
  });
}

function answer(c: MatrixContext, hits: SearchHit[], term: string, limit: number): Record<string, unknown> {
  const names = c.sync.names();
  const render = new EventRenderer(c.ids, names);
  const powers = new Map<number, Record<string, number>>();
  const powersOf = (room: number) => (): Record<string, number> => {
    let p = powers.get(room);
    if (p === undefined) {
      p = powerUsers(c.roomReads.memberList(room), names);
      powers.set(room, p);
    }
    return p;
  };
  const results = hits.map((h) => ({ rank: 1, result: render.row(h, powersOf(Number(h.room)), c.store.room(Number(h.room))) }));
  const last = hits[hits.length - 1];
  const body: Record<string, unknown> = {
    count: hits.length, results, highlights: term.trim().split(/\s+/).filter((w) => w !== ''), groups: {},
  };
  if (last !== undefined && hits.length >= limit) body.next_batch = encodeBatch(last.msgId);
  return body;
}
