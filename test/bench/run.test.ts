import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ARM64_EMULATED } from '../../bench/lib/projection.js';
import { defaultOptions, runBench } from '../../bench/run.js';
import { childPids, quiet } from './helpers.js';

t.test('hold: RSS idle and after logins, every connection established and kept through the hold, nothing left behind', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'roost-bench-test-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const o = { ...defaultOptions(), scenario: 'hold' as const, connections: 150, rate: 500, holdSeconds: 3, settleSeconds: 1, logins: 20, workers: 2, noFiles: true, tmpDir: parent };
  const { result, files } = await runBench(o, quiet);
  t.equal(files, null);
  t.match(result.rss, { logins: 20, loginsFailed: 0, loginUsers: 10 }, 'the memory check before the load logs in over HTTP');
  t.ok((result.rss?.idleBytes ?? 0) > 0 && (result.rss?.afterLoginsBytes ?? 0) > 0, 'and reads the server\'s RSS before and after');
  t.equal(result.figures['established'], 150);
  t.equal(result.figures['survived the hold'], 150);
  t.equal(result.figures['dropped during hold'], 0);
  t.equal(result.figures['WebSockets open at the server (its gauge)'], 150, 'the server counts them as its sockets too');
  t.equal(result.ceiling.rule, 'none');
  t.ok(result.steps.length >= 5, 'idle, four ramp stages and the hold');
  t.ok(result.steps.every((s) => s.rssBytes !== null && s.rssBytes > 0), 'server RSS comes from /proc at every step');
  t.ok(result.memory !== null, 'bytes per connection are fitted');
  t.equal(typeof result.memory?.heapBytesPerConn, 'number', 'and the V8 heap\'s share of them, from the server\'s gauge');
  if (process.arch === 'x64') {
    t.ok(result.notes.some((n) => n.startsWith('arm64') && n.includes(`${ARM64_EMULATED.userBytesPerConn} user bytes per connection`)),
      'off ARM, the report also states the arm64 figures measured under emulation');
  }
  t.same(childPids(), [], 'load generators and the server have exited');
  t.same(readdirSync(parent), [], 'the scratch data folder is removed');
});

t.test('hold with sync: the same ramp and fit, each connection a Matrix client holding /sync instead of a WebSocket', async (t) => {
  const o = { ...defaultOptions(), scenario: 'hold' as const, holdSync: true, connections: 60, rate: 300, roomSize: 10, holdSeconds: 1, settleSeconds: 1, logins: 0, workers: 1, noFiles: true };
  const { result } = await runBench(o, quiet);
  t.equal(result.figures['held as'], 'Matrix /sync long-polls');
  t.equal(result.parameters['held'], '/sync', 'the result file says what was held');
  t.equal(result.figures['established'], 60, 'every initial sync answered');
  t.equal(result.figures['survived the hold'], 60);
  t.equal(result.figures['sync errors'], 0);
  t.equal(result.figures['WebSockets open at the server (its gauge)'], 0, 'no client opened a WebSocket');
  t.ok(result.memory !== null, 'bytes per held /sync are fitted as a WebSocket\'s are');
  t.equal(result.ceiling.rule, 'none', result.ceiling.detail);
  t.same(childPids(), [], 'load generators and the server have exited');
});
