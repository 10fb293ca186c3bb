/**
 * The built `roost` CLI as a child process on a temp data folder, for tests
 * that kill it. Users and rooms are made through the store beforehand, as the
 * CLI would, so the server prints no generated admin password.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/password.js';
import { addUser, createRoom } from '../../src/store/admin/admin.js';
import { openReadOnly, openWritable, type Db } from '../../src/store/db/database.js';
import { roostCommand, slowdown } from '../helpers/roost-command.js';

export const PASSWORD = 'durable-secret-pw';

export interface Fixture { dataDir: string; configFile: string; users: Record<string, number>; rooms: string[] }

/** A data folder with `userNames` and `roomCount` rooms they all belong to; per-socket and per-user frame rate limits off. */
export async function prepareData(userNames: string[], roomCount: number): Promise<Fixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roost-durable-'));
  const configFile = join(dataDir, 'test-config.json');
  writeFileSync(configFile, JSON.stringify({ framesPerSecond: 0, userFramesPerSecond: 0, logLevel: 'warn' }));
  const hash = await hashPassword(PASSWORD);
  const db = openWritable(dataDir);
  try {
    const users: Record<string, number> = {};
    for (const name of userNames) users[name] = addUser(db, name, 'member', hash).id;
    const rooms = Array.from({ length: roomCount }, (_, i) => String(createRoom(db, `room-${i}`, userNames, undefined, { entries: false }).id));
    return { dataDir, configFile, users, rooms };
  } finally {
    db.close();
  }
}

export interface Child { proc: ChildProcess; port: number; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stdout: () => string }

/** Starts `node bin/roost.js serve` on port 0 and resolves once it printed where it listens. */
export function startChild(f: Fixture, timeoutMs = 60_000 * slowdown): Promise<Child> {
  const run = roostCommand(['serve', '--data', f.dataDir, '--config', f.configFile, '--host', '127.0.0.1', '--port', '0']);
  const proc = spawn(run.command, run.args, {
    cwd: run.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROOST_CONFIG: '' },
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms: ${out} ${err}`));
    }, timeoutMs);
    const onData = (): void => {
      const m = /roost listening on https?:\/\/[^:]+:(\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      resolve({ proc, port: Number(m[1]), exited, stdout: () => out });
    };
    proc.stdout?.on('data', onData);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${e.code ?? e.signal}) before listening: ${err}`));
    });
  });
}

export async function login(port: number, username: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export interface Acked { user: number; clientMsgId: string; room: string; seq: number; msgId: string }

/** Reads the stored history straight from the data folder (read-only; WAL lets it run beside a server). */
export function withStore<T>(dataDir: string, fn: (db: Db) => T): T {
  const db = openReadOnly(dataDir);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The three promises of the durability contract, as lists of what breaks them (empty when kept). */
export function checkHistory(db: Db, acked: readonly Acked[], rooms: readonly string[]): { lost: Acked[]; gaps: string[]; duplicates: number } {
  const find = db.prepare('SELECT id, room_id, seq FROM messages WHERE sender_id = ? AND client_msg_id = ?');
  const lost = acked.filter((a) => {
    const row = find.get(a.user, a.clientMsgId) as { id: number; room_id: number; seq: number } | undefined;
    return row === undefined || String(row.room_id) !== a.room || row.seq !== a.seq || String(row.id) !== a.msgId;
  });
  const gaps: string[] = [];
  for (const room of rooms) {
    const seqs = (db.prepare('SELECT seq FROM messages WHERE room_id = ? ORDER BY seq').all(Number(room)) as Array<{ seq: number }>).map((r) => r.seq);
    const last = (db.prepare('SELECT last_seq FROM rooms WHERE id = ?').get(Number(room)) as { last_seq: number }).last_seq;
    const bad = seqs.findIndex((s, i) => s !== i + 1);
    if (bad !== -1) gaps.push(`room ${room}: seq ${seqs[bad]} at position ${bad + 1}`);
    if (last !== seqs.length) gaps.push(`room ${room}: last_seq ${last} but ${seqs.length} messages`);
  }
  const duplicates = (db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM messages GROUP BY sender_id, client_msg_id HAVING count(*) > 1)').get() as { n: number }).n;
  return { lost, gaps, duplicates };
}
