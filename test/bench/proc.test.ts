import t from 'tap';
import { fdAdvice, parseFdLimit } from '../../bench/lib/fd-limit.js';
import { parseGauge } from '../../bench/lib/metrics-scrape.js';
import { cpuMicrosPer, cpuPercent, mainThreadCpu, parseSlabinfo, parseSockstat, parseStatCpuSeconds, parseStatusRss, sampleProc } from '../../bench/lib/proc-sampler.js';

t.test('the open-file limit is read from /proc/<pid>/limits', async (t) => {
  const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n';
  t.same(parseFdLimit(text), { soft: 1024, hard: 20000 });
  t.equal(parseFdLimit('Max open files            unlimited            unlimited            files')?.hard, Number.MAX_SAFE_INTEGER);
  t.equal(parseFdLimit('nothing here'), null);
  t.match(fdAdvice(50_000, 20_000), /ulimit -n 51000/);
  t.match(fdAdvice(50_000, 20_000), /LimitNOFILE=51000/);
});

t.test('RSS, CPU time, socket memory and slabs parse from their /proc texts', async (t) => {
  t.equal(parseStatusRss('Name:\tnode\nVmRSS:\t  123456 kB\nVmData: 1 kB\n'), 123456 * 1024);
  // The command name may hold spaces and parentheses; fields count from after the last ')'.
  const stat = '4242 (node (main) x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 11 0 1 2 3';
  t.equal(parseStatCpuSeconds(stat), 3);
  t.same(parseSockstat('sockets: used 5\nTCP: inuse 7 orphan 0 tw 1 alloc 9 mem 12\n'), { inUse: 7, memBytes: 12 * 4096 });
  const slab = 'TCP                   65     65   2368   13    8 : tunables 0 0 0\nfilp 10 20 192 21 1 : x\nkmalloc-64 1000 1000 64 64 1 : x\n';
  t.equal(parseSlabinfo(slab), 65 * 2368 + 10 * 192, 'only the caches a socket allocates from count');
  t.equal(parseSlabinfo('kmalloc-64 1 1 64 64 1'), null);
});

t.test('CPU percent is CPU seconds over wall seconds', async (t) => {
  const a = { at: 0, rssBytes: null, cpuSeconds: 10, mainThreadCpuSeconds: null, fds: null, runQueueWaitSeconds: null, tcpInUse: null, tcpMemBytes: null, socketSlabBytes: null };
  t.equal(cpuPercent(a, { ...a, at: 2000, cpuSeconds: 13 }), 150);
  t.equal(cpuPercent(a, { ...a, at: 0 }), null);
});

t.test('CPU µs per unit of work is the clock’s seconds over the count, to 0.1 µs; unknown without both readings or any work', async (t) => {
  t.equal(cpuMicrosPer(10, 10.5, 20_000), 25);
  t.equal(cpuMicrosPer(1, 1.00123456, 100), 12.3);
  t.equal(cpuMicrosPer(null, 2, 10), null);
  t.equal(cpuMicrosPer(1, null, 10), null);
  t.equal(cpuMicrosPer(1, 2, 0), null);
});

t.test('this process can be sampled', async (t) => {
  const s = sampleProc(process.pid);
  t.ok((s.rssBytes ?? 0) > 1_000_000);
  t.ok((s.fds ?? 0) > 0);
  // Bounded by count, not time: a busy loop on this (main) thread moves its own CPU clock.
  const before = mainThreadCpu(process.pid) ?? Number.NaN;
  let spin = 0;
  for (let i = 0; i < 20_000_000; i++) spin += i % 7;
  const after = mainThreadCpu(process.pid) ?? Number.NaN;
  t.ok(spin > 0 && after > before, 'the main thread\'s CPU time grows while it computes');
});

t.test('the event-loop lag gauge is read from Prometheus text', async (t) => {
  const text = '# HELP roost_event_loop_lag_p99_seconds x\n# TYPE roost_event_loop_lag_p99_seconds gauge\nroost_event_loop_lag_p99_seconds 0.0123\nroost_connections 17\n';
  t.equal(parseGauge(text, 'roost_event_loop_lag_p99_seconds'), 0.0123);
  t.equal(parseGauge(text, 'roost_connections'), 17);
  t.equal(parseGauge(text, 'missing'), null);
});
