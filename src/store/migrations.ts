import type { Database } from 'better-sqlite3';

/**
 * Forward-only schema history. Each entry runs once, in its own transaction,
 * and bumps `user_version`; a database from a newer Roost is refused.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: accounts, rooms, messages and their search index, and the admin event feed.
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE tokens (
    hash BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    client_ip TEXT NOT NULL DEFAULT '',
    revoked_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX tokens_by_user ON tokens(user_id);
  CREATE TABLE rooms (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('group', 'direct')),
    direct_key TEXT UNIQUE,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX rooms_by_group_name ON rooms(name COLLATE NOCASE) WHERE kind = 'group';
  CREATE TABLE members (
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    read_seq INTEGER NOT NULL DEFAULT 0,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX members_by_user ON members(user_id, room_id);
  -- Append-only. msg id = rowid; seq is per room, gap-free, assigned by the writer.
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    sender_id INTEGER NOT NULL,
    client_msg_id TEXT NOT NULL,
    body TEXT NOT NULL,
    ts INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX messages_by_room_seq ON messages(room_id, seq);
  CREATE UNIQUE INDEX messages_by_client_id ON messages(sender_id, client_msg_id);
  -- Full-text index over message bodies (CJK runs pre-segmented, see search-text.ts).
  -- Contentless: the text lives once, in messages; rows can still be deleted by retention.
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  );
  -- What the CLI changed while a server runs: the server follows this feed.
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    room_id INTEGER,
    user_id INTEGER,
    ts INTEGER NOT NULL
  );
  `,
  // 2: tamper-evident history (hash chain), retention and legal hold, purge checkpoints,
  // and the append-only, chained audit log. Rows written before this version are chained
  // by the writer when it starts (BatchApplier.chainUnhashed), in seq order.
  `
  ALTER TABLE messages ADD COLUMN hash BLOB;
  -- Retention policy. room_id 0 is the default for every room; keep_days NULL on a room
  -- row means "use the default", 0 means "keep forever", N > 0 means "purge after N days".
  CREATE TABLE retention (
    room_id INTEGER PRIMARY KEY,
    keep_days INTEGER CHECK (keep_days IS NULL OR keep_days >= 0),
    legal_hold INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  -- Where a room's chain resumes after a lawful purge: every seq <= through_seq is gone,
  -- hash is the chain hash of the message at through_seq. through_msg_id keeps message ids
  -- from ever being reused even when the newest rows were purged.
  CREATE TABLE purge_checkpoints (
    room_id INTEGER PRIMARY KEY,
    through_seq INTEGER NOT NULL,
    through_msg_id INTEGER NOT NULL,
    hash BLOB NOT NULL,
    purged INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Every admin action. Append-only (the triggers refuse UPDATE and DELETE) and chained.
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    os_user TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL,
    hash BLOB NOT NULL
  );
  CREATE INDEX audit_log_by_ts ON audit_log(ts);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  // 3: sliding token expiry and token listing: when and from where a token was last used.
  `
  ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;
  ALTER TABLE tokens ADD COLUMN last_ip TEXT NOT NULL DEFAULT '';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(`the database is at schema version ${found}, newer than this Roost understands (${SCHEMA_VERSION}); upgrade Roost or restore an older backup`);
    this.name = 'SchemaTooNewError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the database up to SCHEMA_VERSION; returns the versions applied. */
export function migrate(db: Database): number[] {
  const found = schemaVersion(db);
  if (found > SCHEMA_VERSION) throw new SchemaTooNewError(found);
  const applied: number[] = [];
  for (let v = found + 1; v <= SCHEMA_VERSION; v++) {
    const sql = MIGRATIONS[v - 1];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v}`);
    }).immediate();
    applied.push(v);
  }
  return applied;
}
