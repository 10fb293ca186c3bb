import t from 'tap';
import { IDLE_CPU_SHARE, MIN_R2, SERVER_FD_RESERVE, capConnections, cpuConnections, cpuCostPerConnection, reliable, unitFdLimit } from '../../bench/lib/projection-caps.js';

const none = { fdLimit: null, maxConnections: null, cpuSecondsPerConnection: null };

t.test('with no other limit known, the memory figure stands', async (t) => {
  t.same(capConnections(996_426, none, null), { connections: 996_426, limitedBy: 'memory' });
});

t.test('a projection above the unit\'s open-file limit is capped by it, less the server\'s own descriptors', async (t) => {
  t.same(capConnections(996_426, { ...none, fdLimit: 262_144 }, null), { connections: 262_144 - SERVER_FD_RESERVE, limitedBy: 'LimitNOFILE' });
});

t.test('maxConnections caps below the fd limit; the smallest limit names the row', async (t) => {
  t.same(capConnections(996_426, { ...none, fdLimit: 262_144, maxConnections: 50_000 }, null), { connections: 50_000, limitedBy: 'maxConnections' });
  t.same(capConnections(996_426, { ...none, fdLimit: 262_144, maxConnections: 50_000 }, 12_000), { connections: 12_000, limitedBy: 'CPU' });
  t.same(capConnections(9_000, { ...none, fdLimit: 262_144, maxConnections: 50_000 }, 12_000), { connections: 9_000, limitedBy: 'memory' }, 'memory when it is the smallest');
  t.same(capConnections(50_000, { ...none, maxConnections: 50_000 }, null), { connections: 50_000, limitedBy: 'memory' }, 'a tie stays memory');
});

t.test('the CPU cap: cores × speed factor × the idle share ÷ CPU seconds per connection', async (t) => {
  // 0.002 % of a core per connection = 2e-5 CPU s/s; a Pi 4 (4 cores at 0.3) gives 4 × 0.3 × 0.5 / 2e-5.
  const cost = cpuCostPerConnection({ slope: 0.002, r2: 0.99 });
  t.equal(cost, 0.00002);
  t.equal(cpuConnections(4, 0.3, cost), Math.floor((4 * 0.3 * IDLE_CPU_SHARE) / 0.00002));
  t.equal(cpuConnections(4, 0.3, null), null, 'no cost measured: no cap');
});

t.test('a fit with r² below 0.95 is unreliable and is not used', async (t) => {
  t.equal(MIN_R2, 0.95);
  t.equal(reliable({ r2: 0.949 }), false);
  t.equal(reliable({ r2: 0.95 }), true);
  t.equal(reliable(null), false);
  t.equal(reliable({ r2: Number.NaN }), false);
  t.equal(cpuCostPerConnection({ slope: 0.002, r2: 0.5 }), null, 'an unreliable CPU fit gives no cap');
  t.equal(cpuCostPerConnection({ slope: -0.001, r2: 0.99 }), null, 'a falling line is no cost');
});

t.test('LimitNOFILE is read from the unit text; the last line wins, soft:hard takes the hard limit', async (t) => {
  t.equal(unitFdLimit('[Service]\nLimitNOFILE=262144\n'), 262_144);
  t.equal(unitFdLimit('LimitNOFILE=1024\nLimitNOFILE=4096:65536\n'), 65_536);
  t.equal(unitFdLimit('LimitNOFILE=infinity\n'), null);
  t.equal(unitFdLimit('[Service]\nUser=roost\n'), null);
});
