/**
 * A temp database with users and rooms, written through the real
 * BatchApplier (the writer thread's code) so rows carry real chain hashes.
 */
import * as policy from '../../src/chat/policy.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchApplier } from '../../src/store/write/batch-applier.js';
import { openWritable, type Db } from '../../src/store/db/database.js';
import { addUser, createRoom } from '../../src/store/admin/admin.js';
import type { SendDone, WriteOp, WriteResult } from '../../src/store/write/write-ops.js';

export interface HistoryFixture {
  dir: string;
  db: Db;
  applier: BatchApplier;
  users: Record<'alice' | 'bob' | 'carol', number>;
  rooms: Record<'general' | 'secret', number>;
  /** Sends bodies as alice (or `user`) into `room` at time `ts`; returns the acks. */
  send(room: number, bodies: readonly string[], ts: number, user?: number): SendDone[];
  apply(ops: WriteOp[], ts: number): WriteResult[];
  close(): void;
}

let counter = 0;

/** alice and bob in general; alice and carol in secret. */
export function historyFixture(t: { teardown: (fn: () => void) => void }): HistoryFixture {
  const dir = mkdtempSync(join(tmpdir(), 'roost-history-'));
  const db = openWritable(dir);
  const users = {
    alice: addUser(db, 'alice', 'member', 'x').id,
    bob: addUser(db, 'bob', 'member', 'x').id,
    carol: addUser(db, 'carol', 'member', 'x').id,
  };
  const rooms = { general: createRoom(db, 'general', ['alice', 'bob'], undefined, { entries: false }).id, secret: createRoom(db, 'secret', ['alice', 'carol'], undefined, { entries: false }).id };
  const applier = new BatchApplier(db, { rules: policy });
  let closed = false;
  const f: HistoryFixture = {
    dir, db, applier, users, rooms,
    apply: (ops, ts) => applier.apply(ops, ts),
    send(room, bodies, ts, user = users.alice) {
      const results = applier.apply(bodies.map((body) => ({ k: 'send', room, user, clientMsgId: `c${++counter}`, body })), ts);
      return results.map((r) => {
        if (!r.ok || !('msgId' in r)) throw new Error(`send failed: ${JSON.stringify(r)}`);
        return r;
      });
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
  t.teardown(() => {
    f.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return f;
}

export const DAY = 24 * 60 * 60 * 1000;
