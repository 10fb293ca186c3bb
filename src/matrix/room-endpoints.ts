import { randomBytes } from 'node:crypto';
import type { RoomOp, RoomOutcome } from '../chat/room-actions.js';
import type { WireMessage } from '../protocol/frames.js';
import { badJson, forbidden, frameRefusal, fromRoost, invalidParam, noEncryption, notFound, type MatrixError } from './errors.js';
import { pictureOf } from './ids.js';
import { EventRenderer, roleOfPower, type ClientEvent } from './events.js';
import { readFilter } from './filters.js';
import { client, type AuthedRequest, type MatrixRouter } from './router.js';
import { powerUsers, roomState } from './room-state.js';
import { decodeRoomToken, encodeRoomToken } from './sync-token.js';
import type { MatrixContext } from './context.js';
import { limitOf, obj } from './json-object.js';

/** Runs a room action through the rules core; resolves with its outcome. */
export function act(c: MatrixContext, op: RoomOp): Promise<RoomOutcome> {
  return new Promise((resolve) => c.rooms.act(op, resolve));
}

/** The Roost id of a Matrix user id of this server, or undefined. */
export function roostUser(c: MatrixContext, userId: unknown): number | undefined {
  if (typeof userId !== 'string') return undefined;
  const local = c.ids.localpart(userId);
  return local === null ? undefined : c.store.userByName(local)?.id;
}

/** The room a path names when the caller is a member; else answers M_FORBIDDEN (the same for a room that does not exist). */
export function memberRoom(c: MatrixContext, r: AuthedRequest, index = 0): number | undefined {
  const room = c.ids.roomOf(r.params[index] ?? '');
  if (room === null || !c.membership.isMember(room, r.session.userId)) {
    r.ex.fail(forbidden('You are not a member of this room'));
    return undefined;
  }
  return room;
}

const refused = (o: Exclude<RoomOutcome, { ok: true }>): MatrixError => fromRoost(o);

/** Group room names are unique on Roost: one made without a name gets a short random one. */
const unnamed = (): string => `Room ${randomBytes(3).toString('hex')}`;

/**
 * Room endpoints: creating, inviting, joining, leaving, kicking, members,
 * state (read, and written where Roost has the setting), single events,
 * context and pagination. Every action is RoomActions' (the writer decides
 * with the room rules); reads go through the member checks of chat/.
 */
export function mountRoomEndpoints(router: MatrixRouter, c: MatrixContext): void {
  const names = (): ReturnType<MatrixContext['sync']['names']> => c.sync.names();

  router.authed('POST', client('createRoom'), async (r) => {
    const b = obj(r.body);
    const me = r.session.userId;
    const initial = Array.isArray(b.initial_state) ? b.initial_state : [];
    if (initial.some((e) => obj(e).type === 'm.room.encryption')) return r.ex.fail(noEncryption());
    const inviteIds = Array.isArray(b.invite) ? b.invite : [];
    const invite: number[] = [];
    for (const u of inviteIds) {
      if (typeof u !== 'string') return r.ex.fail(badJson('invite holds user ids'));
      const id = roostUser(c, u);
      if (id === undefined) return r.ex.fail(notFound(`Unknown user ${String(u)}`));
      invite.push(id);
    }
    if (b.is_direct === true && invite.length === 1) {
      const out = await act(c, { k: 'room-direct', user: me, peer: invite[0] as number });
      if (!out.ok) return r.ex.fail(refused(out));
      return r.ex.json({ room_id: c.ids.room(out.room) });
    }
    if (b.name !== undefined && typeof b.name !== 'string') return r.ex.fail(badJson('name must be a string'));
    if (b.topic !== undefined && typeof b.topic !== 'string') return r.ex.fail(badJson('topic must be a string'));
    const name = typeof b.name === 'string' && b.name.trim() !== '' ? b.name : unnamed();
    const topic = typeof b.topic === 'string' ? b.topic : '';
    // Checked as the native create_room it stands for: invitees distinct and at most 100, name and topic lengths.
    const bad = frameRefusal(c.limits, { type: 'create_room', name, topic, invite: invite.map(String) });
    if (bad !== undefined) return r.ex.fail(bad);
    const joinRule = b.preset === 'public_chat' || b.visibility === 'public' ? 'public' : 'invite';
    const out = await act(c, { k: 'room-create', user: me, name, topic, invite, joinRule, history: 'shared' });
    if (!out.ok) return r.ex.fail(refused(out));
    r.ex.json({ room_id: c.ids.room(out.room) });
  });

  router.authed('POST', client('rooms/:room/invite'), async (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const userId = obj(r.body).user_id;
    if (typeof userId !== 'string') return r.ex.fail(badJson('user_id must be a string'));
    const target = roostUser(c, userId);
    if (target === undefined) return r.ex.fail(notFound('Unknown user'));
    const out = await act(c, { k: 'room-invite', room, user: r.session.userId, target });
    return out.ok ? r.ex.json({}) : r.ex.fail(refused(out));
  });

  const join = async (r: AuthedRequest): Promise<void> => {
    const room = c.ids.roomOf(r.params[0] ?? '');
    if (room === null) return r.ex.fail(notFound('Unknown room (room aliases are not served here)'));
    if (c.membership.isMember(room, r.session.userId)) return r.ex.json({ room_id: c.ids.room(room) });
    const out = await act(c, { k: 'room-join', room, user: r.session.userId });
    return out.ok ? r.ex.json({ room_id: c.ids.room(room) }) : r.ex.fail(refused(out));
  };
  router.authed('POST', client('rooms/:room/join'), join);
  router.authed('POST', client('join/:room'), join);

  router.authed('POST', client('rooms/:room/leave'), async (r) => {
    const room = c.ids.roomOf(r.params[0] ?? '');
    if (room === null) return r.ex.fail(forbidden('You are not a member of this room'));
    const out = await act(c, { k: 'room-leave', room, user: r.session.userId });
    return out.ok ? r.ex.json({}) : r.ex.fail(refused(out));
  });

  // Roost keeps no per-user room list to forget from: a left room is already gone from the user's sync.
  router.authed('POST', client('rooms/:room/forget'), (r) => {
    const room = c.ids.roomOf(r.params[0] ?? '');
    if (room !== null && c.membership.isMember(room, r.session.userId)) return r.ex.fail(matrixBad('You must leave the room before forgetting it'));
    r.ex.json({});
  });

  router.authed('POST', client('rooms/:room/kick'), async (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const userId = obj(r.body).user_id;
    if (typeof userId !== 'string') return r.ex.fail(badJson('user_id must be a string'));
    const target = roostUser(c, userId);
    if (target === undefined) return r.ex.fail(notFound('Unknown user'));
    const out = await act(c, { k: 'room-remove', room, user: r.session.userId, target });
    return out.ok ? r.ex.json({}) : r.ex.fail(refused(out));
  });

  router.authed('GET', client('joined_rooms'), (r) => r.ex.json({ joined_rooms: [...c.membership.roomsOf(r.session.userId)].map((id) => c.ids.room(id)) }));

  const state = (room: number): ClientEvent[] => {
    const info = c.store.room(room);
    return info === undefined ? [] : roomState(info, c.roomReads.memberList(room), c.ids, names(), c.now());
  };

  router.authed('GET', client('rooms/:room/members'), (r) => {
    const room = memberRoom(c, r);
    if (room !== undefined) r.ex.json({ chunk: state(room).filter((e) => e.type === 'm.room.member') });
  });

  router.authed('GET', client('rooms/:room/joined_members'), (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const n = names();
    const joined: Record<string, unknown> = {};
    for (const m of c.roomReads.memberList(room).members) joined[n.userId(m.user)] = { display_name: n.displayName(m.user) };
    r.ex.json({ joined });
  });

  router.authed('GET', client('rooms/:room/state'), (r) => {
    const room = memberRoom(c, r);
    if (room !== undefined) r.ex.json(state(room));
  });

  const oneState = (r: AuthedRequest): void => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const type = r.params[1] ?? '';
    const key = r.params[2] ?? '';
    const found = state(room).find((e) => e.type === type && e.state_key === key);
    if (found === undefined) return r.ex.fail(notFound('Event not found'));
    r.ex.json(r.query.get('format') === 'event' ? found : found.content);
  };
  router.authed('GET', client('rooms/:room/state/:type'), oneState);
  router.authed('GET', client('rooms/:room/state/:type/:key'), oneState);

  const putState = async (r: AuthedRequest): Promise<void> => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const type = r.params[1] ?? '';
    const key = r.params[2] ?? '';
    const b = obj(r.body);
    const me = r.session.userId;
    const done = (out: RoomOutcome): void => (out.ok ? r.ex.json({ event_id: c.ids.state(room, type, key) }) : r.ex.fail(refused(out)));
    // A new name or topic is checked as the native update_room it stands for (the raw lengths).
    const update = async (text: { name: string } | { topic: string }): Promise<void> => {
      const bad = frameRefusal(c.limits, { type: 'update_room', room: String(room), ...text });
      return bad !== undefined ? r.ex.fail(bad) : done(await act(c, { k: 'room-update', room, user: me, ...text }));
    };
    if (type === 'm.room.encryption') return r.ex.fail(noEncryption());
    // Every room state Roost keeps is the room's one event of its type: another key would be another event, which it does not keep.
    if (key !== '') return r.ex.fail(forbidden(`${type} with state key ${JSON.stringify(key.slice(0, 64))} is not kept by this server`));
    switch (type) {
      case 'm.room.name':
        if (typeof b.name !== 'string') return r.ex.fail(badJson('name must be a string'));
        return update({ name: b.name });
      case 'm.room.topic':
        if (typeof b.topic !== 'string') return r.ex.fail(badJson('topic must be a string'));
        return update({ topic: b.topic });
      case 'm.room.join_rules':
        if (b.join_rule !== 'invite' && b.join_rule !== 'public') return r.ex.fail(invalidParam('join_rule must be "invite" or "public" on this server'));
        return done(await act(c, { k: 'room-update', room, user: me, joinRule: b.join_rule }));
      case 'm.room.history_visibility': {
        const h = b.history_visibility === 'joined' ? 'joined' : b.history_visibility === 'shared' ? 'shared' : null;
        if (h === null) return r.ex.fail(invalidParam('history_visibility must be "shared" or "joined" on this server'));
        return done(await act(c, { k: 'room-update', room, user: me, history: h }));
      }
      case 'm.room.avatar': {
        // The url is the mxc of an image the setter uploaded; none removes the picture.
        const avatar = pictureOf(c.ids, b.url);
        if (avatar === undefined) return r.ex.fail(badJson('url is the mxc:// url of an image uploaded to this server'));
        return done(await act(c, { k: 'room-update', room, user: me, avatar }));
      }
      case 'm.room.power_levels': {
        // Levels map to roles (100 owner, 50 moderator, else member); a user the body leaves out is a member, as in Matrix.
        const wanted = b.users;
        if (typeof wanted !== 'object' || wanted === null || Array.isArray(wanted)) return r.ex.fail(badJson('users must be an object of user ids to power levels'));
        const levels = wanted as Record<string, unknown>;
        if (Object.values(levels).some((v) => !Number.isInteger(v))) return r.ex.fail(badJson('power levels must be integers'));
        const people = c.roomReads.memberList(room);
        const current = powerUsers(people, names());
        const changes = people.members.flatMap((m) => {
          const id = names().userId(m.user);
          const level = (levels[id] as number | undefined) ?? 0;
          return (current[id] ?? 0) === level || roleOfPower(level) === m.role ? [] : [{ target: Number(m.user), role: roleOfPower(level), level }];
        });
        // One write for the whole event: a change the sender may not make refuses the others too.
        // Raises go first, so an owner may name the next owner and step down in one event.
        changes.sort((x, y) => y.level - x.level);
        // Sent even with no change: the writer still asks whether the sender may set roles at all.
        return done(await act(c, { k: 'room-role', room, user: me, changes: changes.map(({ target, role }) => ({ target, role })) }));
      }
      default:
        return r.ex.fail(forbidden(`${type} is not kept by this server`));
    }
  };
  router.authed('PUT', client('rooms/:room/state/:type'), putState);
  router.authed('PUT', client('rooms/:room/state/:type/:key'), putState);

  /** One timeline row as its member may see it (history visibility respected), or undefined. */
  const rowAt = (user: number, room: number, seq: number): WireMessage | undefined => {
    const page = c.chat.historyPage(user, String(room), seq + 1, 1);
    return page.ok ? page.messages.find((m) => m.seq === seq) : undefined;
  };
  const render = (): EventRenderer => new EventRenderer(c.ids, names());
  const powersOf = (room: number) => () => powerUsers(c.roomReads.memberList(room), names());

  router.authed('GET', client('rooms/:room/event/:event'), (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const ref = c.ids.event(r.params[1] ?? '');
    if (ref === null || ref.room !== room) return r.ex.fail(notFound('Event not found'));
    if (ref.kind === 'row') {
      const m = rowAt(r.session.userId, room, ref.seq);
      return m === undefined ? r.ex.fail(notFound('Event not found')) : r.ex.json(render().row(m, powersOf(room), c.store.room(room)));
    }
    if (ref.kind === 'change') {
      const ch = c.store.change(room, ref.cseq);
      const ev = ch === undefined || ch.seq < c.membership.firstSeq(room, r.session.userId) ? undefined
        : render().change(ch, ch.kind === 'unreact' ? c.store.reactionUndone(room, ch.seq, ch.user, ch.body ?? '', ch.cseq) : undefined);
      return ev === undefined ? r.ex.fail(notFound('Event not found')) : r.ex.json(ev);
    }
    const found = state(room).find((e) => e.type === ref.type && e.state_key === ref.key);
    return found === undefined ? r.ex.fail(notFound('Event not found')) : r.ex.json(found);
  });

  router.authed('GET', client('rooms/:room/messages'), (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const user = r.session.userId;
    const q = r.query;
    const dir = q.get('dir') ?? 'b';
    if (dir !== 'b' && dir !== 'f') return r.ex.fail(invalidParam('dir must be "b" or "f"'));
    const limit = limitOf(q.get('limit'), 10, c.maxEvents);
    const fromText = q.get('from');
    const from = fromText === null ? null : decodeRoomToken(fromText);
    if (fromText !== null && from === null) return r.ex.fail(invalidParam('from is not a token this server gave'));
    const toText = q.get('to');
    const to = toText === null ? null : decodeRoomToken(toText);
    if (toText !== null && to === null) return r.ex.fail(invalidParam('to is not a token this server gave'));
    let filter: Record<string, unknown> = {};
    try {
      filter = obj(JSON.parse(q.get('filter') ?? '{}') as unknown);
    } catch {
      return r.ex.fail(invalidParam('filter must be JSON'));
    }
    const lazy = readFilter({ room: { state: filter } }, c.maxEvents).lazyMembers || filter.lazy_load_members === true;
    let messages: WireMessage[];
    let end: string | undefined;
    if (dir === 'b') {
      // `from` is "before this seq"; absent: from the newest.
      const page = c.chat.historyPage(user, String(room), from ?? undefined, limit);
      if (!page.ok) return r.ex.fail(fromRoost(page));
      messages = page.messages.filter((m) => to === null || m.seq >= to).reverse();
      const oldest = page.messages[0]?.seq;
      if (page.more && oldest !== undefined && (to === null || oldest > to)) end = encodeRoomToken(oldest);
    } else {
      // Forward: rows from `from` on, read as a page below the row after the last one wanted.
      const start = from ?? 1;
      const page = c.chat.historyPage(user, String(room), start + limit, limit);
      if (!page.ok) return r.ex.fail(fromRoost(page));
      messages = page.messages.filter((m) => m.seq >= start && (to === null || m.seq < to));
      const last = messages[messages.length - 1]?.seq;
      if (last !== undefined && messages.length === limit) end = encodeRoomToken(last + 1);
    }
    const rr = render();
    const info = c.store.room(room);
    const chunk = messages.map((m) => rr.row(m, powersOf(room), info));
    const senders = new Set(messages.map((m) => m.from));
    const stateEvents = lazy && info !== undefined
      ? roomState(info, c.roomReads.memberList(room), c.ids, names(), c.now(), senders).filter((e) => e.type === 'm.room.member') : [];
    r.ex.json({ start: fromText ?? encodeRoomToken((info?.lastSeq ?? 0) + 1), chunk, state: stateEvents, ...(end === undefined ? {} : { end }) });
  });

  router.authed('GET', client('rooms/:room/context/:event'), (r) => {
    const room = memberRoom(c, r);
    if (room === undefined) return;
    const ref = c.ids.event(r.params[1] ?? '');
    if (ref === null || ref.kind !== 'row' || ref.room !== room) return r.ex.fail(notFound('Event not found'));
    const user = r.session.userId;
    const m = rowAt(user, room, ref.seq);
    if (m === undefined) return r.ex.fail(notFound('Event not found'));
    const limit = limitOf(r.query.get('limit'), 10, c.maxEvents);
    const half = Math.max(1, Math.ceil(limit / 2));
    const before = c.chat.historyPage(user, String(room), ref.seq, half);
    const after = c.chat.historyPage(user, String(room), ref.seq + half + 1, half);
    const rr = render();
    const info = c.store.room(room);
    const p = powersOf(room);
    const eb = before.ok ? before.messages : [];
    const ea = after.ok ? after.messages.filter((x) => x.seq > ref.seq) : [];
    r.ex.json({
      event: rr.row(m, p, info),
      events_before: eb.map((x) => rr.row(x, p, info)).reverse(),
      events_after: ea.map((x) => rr.row(x, p, info)),
      start: encodeRoomToken(eb[0]?.seq ?? ref.seq),
      end: encodeRoomToken((ea[ea.length - 1]?.seq ?? ref.seq) + 1),
      state: state(room),
    });
  });
}

function matrixBad(why: string): MatrixError {
  return { status: 400, errcode: 'M_UNKNOWN', error: why };
}

/** Roost's public rooms, and its people: the directories a client browses. */
export function mountDirectoryEndpoints(router: MatrixRouter, c: MatrixContext): void {
  const publicRooms = (r: AuthedRequest): void => {
    const limit = limitOf(r.query.get('limit') ?? obj(r.body).limit, 100, 500);
    const chunk = c.roomReads.directory(limit).map((d) => ({
      room_id: c.ids.room(Number(d.room)), name: d.name, topic: d.topic, num_joined_members: d.members,
      world_readable: false, guest_can_join: false, join_rule: 'public',
    }));
    r.ex.json({ chunk, total_room_count_estimate: chunk.length });
  };
  router.authed('GET', client('publicRooms'), publicRooms);
  router.authed('POST', client('publicRooms'), publicRooms, { rated: false });
  router.authed('POST', client('user_directory/search'), (r) => {
    const b = obj(r.body);
    if (typeof b.search_term !== 'string') return r.ex.fail(badJson('search_term must be a string'));
    const limit = limitOf(b.limit, 10, 50);
    const found = c.store.usersLike(b.search_term, limit + 1);
    r.ex.json({
      limited: found.length > limit,
      results: found.slice(0, limit).map((u) => ({ user_id: c.ids.user(u.name), display_name: u.displayName !== '' ? u.displayName : u.name })),
    });
  }, { rated: false });
}
