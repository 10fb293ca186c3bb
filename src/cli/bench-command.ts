import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UsageError, out } from './io.js';

interface BenchFlags {
  scenario: string; connections: string; rate: string; hold: string; settle: string; roomSize: string; senders: string; msgRate: string;
  seconds: string; warmup: string; bodyBytes: string; workers?: string; step: string; stepSeconds: string; p99Limit: string; rssLimit?: string;
  lagLimit: string; logins?: string; wearRates: string; wearSeconds?: string; enduranceTb?: string; reads?: boolean; readsCompare?: string; sync?: boolean; baseline?: boolean; url?: string; data?: string; adminToken?: string; serverPid?: string; out?: string; cpuProf?: string;
}

function int(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number of at least ${min} (got ${value})`);
  return n;
}

function terabytes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--endurance-tb must be a positive number of terabytes (got ${value})`);
  return n * 1e12;
}

/** `roost bench`: the command only parses flags; the harness lives in bench/. */
export function benchCommand(program: Command): void {
  program.command('bench')
    .description('measure how many connections and messages this box holds (starts a scratch server unless --url)')
    .option('--scenario <name>', 'hold, chat, find-max, memory (the RSS budget check: idle, then after --logins logins), wear (bytes written to storage per message), or matrix (Matrix clients holding /sync while WebSocket senders talk)', 'hold')
    .option('--connections <n>', 'connections to open (find-max: the most to try)', '10000')
    .option('--rate <n>', 'new connections per second', '2000')
    .option('--hold <s>', 'hold: seconds to hold the connections', '30')
    .option('--settle <s>', 'hold, matrix: seconds to let the server settle (GC) after each ramp stage before reading RSS (chat: caps its 1.5 s quiet readings)', '10')
    .option('--room-size <k>', 'connections per room', '50')
    .option('--senders <m>', 'chat, find-max: connections that send (matrix: one per room)', '200')
    .option('--msg-rate <n>', 'chat, find-max, matrix: messages per second offered, in total', '1000')
    .option('--seconds <s>', 'chat, matrix: seconds of sending', '20')
    .option('--warmup <s>', 'matrix: seconds of the same load before the measured seconds, reported apart (the server\'s code starts cold)', '0')
    .option('--body-bytes <n>', 'message body size', '64')
    .option('--workers <n>', 'load-generator processes (default: cores − 1, at least 1; more if the fd limit needs them)')
    .option('--step <n>', 'find-max: connections added per step', '2000')
    .option('--step-seconds <s>', 'find-max: seconds of chat load per step', '5')
    .option('--p99-limit <ms>', 'find-max: stop when p99 send→delivery exceeds this', '100')
    .option('--rss-limit <size>', 'find-max: stop when server RSS exceeds this (e.g. 2G; default half the RAM)')
    .option('--lag-limit <ms>', 'find-max: stop when event-loop lag p99 exceeds this', '100')
    .option('--logins <n>', 'HTTP logins between the idle and the after-logins RSS reading (default 1000 for memory, else 100)')
    .option('--wear-rates <list>', 'wear: steady message rates to measure, msg/s, comma-separated', '1,10,100,1000')
    .option('--wear-seconds <s>', 'wear: seconds of sending at each rate (default 60 at 1 msg/s, 30 at 10, else 10)')
    .option('--endurance-tb <n>', 'wear: the card\'s endurance in TB written (default: an assumed 8 TB, stated in the result)')
    .option('--sync', 'hold: hold Matrix /sync long-polls instead of WebSockets (the same fit of bytes per connection, to compare a held poll with a socket)')
    .option('--reads', 'chat: every receiving connection sends read for what it saw, at most once a second, spread over the second (as the web client does)')
    .option('--reads-compare <phases>', 'chat: that many load periods of --seconds on one server, reads off and on alternately (off, on, on, off, …), reporting each mode\'s server CPU and delivery p99 and their ratio')
    .option('--baseline', 'also run the scenario against bare uWS and bare ws reference servers')
    .option('--url <url>', 'bench a running server (e.g. http://127.0.0.1:8080) instead of a scratch one')
    .option('--data <dir>', 'with --url: that server\'s data folder, where bench users are created and later disabled')
    .option('--admin-token <token>', 'with --url: an admin token (for /metrics when not on loopback)')
    .option('--server-pid <pid>', 'with --url: the server\'s process id, to read its RSS and CPU from /proc')
    .option('--out <dir>', 'folder for the result files (default bench/results of this checkout)')
    .option('--cpu-prof <dir>', 'the scratch servers write V8 CPU profiles of their threads into DIR when they stop (node --cpu-prof; open them in Chrome DevTools)')
    .action(async (f: BenchFlags) => {
      const { defaultOptions, runBench } = await import('../../bench/run.js');
      const { parseBytes } = await import('../../bench/lib/stop-rules.js');
      if (!['hold', 'chat', 'find-max', 'memory', 'wear', 'matrix'].includes(f.scenario)) throw new UsageError(`--scenario must be hold, chat, find-max, memory, wear or matrix (got ${f.scenario})`);
      if (f.scenario === 'matrix' && f.baseline === true) throw new UsageError('--baseline has no Matrix door to compare: the matrix scenario measures the same users\' WebSockets on a fresh server of its own');
      if (f.readsCompare !== undefined && (f.scenario !== 'chat' || f.reads === true)) throw new UsageError('--reads-compare is for the chat scenario, without --reads: it runs both modes');
      if (f.sync === true && f.scenario !== 'hold') throw new UsageError('--sync is for the hold scenario (the matrix scenario holds /sync already)');
      if (f.sync === true && f.baseline === true) throw new UsageError('--sync has no baseline: the bare servers have no Matrix door');
      if (f.url !== undefined && f.data === undefined) throw new UsageError('--url needs --data DIR: bench users are created in that server\'s data folder');
      if (f.url !== undefined && f.cpuProf !== undefined) throw new UsageError('--cpu-prof profiles the scratch server: a server started elsewhere (--url) is profiled by starting it with node --cpu-prof');
      const d = defaultOptions();
      const o = {
        ...d,
        scenario: f.scenario as 'hold' | 'chat' | 'find-max' | 'memory' | 'wear' | 'matrix',
        connections: int('connections', f.connections, 1),
        rate: int('rate', f.rate, 1),
        holdSeconds: int('hold', f.hold, 0),
        settleSeconds: int('settle', f.settle, 0),
        roomSize: int('room-size', f.roomSize, 1),
        senders: int('senders', f.senders, 0),
        msgRate: int('msg-rate', f.msgRate, 1),
        seconds: int('seconds', f.seconds, 1),
        warmupSeconds: int('warmup', f.warmup, 0),
        bodyBytes: int('body-bytes', f.bodyBytes, 16),
        workers: f.workers === undefined ? d.workers : int('workers', f.workers, 1),
        step: int('step', f.step, 1),
        stepSeconds: int('step-seconds', f.stepSeconds, 1),
        limits: {
          ...d.limits,
          p99LimitMs: int('p99-limit', f.p99Limit, 1),
          lagLimitMs: int('lag-limit', f.lagLimit, 1),
          rssLimitBytes: f.rssLimit === undefined ? d.limits.rssLimitBytes : parseBytes(f.rssLimit),
        },
        logins: f.logins === undefined ? (f.scenario === 'memory' ? 1000 : d.logins) : int('logins', f.logins, 0),
        wearRates: f.wearRates.split(',').map((r) => int('wear-rates', r.trim(), 1)),
        wearSeconds: f.wearSeconds === undefined ? null : int('wear-seconds', f.wearSeconds, 1),
        enduranceBytes: f.enduranceTb === undefined ? d.enduranceBytes : terabytes(f.enduranceTb),
        reads: f.reads === true,
        holdSync: f.sync === true,
        readsCompare: f.readsCompare === undefined ? undefined : int('reads-compare', f.readsCompare, 2),
        baseline: f.baseline === true,
        url: f.url,
        dataDir: f.data,
        adminToken: f.adminToken,
        serverPid: f.serverPid === undefined ? undefined : int('server-pid', f.serverPid, 1),
        resultsDir: f.out ?? d.resultsDir,
        ...(f.cpuProf === undefined ? {} : { serverNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${resolve(f.cpuProf)}`] }),
        command: `roost ${process.argv.slice(2).join(' ')}`,
      };
      const { result, files } = await runBench(o);
      out('');
      for (const [k, v] of Object.entries(result.figures)) out(`${k}: ${v ?? '–'}`);
      if (result.memory !== null) {
        out(`user bytes per connection: ${result.memory.userBytesPerConn} (fit over ${result.memory.points} steps, r² ${result.memory.r2.toFixed(3)})`);
        out(`kernel bytes per connection: ${result.memory.kernelBytesPerConn ?? 'not measured'}`);
        out(`of the user bytes, V8 heap per connection: ${result.memory.heapBytesPerConn ?? 'not measured'}`);
      }
      for (const b of result.baselines) out(`${b.target}: user bytes per connection ${b.memory?.userBytesPerConn ?? '–'}`);
      if (result.rss !== undefined && result.rss !== null) {
        const mib = (b: number | null): string => (b === null ? '–' : `${(b / 2 ** 20).toFixed(1)} MiB`);
        out(`server RSS: ${mib(result.rss.idleBytes)} idle, ${mib(result.rss.afterLoginsBytes)} after ${result.rss.logins} logins${result.rss.loginsFailed > 0 ? ` (${result.rss.loginsFailed} failed: ${result.rss.firstLoginError ?? ''})` : ''}`);
      }
      for (const w of result.wear ?? []) {
        out(`wear at ${w.msgsPerSecond} msg/s: ${w.bytesPerMessage === null ? '–' : Math.round(w.bytesPerMessage)} bytes written per message over ${w.acked} messages; ${w.years === null ? '–' : w.years.toFixed(1)} years to the card's endurance at that rate all day`);
      }
      out(`ceiling: ${result.ceiling.rule} — ${result.ceiling.detail}`);
      out(`load average ${result.machine.loadAverage.map((x) => x.toFixed(2)).join(' ')} → ${result.loadAverageEnd.map((x) => x.toFixed(2)).join(' ')} on ${result.machine.cores} cores`);
      if (files !== null) out(`results: ${files.json}\n         ${files.md}\n         ${files.svg}`);
    });
}
