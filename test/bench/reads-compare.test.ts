import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defaultOptions, runBench } from '../../bench/run.js';
import { phaseModes } from '../../bench/scenarios/reads-compare.js';
import { childPids, quiet } from './helpers.js';

t.test('phases alternate off, on, on, off, …: each pair mirrors the one before, so a drifting box weighs on both modes alike', async (t) => {
  const word = (modes: boolean[]): string => modes.map((on) => (on ? 'on' : 'off')).join(' ');
  t.equal(word(phaseModes(2)), 'off on');
  t.equal(word(phaseModes(4)), 'off on on off');
  t.equal(word(phaseModes(8)), 'off on on off off on on off');
  t.equal(word(phaseModes(5)), 'off on on off off', 'an odd count ends on the mode the pattern gives');
});

t.test('chat --reads-compare: both modes on one server and one set of connections, each mode\'s CPU and p99 and their ratio', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'roost-bench-compare-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const o = {
    ...defaultOptions(), scenario: 'chat' as const, connections: 100, rate: 500, roomSize: 10, senders: 10, msgRate: 50, seconds: 2,
    settleSeconds: 1, logins: 0, workers: 1, readsCompare: 2, noFiles: true, tmpDir: parent,
  };
  const { result } = await runBench(o, quiet);
  const f = result.figures;
  t.equal(f['reads'], 'off and on, alternately');
  t.match(String(f['reads compare: phases (reads, server CPU %, send→delivery p99 ms)']), /^off [\d.]+ % [\d.]+; on [\d.]+ % [\d.]+$/, 'one entry per phase, in order');
  t.ok(Number(f['read frames sent']) > 0, 'the reads-on phase sent reads');
  t.ok(Number(f['receipt frames received']) > 0, 'and the room heard of them');
  t.equal(typeof f['reads compare: server CPU on ÷ off'], 'number', 'the CPU ratio is measured');
  t.equal(typeof f['reads compare: send→delivery p99 on ÷ off'], 'number', 'and the p99 ratio');
  t.ok(Number(f['acked (durable)']) > 0, 'messages were acked');
  t.equal(f['messages stored (scratch database)'], f['acked (durable)'], 'the acks of both phases are counted: the database holds exactly them');
  t.equal(f['lost'], 0, 'every message delivered in both phases');
  t.same(childPids(), [], 'load generators and the server have exited');
});
