/**
 * Shared by the fuzz suites and the corpus replay: a running server with a
 * fuzzing user, a bystander in another room, and the checks every input must
 * pass (documented replies only, the server up, the bystander unaffected,
 * nothing stored that was not acked, memory bounded).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { main } from '../../src/cli/main.js';
import { ERROR_CODES } from '../../src/protocol/errors.js';
import { CLOSE_CODES } from '../../src/protocol/errors.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

/** Total fuzzing time for the normal suite is about 24 s; FUZZ_SECONDS sets it (split over the suites). */
export function fuzzMs(share: number): number {
  const total = Number(process.env.FUZZ_SECONDS ?? '24');
  return Math.max(1000, Math.round((Number.isFinite(total) ? total : 24) * 1000 * share));
}

/** Every frame type a server may send (protocol.md + additions). */
export const SERVER_FRAME_TYPES = new Set([
  'ack', 'synced', 'history', 'results', 'rooms', 'pong', 'error', 'message', 'receipt', 'receipts', 'typing', 'room',
  'presence', 'ok', 'edited', 'deleted', 'reaction', 'members',
]);
export const CLOSE_CODES_DOCUMENTED = new Set<number>([1000, 1005, ...Object.values(CLOSE_CODES)]);
export const HTTP_STATUSES_DOCUMENTED = new Set<number>([
  200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 426, 429, 503, ...Object.values(ERROR_CODES).map((e) => e.http),
  // uWS answers these itself, before Roost sees a request: malformed request (400), head over
  // maxHeaderBytes (431), anything but HTTP/1.1 (505).
  431, 505,
]);

export interface CorpusEntry { kind: 'frame' | 'http' | 'raw-http' | 'cli'; why: string; input: unknown }

export function loadCorpus(kind: CorpusEntry['kind']): Array<{ file: string; entry: CorpusEntry }> {
  return readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json')).sort()
    .map((file) => ({ file, entry: JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as CorpusEntry }))
    .filter((x) => x.entry.kind === kind);
}

/** A failing input is written to the corpus (under a new name) so it becomes a regression test. */
export function saveToCorpus(entry: CorpusEntry): string {
  const file = `found-${entry.kind}-${Date.now()}.json`;
  writeFileSync(join(CORPUS_DIR, file), `${JSON.stringify(entry, null, 2)}\n`);
  return file;
}

export interface Arena {
  s: TestServer;
  fuzzer: TestUser;
  bystander: TestUser;
  ownRoom: string;
  otherRoom: string;
  /** Reply types and error codes seen that are not documented. */
  problems: string[];
  /** msgIds the fuzzer was acked. */
  acked: Set<string>;
  /** Sends frames on the fuzzer's socket (reconnecting when the server closed it); resolves after a ping round trip or a close. */
  sendFrames(frames: Array<string | Buffer>): Promise<void>;
  /** The bystander's round-trip time for a ping, in ms (throws after 2 s). */
  bystanderPing(): Promise<number>;
  /** Messages stored in the database from the fuzzer, and any in the room the fuzzer is not in. */
  stored(): { fromFuzzer: number; inOtherRoom: number };
  /** The fuzzer's stored messages, to compare with what the parser accepted; `changed` (1 or 0): edited or deleted since, which blanks the stored text. */
  storedRows(): Array<{ client_msg_id: string; body: string; room_id: number; changed: number }>;
  close(): Promise<void>;
}

/**
 * How long the bystander waits for its pong: a liveness bound (the fuzzer must
 * not starve other users), not a latency figure, which depends on the box's
 * load and is measured by the flood benchmark instead.
 */
export const BYSTANDER_PATIENCE_MS = 10_000;

export async function startArena(): Promise<Arena> {
  // Generous rates so inputs reach the parser and rules instead of the rate limiter.
  const s = await startTestServer({ framesPerSecond: 100_000, frameBurst: 100_000, userFramesPerSecond: 0, maxFrameBytes: 16 * 1024 });
  const fuzzer = await s.user('fuzzer');
  const bystander = await s.user('bystander');
  const ownRoom = await s.room('fuzz-room', ['fuzzer', 'bystander']);
  const otherRoom = await s.room('private', ['bystander']);
  const problems: string[] = [];
  const acked = new Set<string>();
  const watch = await TestClient.connect(s.ws, bystander.token);
  let socket: WebSocket | null = null;
  let pingSeq = 0;
  let waiting: { id: string; resolve: () => void } | null = null;

  const open = (): Promise<WebSocket> => new Promise((resolve, reject) => {
    const ws = new WebSocket(s.ws, { headers: { Authorization: `Bearer ${fuzzer.token}` } });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void problems.push('binary frame from server');
      let f: { type?: unknown; code?: unknown; id?: unknown; msgId?: unknown };
      try {
        f = JSON.parse(String(data)) as typeof f;
      } catch {
        return void problems.push(`non-JSON frame from server: ${String(data).slice(0, 80)}`);
      }
      if (typeof f.type !== 'string' || !SERVER_FRAME_TYPES.has(f.type)) problems.push(`undocumented frame type ${JSON.stringify(f.type)}`);
      if (f.type === 'error' && (typeof f.code !== 'string' || !Object.hasOwn(ERROR_CODES, f.code))) problems.push(`undocumented error code ${JSON.stringify(f.code)}`);
      if (f.type === 'error' && f.code === 'internal') problems.push(`internal error: ${String(data).slice(0, 200)}`);
      if (f.type === 'ack' && typeof f.msgId === 'string') acked.add(f.msgId);
      if (f.type === 'pong' && waiting !== null && f.id === waiting.id) waiting.resolve();
    });
    ws.on('close', (code) => {
      if (!CLOSE_CODES_DOCUMENTED.has(code)) problems.push(`undocumented close code ${code}`);
      if (socket === ws) socket = null;
      waiting?.resolve();
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

  return {
    s, fuzzer, bystander, ownRoom, otherRoom, problems, acked,
    async sendFrames(frames) {
      if (socket === null || socket.readyState !== WebSocket.OPEN) socket = await open();
      const ws = socket;
      for (const f of frames) if (ws.readyState === WebSocket.OPEN) ws.send(f, { binary: Buffer.isBuffer(f) });
      if (ws.readyState !== WebSocket.OPEN) return;
      const id = `fz${pingSeq++}`;
      await new Promise<void>((resolve) => {
        // A hang, not a slow box: the bystander's patience, not a latency target.
        const timer = setTimeout(() => { problems.push(`no pong within 15 s after ${frames.length} frames`); resolve(); }, 15_000);
        waiting = { id, resolve: () => { clearTimeout(timer); waiting = null; resolve(); } };
        ws.send(JSON.stringify({ type: 'ping', id }));
      });
    },
    async bystanderPing() {
      const t0 = performance.now();
      await watch.request({ type: 'ping' }, BYSTANDER_PATIENCE_MS);
      return performance.now() - t0;
    },
    stored() {
      return s.admin((db) => ({
        fromFuzzer: (db.prepare('SELECT count(*) AS n FROM messages WHERE sender_id = ?').get(Number(fuzzer.id)) as { n: number }).n,
        inOtherRoom: (db.prepare('SELECT count(*) AS n FROM messages WHERE room_id = ?').get(Number(otherRoom)) as { n: number }).n,
      }));
    },
    storedRows() {
      return s.admin((db) => db.prepare(`SELECT m.client_msg_id, m.body, m.room_id,
          EXISTS (SELECT 1 FROM message_state s WHERE s.room_id = m.room_id AND s.seq = m.seq) AS changed
        FROM messages m WHERE m.sender_id = ?`).all(Number(fuzzer.id)) as Array<{ client_msg_id: string; body: string; room_id: number; changed: number }>);
    },
    async close() {
      socket?.close();
      await watch.close();
      await s.close();
    },
  };
}

/** One raw HTTP exchange over TCP: whatever bytes, the first answer's status (0: closed without one). */
export function rawHttp(port: number, bytes: Buffer, timeoutMs = 3000): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      resolve({ status: m ? Number(m[1]) : 0, text: got });
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      const head = got.indexOf('\r\n\r\n');
      if (head === -1) return;
      const len = /content-length: *(\d+)/i.exec(got.slice(0, head));
      if (len === null || got.length - head - 4 >= Number(len[1])) done();
    });
    sock.on('close', done);
    sock.on('error', () => undefined);
    sock.end(bytes);
  });
}

/** Runs main() with stdout/stderr captured; commands that would start services or read stdin are never generated. */
/**
 * The CLI run in progress. fast-check's interruptAfterTimeLimit can abandon a
 * property while it runs, and a run holds process.stdout (it captures the
 * CLI's output): a test must await this before it reports, or its own TAP
 * lines are captured too (CI saw "test count(1) != plan(3)").
 */
let cliInFlight: Promise<unknown> = Promise.resolve();
export function cliSettled(): Promise<unknown> {
  return cliInFlight;
}

export function runCli(argv: string[]): Promise<{ code: number | 'hang' | 'threw'; out: string; err: string }> {
  const run = captureCli(argv);
  cliInFlight = run;
  return run;
}

async function captureCli(argv: string[]): Promise<{ code: number | 'hang' | 'threw'; out: string; err: string }> {
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  let out = '';
  let err = '';
  process.stdout.write = ((c: string | Uint8Array) => { out += String(c); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { err += String(c); return true; }) as typeof process.stderr.write;
  try {
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      main(['node', 'roost', ...argv]),
      // A command line that has not ended in 15 s hangs; a loaded box is slower, not 100 times slower.
      new Promise<'hang'>((r) => { timer = setTimeout(() => r('hang'), 15_000); }),
    ]).catch(() => 'threw' as const);
    clearTimeout(timer);
    return { code, out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}
