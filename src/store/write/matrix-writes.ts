import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import type { AccountDataDone, FilterDone, MatrixOp, ServerNameDone } from './matrix-ops.js';
import type { Done, WriteFailed } from './write-ops.js';

const MiB = 1024 * 1024;
/** Per user: what the Matrix door keeps for a client beyond the chat (far above what clients use). */
const MAX_FILTERS = 100;
const MAX_DATA_ENTRIES = 2_000;
const MAX_DATA_BYTES = 4 * MiB;
const tooMany = (message: string): WriteFailed => ({ ok: false, code: 'too_large', message });

/** The writer thread's side of the Matrix door's own rows. Statements are prepared on first use. */
export class MatrixWrites {
  private st?: {
    getName: Statement<[], { value: string }>;
    setName: Statement<[string]>;
    nextFilter: Statement<[number], { n: number }>;
    addFilter: Statement<[number, number, string]>;
    addStream: Statement<[number, number]>;
    putData: Statement<[number, number, string, string, number]>;
    nameDevice: Statement<[string, number, string]>;
    sameFilter: Statement<[number, string], { id: number }>;
    filterCount: Statement<[number], { n: number }>;
    dataHeld: Statement<[number], { n: number; bytes: number }>;
    dataOf: Statement<[number, number, string], { bytes: number }>;
  };

  constructor(private readonly db: Db) {}

  private get s(): NonNullable<MatrixWrites['st']> {
    this.st ??= {
      getName: this.db.prepare("SELECT value FROM matrix_settings WHERE key = 'server_name'"),
      setName: this.db.prepare("INSERT INTO matrix_settings (key, value) VALUES ('server_name', ?)"),
      nextFilter: this.db.prepare('SELECT coalesce(max(id), 0) + 1 AS n FROM matrix_filters WHERE user_id = ?'),
      addFilter: this.db.prepare('INSERT INTO matrix_filters (user_id, id, body) VALUES (?, ?, ?)'),
      addStream: this.db.prepare("INSERT INTO matrix_stream (room_id, kind, ref) VALUES (?, 'account', ?)"),
      putData: this.db.prepare(`INSERT INTO matrix_account_data (user_id, room_id, type, content, pos) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (user_id, room_id, type) DO UPDATE SET content = excluded.content, pos = excluded.pos`),
      nameDevice: this.db.prepare('UPDATE tokens SET device = ? WHERE user_id = ? AND device_id = ? AND revoked_at IS NULL'),
      sameFilter: this.db.prepare('SELECT id FROM matrix_filters WHERE user_id = ? AND body = ? LIMIT 1'),
      filterCount: this.db.prepare('SELECT count(*) AS n FROM matrix_filters WHERE user_id = ?'),
      dataHeld: this.db.prepare('SELECT count(*) AS n, coalesce(sum(length(content)), 0) AS bytes FROM matrix_account_data WHERE user_id = ?'),
      dataOf: this.db.prepare('SELECT length(content) AS bytes FROM matrix_account_data WHERE user_id = ? AND room_id = ? AND type = ?'),
    };
    return this.st;
  }

  apply(op: MatrixOp): ServerNameDone | FilterDone | AccountDataDone | Done | WriteFailed {
    const s = this.s;
    switch (op.k) {
      case 'matrix-server-name': {
        const stored = s.getName.get();
        if (stored !== undefined) return { ok: true, name: stored.value };
        s.setName.run(op.name);
        return { ok: true, name: op.name };
      }
      case 'matrix-filter': {
        // Clients post the same filter at every start: it keeps its id, and the table does not grow.
        const same = s.sameFilter.get(op.user, op.body);
        if (same !== undefined) return { ok: true, id: same.id };
        if ((s.filterCount.get(op.user)?.n ?? 0) >= MAX_FILTERS) return tooMany(`at most ${MAX_FILTERS} different filters per user`);
        const id = s.nextFilter.get(op.user)?.n ?? 1;
        s.addFilter.run(op.user, id, op.body);
        return { ok: true, id };
      }
      case 'matrix-account-data': {
        // Every initial /sync carries all of it: bounded per user in entries and bytes.
        const held = s.dataHeld.get(op.user) ?? { n: 0, bytes: 0 };
        const old = s.dataOf.get(op.user, op.room, op.type);
        if (old === undefined && held.n >= MAX_DATA_ENTRIES) return tooMany(`at most ${MAX_DATA_ENTRIES} account data entries per user`);
        if (held.bytes - (old?.bytes ?? 0) + op.content.length > MAX_DATA_BYTES) return tooMany(`at most ${MAX_DATA_BYTES / MiB} MiB of account data per user`);
        const pos = Number(s.addStream.run(op.room, op.user).lastInsertRowid);
        s.putData.run(op.user, op.room, op.type, op.content, pos);
        return { ok: true, pos };
      }
      case 'matrix-device-name':
        if (s.nameDevice.run(op.name, op.user, op.deviceId).changes === 0) return { ok: false, code: 'not_found', message: 'no such device of yours' };
        return { ok: true };
    }
  }

  /** Marks a token just inserted as a Matrix device's. */
}
