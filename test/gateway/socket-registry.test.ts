import t from 'tap';
import type { WebSocket } from '@based/uws';
import { SocketRegistry } from '../../src/gateway/socket-registry.js';
import { SocketState, tokenKey, type SocketData } from '../../src/gateway/socket-state.js';

/** A stand-in for a uWS socket: records what was sent and how it ended. */
function fakeSocket(log: string[], name: string): WebSocket<SocketData> {
  const ws = {
    send: (frame: string) => log.push(`${name} got ${frame}`),
    end: (code: number) => log.push(`${name} end ${code}`),
  };
  return ws as unknown as WebSocket<SocketData>;
}

function open(registry: SocketRegistry, log: string[], name: string, user: number, key: number, ip: string): SocketState {
  const s = new SocketState(user, key, registry.internIp(ip), { maxBackpressureBytes: 1024 });
  s.ws = fakeSocket(log, name);
  registry.add(s);
  return s;
}

t.test('one socket per user is held without a Set; a second and a third are counted, and removal goes back down', async (t) => {
  const r = new SocketRegistry();
  const log: string[] = [];
  const a1 = open(r, log, 'a1', 1, 11, '10.0.0.1');
  t.equal(r.countForUser(1), 1);
  const a2 = open(r, log, 'a2', 1, 12, '10.0.0.2');
  const a3 = open(r, log, 'a3', 1, 12, '10.0.0.2');
  r.add(a3);
  t.equal(r.countForUser(1), 3, 'adding the same socket twice counts it once');
  t.equal(r.size, 3);
  t.equal(r.countForIp('10.0.0.2'), 2);
  r.remove(a2);
  r.remove(a2);
  t.equal(r.countForUser(1), 2, 'removing twice removes once');
  t.equal(r.countForIp('10.0.0.2'), 1);
  r.remove(a1);
  t.same([...r.socketsOf(1)], [a3], 'back to one socket');
  r.remove(a3);
  t.equal(r.countForUser(1), 0);
  t.equal(r.users, 0);
  t.equal(r.size, 0);
  t.equal(r.countForIp('10.0.0.2'), 0);
});

t.test('sockets from one address share one address string', async (t) => {
  const r = new SocketRegistry();
  const log: string[] = [];
  const first = open(r, log, 'a', 1, 1, ['10', '0', '0', '7'].join('.'));
  const second = open(r, log, 'b', 2, 2, ['10', '0', '0', '7'].join('.'));
  t.equal(second.ip, first.ip);
  t.equal(r.internIp('10.0.0.8'), '10.0.0.8', 'an address with no socket is its own string');
});

t.test('sendToUser reaches every socket of that user and no one else', async (t) => {
  const r = new SocketRegistry();
  const log: string[] = [];
  open(r, log, 'a1', 1, 1, '10.0.0.1');
  open(r, log, 'b1', 2, 2, '10.0.0.1');
  r.sendToUser(2, 'x');
  t.same(log, ['b1 got x']);
  open(r, log, 'b2', 2, 3, '10.0.0.1');
  r.sendToUser(2, 'y');
  r.sendToUser(3, 'nobody');
  t.same(log, ['b1 got x', 'b1 got y', 'b2 got y']);
});

t.test('closeUser with a token key closes only the sockets opened with that token', async (t) => {
  const r = new SocketRegistry();
  const log: string[] = [];
  const phone = 'a'.repeat(64);
  const laptop = `${'a'.repeat(6)}b${'a'.repeat(57)}`;
  t.not(tokenKey(phone), tokenKey(laptop), 'the key keeps 28 bits: hashes differing in the 7th hex digit differ');
  t.ok(Number.isInteger(tokenKey('f'.repeat(64))) && tokenKey('f'.repeat(64)) < 2 ** 30, 'the key is a small integer (no heap number per socket)');
  open(r, log, 'phone', 1, tokenKey(phone), '10.0.0.1');
  open(r, log, 'laptop', 1, tokenKey(laptop), '10.0.0.1');
  t.equal(r.closeUser(1, 1008, 'token revoked', tokenKey(phone)), 1);
  t.same(log, ['phone end 1008']);
  t.equal(r.closeUser(1, 1008, 'user disabled'), 2, 'without a key: every socket of the user');
});
