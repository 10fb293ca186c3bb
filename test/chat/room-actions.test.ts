import t from 'tap';
import { Membership } from '../../src/chat/membership.js';
import type { Fanout, Peer } from '../../src/chat/ports.js';
import { RoomActions, type RoomReads } from '../../src/chat/room-actions.js';
import type { RoomActionFrame } from '../../src/protocol/frames.js';
import type { RoomDone } from '../../src/store/write/write-ops.js';
import { FakeWriter } from './wiring.js';

const ALICE = 1;
const BOB = 2;
const ROOM = 10;

/** Every observable step in one list, so tests can assert the order of cache, subscription, reply and fan-out. */
function setup(): { rooms: RoomActions; writer: FakeWriter; membership: Membership; log: string[]; peer: Peer & { sent: Array<Record<string, unknown>> } } {
  const log: string[] = [];
  const membership = Membership.from([{ room_id: ROOM, user_id: ALICE, role: 'owner', joined_seq: 0, history: 'shared' }]);
  const writer = new FakeWriter();
  const fanout: Fanout = {
    publish: (topic, frame) => log.push(`publish ${topic} ${(JSON.parse(frame) as { type: string }).type}`),
    toUser: (user, frame) => log.push(`to ${user} ${(JSON.parse(frame) as { type: string; event?: unknown }).type}`),
  };
  const reads: RoomReads = {
    memberList: () => ({ members: [{ user: '1', role: 'owner' }], invited: [] }),
    joinedMembers: () => [{ user: '1', role: 'owner' }],
    invitedTo: () => [],
    directory: () => [], invitesOf: () => [], people: () => [], membershipOf: () => undefined,
  };
  const rooms = new RoomActions({
    writer, fanout, membership, reads,
    subscriptions: { subscribe: (u, r) => log.push(`subscribe ${u} ${r}`), unsubscribe: (u, r) => log.push(`unsubscribe ${u} ${r}`) },
  });
  const sent: Array<Record<string, unknown>> = [];
  const peer = {
    userId: BOB, sent,
    send: (frame: string) => {
      const f = JSON.parse(frame) as Record<string, unknown>;
      sent.push(f);
      log.push(`reply ${String(f.type)} (bob in room: ${membership.isMember(ROOM, BOB)})`);
    },
    publishOthers: () => undefined,
  };
  return { rooms, writer, membership, log, peer };
}

const done = (part: Partial<RoomDone>): RoomDone => ({
  ok: true, room: ROOM, frames: [], joined: [], left: [], invited: [], roles: [], history: 'shared', updated: false, created: false, ...part,
});
const entry = JSON.stringify({ type: 'message', room: String(ROOM), seq: 2, body: '', event: { kind: 'joined' } });

t.test('a join updates the cache and subscribes before ok, then publishes the entry', async (t) => {
  const { rooms, writer, membership, log, peer } = setup();
  rooms.handle(peer, { type: 'join', room: String(ROOM), id: 'j' });
  t.same(writer.ops, [{ k: 'room-join', room: ROOM, user: BOB }]);
  writer.complete(done({ frames: [entry], joined: [{ user: BOB, role: 'member', joinedSeq: 1 }], history: 'joined' }));
  t.same(log, [`subscribe ${BOB} ${ROOM}`, 'reply ok (bob in room: true)', `publish room:${ROOM} message`, `to ${BOB} room`]);
  t.equal(membership.firstSeq(ROOM, BOB), 2, 'history: joined starts after the join');
  t.match(peer.sent[0], { type: 'ok', id: 'j', room: String(ROOM) });
});

t.test('a removal drops the cache and the subscription, and the removed user still gets the entry directly', async (t) => {
  const { rooms, writer, membership, log, peer } = setup();
  membership.add(ROOM, BOB);
  rooms.handle(peer, { type: 'leave', room: String(ROOM) });
  writer.complete(done({ frames: [entry], left: [BOB] }));
  t.notOk(membership.isMember(ROOM, BOB));
  t.same(log, [`unsubscribe ${BOB} ${ROOM}`, 'reply ok (bob in room: false)', `publish room:${ROOM} message`, `to ${BOB} message`, `publish room:${ROOM} room`, `to ${BOB} room`]);
});

t.test('a throw while applying a durable change still answers the caller and tells the room, then reaches the writer', async (t) => {
  const { writer, log, peer } = setup();
  const broken = new RoomActions({
    writer, membership: Membership.from([]), reads: { memberList: () => ({ members: [], invited: [] }), joinedMembers: () => [], invitedTo: () => [], directory: () => [], invitesOf: () => [], people: () => [], membershipOf: () => undefined },
    fanout: { publish: (topic) => log.push(`publish ${topic}`), toUser: (user) => log.push(`to ${user}`) },
    subscriptions: { subscribe: () => { throw new Error('socket gone'); }, unsubscribe: () => undefined },
  });
  broken.handle(peer, { type: 'join', room: String(ROOM), id: 'j' });
  t.throws(() => writer.complete(done({ frames: [entry], joined: [{ user: BOB, role: 'member', joinedSeq: 1 }] })), /socket gone/, 'the writer hears of the throw (and logs it)');
  t.match(peer.sent, [{ type: 'ok', id: 'j' }], 'the caller has its answer');
  t.ok(log.includes(`publish room:${ROOM}`), 'the room was told');
});

t.test('a caller not in the room is refused from the cache, with a reason, and nothing is written', async (t) => {
  const { rooms, writer, peer } = setup();
  const frames: RoomActionFrame[] = [
    { type: 'invite', room: String(ROOM), user: '3' }, { type: 'members', room: String(ROOM) },
    { type: 'update_room', room: String(ROOM), name: 'x' }, { type: 'remove_member', room: 'abc', user: '1' },
  ];
  for (const f of frames) rooms.handle(peer, f);
  t.equal(writer.ops.length, 0);
  t.same(peer.sent.map((f) => [f.code, f.reason]), frames.map(() => ['forbidden', 'not_member']));
});

t.test('names and topics are cleaned; a name with nothing left is refused', async (t) => {
  const { rooms, writer, peer } = setup();
  rooms.handle(peer, { type: 'create_room', name: ' \u202eGarden\u0007 ', topic: ' sun\u2066ny ' });
  t.match(writer.ops[0], { k: 'room-create', user: BOB, name: 'Garden', topic: 'sunny', invite: [], joinRule: 'invite', history: 'shared' });
  rooms.handle(peer, { type: 'create_room', name: '\u202e \u0000' });
  rooms.handle(peer, { type: 'create_room', name: 'x'.repeat(65) });
  rooms.handle(peer, { type: 'create_room', name: 'ok', topic: 't'.repeat(513) });
  t.equal(writer.ops.length, 1);
  t.same(peer.sent.map((f) => f.code), ['bad_request', 'bad_request', 'bad_request']);
});

t.test('a refusal from the writer reaches the client with its code and reason, and changes no cache', async (t) => {
  const { rooms, writer, membership, log, peer } = setup();
  rooms.handle(peer, { type: 'join', room: String(ROOM), id: 'q' });
  writer.complete({ ok: false, code: 'forbidden', reason: 'not_invited', message: 'invite-only' });
  t.match(peer.sent[0], { type: 'error', id: 'q', code: 'forbidden', reason: 'not_invited' });
  t.notOk(membership.isMember(ROOM, BOB));
  t.same(log, ['reply error (bob in room: false)']);
});
