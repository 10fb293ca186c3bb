/**
 * A load-generator process (started with child_process.fork by the harness).
 * It opens WebSocket connections, sends at a rate or with a window in flight,
 * and measures send→ack and send→delivery latency. Every timer it starts is
 * bounded by its command's duration, and it exits by itself when the harness
 * goes away or its lifetime ends.
 */
import WebSocket from 'ws';
import { fdLimitOf } from '../lib/fd-limit.js';
import { encode, newHistogram, recordMs } from '../lib/histogram.js';
import { forEachSentAt, stampedBody, wallMs } from '../lib/sent-at.js';
import { READ_INTERVAL_MS } from '../../src/web/read-throttle.js';
import { SyncClient } from './sync-client.js';
import type { ConnectCommand, FromWorker, InitCommand, LoadCommand, ToWorker, WorkerStats } from './protocol.js';

const MAX_HANDSHAKES_IN_FLIGHT = 1000;
const MAX_PENDING_SENDS = 200_000;
const TICK_MS = 2;
/** As the web client does (src/web/read-throttle.ts): one read a second covers everything seen since the last. */
const READ_EVERY_MS = READ_INTERVAL_MS;

const enum State { Idle, Connecting, Open, Failed, Closed }

/** `seenSeq`: the newest message received; `readSeq`: the newest this connection said it read. */
interface Slot { ws: WebSocket | null; sync: SyncClient | null; state: State; room: string; token: string; asSync: boolean; inFlight: number; seenSeq: number; readSeq: number }
interface Pending { at: number; slot: number }

let init: InitCommand | null = null;
let slots: Slot[] = [];
let stopping = false;
const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;

const counters = {
  established: 0, connecting: 0, failed: 0, dropped: 0, sent: 0, acked: 0, delivered: 0, pongs: 0, skipped: 0,
  readsSent: 0, receiptFrames: 0, syncsAnswered: 0, syncsEmpty: 0, syncErrors: 0, syncTimeouts: 0, syncDelivered: 0,
};
const failReasons: Record<string, number> = {};
const dropCodes: Record<string, number> = {};
const ackErrors: Record<string, number> = {};
const syncErrorReasons: Record<string, number> = {};
const ackHist = newHistogram();
const deliveryHist = newHistogram();
const syncHist = newHistogram();
const pending = new Map<string, Pending>();
let nextId = 1;
let readTimer: NodeJS.Timeout | null = null;
let load: { cmd: LoadCommand; until: number; timer: NodeJS.Timeout; budget: number; cursor: number; last: number } | null = null;

const bump = (m: Record<string, number>, key: string): void => {
  m[key] = (m[key] ?? 0) + 1;
};
const post = (msg: FromWorker): void => {
  if (process.connected) process.send?.(msg);
};

function failReason(err: Error & { code?: string }): string {
  if (err.code !== undefined) return err.code;
  if (/handshake has timed out/i.test(err.message)) return 'handshake_timeout';
  if (/closed before the connection/i.test(err.message)) return 'closed_during_handshake';
  return 'error';
}

function onFrame(index: number, text: string): void {
  if (text.startsWith('{"type":"message"')) {
    counters.delivered += 1;
    if (readTimer !== null) noteSeen(index, text);
    forEachSentAt(text, (sentAt) => recordMs(deliveryHist, wallMs() - sentAt));
    return;
  }
  if (text.startsWith('{"type":"ack"')) {
    const at = text.indexOf('"id":"');
    const id = at === -1 ? '' : text.slice(at + 6, text.indexOf('"', at + 6));
    settle(id, null);
    return;
  }
  if (text.startsWith('{"type":"receipt')) {
    counters.receiptFrames += 1;
    return;
  }
  if (text.startsWith('{"type":"pong"')) {
    counters.pongs += 1;
    return;
  }
  if (text.startsWith('{"type":"error"')) {
    let frame: { id?: string; code?: string } = {};
    try {
      frame = JSON.parse(text) as { id?: string; code?: string };
    } catch {
      // An unparseable error is still an error.
    }
    if (frame.id !== undefined && pending.has(frame.id)) settle(frame.id, frame.code ?? 'unknown');
    else bump(ackErrors, `unsolicited_${frame.code ?? 'unknown'}`);
  }
  void index;
}

function noteSeen(index: number, text: string): void {
  const slot = slots[index];
  const at = text.indexOf('"seq":');
  if (slot === undefined || at === -1) return;
  const seq = parseInt(text.slice(at + 6, at + 26), 10);
  if (Number.isSafeInteger(seq) && seq > slot.seenSeq) slot.seenSeq = seq;
}

/**
 * One timer for all connections, each reading at most once per READ_EVERY_MS. Real clients'
 * timers are not in step, so each tick serves one slice of the connections: all of them at
 * once would be a burst no real room makes.
 */
const READ_SLICES = 10;
function startReads(): void {
  if (readTimer !== null) return;
  let tick = 0;
  readTimer = setInterval(() => {
    const first = tick++ % READ_SLICES;
    for (let i = first; i < slots.length; i += READ_SLICES) {
      const s = slots[i];
      if (s === undefined || s.seenSeq <= s.readSeq || s.state !== State.Open || s.ws === null) continue;
      s.readSeq = s.seenSeq;
      counters.readsSent += 1;
      s.ws.send(`{"type":"read","room":"${s.room}","seq":${s.seenSeq}}`);
    }
  }, READ_EVERY_MS / READ_SLICES);
  readTimer.unref();
}

function stopReads(): void {
  if (readTimer === null) return;
  clearInterval(readTimer);
  readTimer = null;
}

function settle(id: string, error: string | null): void {
  const p = pending.get(id);
  if (p === undefined) return;
  pending.delete(id);
  const slot = slots[p.slot];
  if (slot !== undefined) slot.inFlight -= 1;
  if (error === null) {
    counters.acked += 1;
    recordMs(ackHist, performance.now() - p.at);
  } else {
    bump(ackErrors, error);
  }
  if (load !== null && load.cmd.mode === 'window' && slot !== undefined && Date.now() < load.until) sendOne(p.slot, load.cmd.bodyBytes);
}

function sendOne(index: number, bodyBytes: number): boolean {
  const slot = slots[index];
  if (slot === undefined || slot.state !== State.Open || slot.ws === null) return false;
  if (pending.size >= MAX_PENDING_SENDS) {
    counters.skipped += 1;
    return false;
  }
  const id = (nextId++).toString(36);
  const body = stampedBody(bodyBytes);
  pending.set(id, { at: performance.now(), slot: index });
  slot.inFlight += 1;
  counters.sent += 1;
  slot.ws.send(`{"type":"send","id":"${id}","room":"${slot.room}","clientMsgId":"${tag}-${id}","body":"${body}"}`);
  return true;
}

/** A Matrix client: established once its initial sync is answered, then long-polling until stopped. */
function openSync(cfg: InitCommand, slot: Slot, localAddress: string | undefined): void {
  slot.state = State.Connecting;
  counters.connecting += 1;
  const client = new SyncClient({ base: cfg.httpBase, token: slot.token, holdMs: cfg.syncHoldMs, connectTimeoutMs: cfg.connectTimeoutMs, ...(localAddress === undefined ? {} : { localAddress }) }, {
    established: () => {
      slot.state = State.Open;
      counters.connecting -= 1;
      counters.established += 1;
    },
    failed: (reason) => {
      slot.state = State.Failed;
      counters.connecting -= 1;
      counters.failed += 1;
      bump(failReasons, `sync_${reason}`);
    },
    answered: (text) => {
      counters.syncsAnswered += 1;
      const found = forEachSentAt(text, (sentAt) => recordMs(syncHist, wallMs() - sentAt));
      counters.syncDelivered += found;
      if (found === 0 && text.includes('"join":{}')) counters.syncsEmpty += 1;
    },
    error: (reason, timeout) => {
      counters.syncErrors += 1;
      if (timeout) counters.syncTimeouts += 1;
      bump(syncErrorReasons, reason);
    },
    dropped: (reason) => {
      slot.state = State.Closed;
      counters.established -= 1;
      counters.dropped += 1;
      bump(dropCodes, `sync_${reason}`);
    },
  });
  slot.sync = client;
  client.start();
}

function open(index: number): void {
  const cfg = init;
  const slot = slots[index];
  if (cfg === null || slot === undefined || slot.state !== State.Idle) return;
  const addrs = cfg.localAddresses;
  if (slot.asSync) return openSync(cfg, slot, addrs.length > 0 ? addrs[index % addrs.length] : undefined);
  const ws = new WebSocket(cfg.url, {
    headers: { Authorization: `Bearer ${slot.token}` },
    handshakeTimeout: cfg.connectTimeoutMs,
    perMessageDeflate: false,
    ...(addrs.length > 0 ? { localAddress: addrs[index % addrs.length] } : {}),
  });
  slot.ws = ws;
  slot.state = State.Connecting;
  counters.connecting += 1;
  const fail = (reason: string): void => {
    if (slot.state !== State.Connecting) return;
    slot.state = State.Failed;
    counters.connecting -= 1;
    counters.failed += 1;
    bump(failReasons, reason);
  };
  ws.on('unexpected-response', (req, res) => {
    fail(`http_${res.statusCode ?? 0}`);
    res.resume();
    req.destroy();
  });
  ws.on('error', (err: Error & { code?: string }) => fail(failReason(err)));
  ws.on('open', () => {
    if (slot.state !== State.Connecting) return;
    slot.state = State.Open;
    counters.connecting -= 1;
    counters.established += 1;
  });
  ws.on('message', (data: Buffer) => onFrame(index, data.toString()));
  ws.on('close', (code: number) => {
    if (slot.state === State.Connecting) fail(`closed_${code}`);
    if (slot.state !== State.Open) return;
    slot.state = State.Closed;
    counters.established -= 1;
    if (!stopping) {
      counters.dropped += 1;
      bump(dropCodes, String(code));
    }
  });
}

function connect(cmd: ConnectCommand): void {
  let next = slots.findIndex((s) => s.state === State.Idle);
  if (next === -1) return;
  const upTo = Math.min(cmd.upTo, slots.length);
  let budget = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    budget += (cmd.perSecond * (now - last)) / 1000;
    last = now;
    while (budget >= 1 && next < upTo && counters.connecting < MAX_HANDSHAKES_IN_FLIGHT && !stopping) {
      open(next);
      next += 1;
      budget -= 1;
    }
    if (next >= upTo || stopping) clearInterval(timer);
  }, 10);
}

function startLoad(cmd: LoadCommand): void {
  if (load !== null) clearInterval(load.timer);
  // Reads go on through the drain after the load (the harness stops the worker, or the next load without reads):
  // receipts keep flowing as in life.
  if (cmd.reads === true) startReads();
  else stopReads();
  const until = Date.now() + cmd.durationMs;
  if (cmd.mode === 'window') {
    for (const s of cmd.senders) for (let i = 0; i < cmd.window; i++) sendOne(s, cmd.bodyBytes);
    // The window refills itself on each ack; this timer only ends the load.
    const timer = setInterval(() => {
      if (Date.now() >= until && load !== null) {
        clearInterval(load.timer);
        load = null;
      }
    }, 50);
    load = { cmd, until, timer, budget: 0, cursor: 0, last: Date.now() };
    return;
  }
  const timer = setInterval(() => {
    const l = load;
    if (l === null) return;
    const now = Date.now();
    if (now >= l.until || cmd.senders.length === 0) {
      clearInterval(l.timer);
      load = null;
      return;
    }
    l.budget += (cmd.rate * (now - l.last)) / 1000;
    l.last = now;
    // Bounded per tick: a stalled loop does not turn into an unbounded burst.
    let n = Math.min(Math.floor(l.budget), Math.ceil(cmd.rate / 10) + 1);
    l.budget -= n;
    let tries = cmd.senders.length;
    while (n > 0 && tries > 0) {
      const s = cmd.senders[l.cursor % cmd.senders.length] ?? 0;
      l.cursor += 1;
      if (sendOne(s, cmd.bodyBytes)) {
        n -= 1;
        tries = cmd.senders.length;
      } else {
        tries -= 1;
      }
    }
    if (n > 0) counters.skipped += n;
  }, TICK_MS);
  load = { cmd, until, timer, budget: 0, cursor: 0, last: Date.now() };
}

function startPings(cfg: InitCommand): void {
  if (cfg.pingEveryMs <= 0) return;
  // One timer for all: each second, the connections whose turn it is ping once.
  const turns = Math.max(1, Math.round(cfg.pingEveryMs / 1000));
  let tick = 0;
  const timer = setInterval(() => {
    const turn = tick % turns;
    tick += 1;
    for (let i = turn; i < slots.length; i += turns) {
      const s = slots[i];
      if (s?.state === State.Open) s.ws?.send('{"type":"ping"}');
    }
  }, 1000);
  timer.unref();
}

function stats(): WorkerStats {
  const s: WorkerStats = {
    type: 'stats', ...counters, failReasons, dropCodes, ackErrors, syncErrorReasons,
    loadRunning: load !== null, ackHist: encode(ackHist), deliveryHist: encode(deliveryHist), syncHist: encode(syncHist),
  };
  ackHist.reset();
  deliveryHist.reset();
  syncHist.reset();
  return s;
}

function stop(): void {
  stopping = true;
  if (load !== null) clearInterval(load.timer);
  stopReads();
  for (const s of slots) {
    s.ws?.terminate();
    s.sync?.stop();
  }
  post({ type: 'stopped' });
  setTimeout(() => process.exit(0), 100);
}

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'init':
      init = msg;
      slots = msg.conns.map((c) => ({ ws: null, sync: null, state: State.Idle, room: c.room, token: c.token, asSync: c.sync === true, inFlight: 0, seenSeq: 0, readSeq: 0 }));
      setTimeout(() => process.exit(3), msg.lifetimeMs);
      startPings(msg);
      post({ type: 'ready', fdLimit: fdLimitOf('self')?.hard ?? null });
      return;
    case 'connect': return connect(msg);
    case 'load': return startLoad(msg);
    case 'stats': return post(stats());
    case 'stop': return stop();
  }
});
// The harness went away: nothing should outlive it.
process.on('disconnect', () => process.exit(0));
