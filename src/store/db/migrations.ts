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
  // 4: files, replies, mentions, edits, deletions, reactions, notification settings, last seen
  // Message rows stay append-only and chained: `extra` (replyTo, attachments,
  // mentions, as wire JSON) is written with the row and covered by its hash. Edits,
  // deletions and reactions are rows of a per-room change log with its own chain and its
  // own sequence (cseq); message_state and reactions hold the current, visible result.
  `
  ALTER TABLE messages ADD COLUMN extra TEXT;
  ALTER TABLE rooms ADD COLUMN last_cseq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE members ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE members ADD COLUMN notify TEXT NOT NULL DEFAULT 'all';
  ALTER TABLE users ADD COLUMN last_seen_at INTEGER;
  -- kind: edit (body = the new text), delete, react / unreact (body = the emoji).
  -- payload_hash = SHA-256(body or ''), so a superseded edit's text can be scrubbed
  -- (body set to NULL) without breaking the chain; target_hash = the message's chain hash.
  CREATE TABLE message_changes (
    room_id INTEGER NOT NULL,
    cseq INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete', 'react', 'unreact')),
    user_id INTEGER NOT NULL,
    body TEXT,
    payload_hash BLOB NOT NULL,
    target_hash BLOB NOT NULL,
    ts INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (room_id, cseq)
  ) WITHOUT ROWID;
  CREATE INDEX message_changes_by_seq ON message_changes(room_id, seq);
  -- Where a room's change chain resumes after retention removed its oldest changes.
  CREATE TABLE change_checkpoints (
    room_id INTEGER PRIMARY KEY,
    through_cseq INTEGER NOT NULL,
    hash BLOB NOT NULL
  );
  -- What clients see of a changed message. scrubbed = 1: the hidden text (the original
  -- body in messages, superseded edits) was removed; 0 with a change: kept (legal hold).
  CREATE TABLE message_state (
    room_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT,
    edited_at INTEGER,
    deleted_at INTEGER,
    scrubbed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX message_state_unscrubbed ON message_state(room_id) WHERE scrubbed = 0;
  CREATE TABLE reactions (
    room_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    emoji TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (room_id, seq, emoji, user_id)
  ) WITHOUT ROWID;
  -- Unread mentions: count(seq > read_seq) is a range scan of one (user, room).
  CREATE TABLE mentions (
    user_id INTEGER NOT NULL,
    room_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX mentions_by_room ON mentions(room_id, seq);
  -- Uploads. The bytes live once per content under files/ab/<sha256 hex>; id is random
  -- (unguessable), one row per upload (name, room, uploader).
  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    room_id INTEGER NOT NULL,
    uploader_id INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    name TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    thumb INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    -- Messages carrying it (message_files rows); 0 = an orphan the file collector removes.
    refs INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX files_by_uploader ON files(uploader_id);
  CREATE INDEX files_by_sha ON files(sha256);
  CREATE INDEX files_orphans ON files(created_at) WHERE refs = 0;
  -- Which message carries which file: downloads need one; a file with none is removed.
  CREATE TABLE message_files (
    room_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    file_id TEXT NOT NULL,
    PRIMARY KEY (room_id, seq, file_id)
  ) WITHOUT ROWID;
  CREATE INDEX message_files_by_file ON message_files(file_id);
  `,
  // 5: people run their own rooms and accounts. `members` stays the joined members (the
  // rows every frame's check reads) and gains a role; invitations, departures and removals
  // live in room_standing, so the hot path never filters by state. A room with no owner
  // (every room made before this version) is run by the server's admins.
  `
  ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';
  ALTER TABLE rooms ADD COLUMN avatar TEXT;
  ALTER TABLE rooms ADD COLUMN join_rule TEXT NOT NULL DEFAULT 'invite' CHECK (join_rule IN ('invite', 'public'));
  ALTER TABLE rooms ADD COLUMN history TEXT NOT NULL DEFAULT 'shared' CHECK (history IN ('shared', 'joined'));
  ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member'));
  -- The room's last seq when this member joined: with history 'joined' they read from the next one.
  ALTER TABLE members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE room_standing (
    room_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('invited', 'left', 'removed')),
    by_user INTEGER,
    at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX room_standing_by_user ON room_standing(user_id, state);
  ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
  ALTER TABLE users ADD COLUMN avatar TEXT;
  -- What a session is, for the list of one's own sessions (from the login's User-Agent or its device field).
  ALTER TABLE tokens ADD COLUMN device TEXT NOT NULL DEFAULT '';
  -- Invitation links: the token is shown once; only its SHA-256 is kept.
  CREATE TABLE invite_links (
    hash BLOB PRIMARY KEY,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_uses INTEGER NOT NULL CHECK (max_uses > 0),
    uses INTEGER NOT NULL DEFAULT 0,
    rooms TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    revoked_at INTEGER
  ) WITHOUT ROWID;
  `,
  // 6: integrations. A bot is a user of kind 'bot' with no password (it signs in with a token
  // only). An incoming hook posts into one room as its own bot; only its token's SHA-256 is
  // kept. An outgoing webhook POSTs a room's messages to a URL on the LAN, signed with its
  // secret (kept as is: Roost signs with it), and posts the answer back as its bot.
  `
  ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'bot'));
  CREATE TABLE hooks (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    room_id INTEGER NOT NULL,
    bot_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX hooks_by_room ON hooks(room_id);
  CREATE TABLE outgoing_webhooks (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL,
    bot_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    trigger TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER
  );
  CREATE INDEX outgoing_webhooks_live ON outgoing_webhooks(room_id) WHERE removed_at IS NULL;
  `,
  // 7: the Matrix door. Its server_name is kept once chosen (ids are built on it); a Matrix
  // login is a token with a device_id; filters and account data are stored per user. One
  // stream order for sync tokens: timeline rows have their global message id; edits,
  // deletions, reactions, read markers and account data get a position in matrix_stream
  // (AUTOINCREMENT: a position is never reused, so a client's token never skips one).
  `
  CREATE TABLE matrix_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  ALTER TABLE tokens ADD COLUMN device_id TEXT;
  CREATE INDEX tokens_by_device ON tokens(user_id, device_id) WHERE device_id IS NOT NULL;
  CREATE TABLE matrix_filters (
    user_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE matrix_stream (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('change', 'read', 'account')),
    ref INTEGER NOT NULL
  );
  CREATE INDEX matrix_stream_by_ref ON matrix_stream(kind, room_id, ref);
  CREATE TABLE matrix_account_data (
    user_id INTEGER NOT NULL,
    room_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    content TEXT NOT NULL,
    pos INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, type)
  ) WITHOUT ROWID;
  CREATE INDEX matrix_account_data_by_pos ON matrix_account_data(user_id, pos);
  CREATE TRIGGER matrix_stream_change AFTER INSERT ON message_changes
    BEGIN INSERT INTO matrix_stream (room_id, kind, ref) VALUES (NEW.room_id, 'change', NEW.cseq); END;
  CREATE TRIGGER matrix_stream_read AFTER UPDATE OF read_seq ON members WHEN NEW.read_seq > OLD.read_seq
    BEGIN
      DELETE FROM matrix_stream WHERE kind = 'read' AND room_id = NEW.room_id AND ref = NEW.user_id;
      INSERT INTO matrix_stream (room_id, kind, ref) VALUES (NEW.room_id, 'read', NEW.user_id);
    END;
  `,
  // 8: the assistant: one row (or none) saying whether a local LLM answers mentions of its
  // bot, where it is (an OpenAI-compatible URL) and which model; changed by the CLI, followed
  // by a running server through the events feed.
  `
  CREATE TABLE assistant_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    enabled INTEGER NOT NULL,
    url TEXT NOT NULL,
    model TEXT NOT NULL,
    bot_id INTEGER NOT NULL,
    allow_remote INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 9: sending moves the sender's own read marker onto the message sent; Matrix clients infer that
  // receipt from the event's sender, so it takes no matrix_stream position. That was three B-tree
  // writes per message (delete, insert, the AUTOINCREMENT counter): a tenth of the writer's time
  // and of the bytes written per message. Reads of other people's messages are streamed as before.
  `
  DROP TRIGGER matrix_stream_read;
  CREATE TRIGGER matrix_stream_read AFTER UPDATE OF read_seq ON members
    WHEN NEW.read_seq > OLD.read_seq
      AND NOT EXISTS (SELECT 1 FROM messages WHERE room_id = NEW.room_id AND seq = NEW.read_seq AND sender_id = NEW.user_id)
    BEGIN
      DELETE FROM matrix_stream WHERE kind = 'read' AND room_id = NEW.room_id AND ref = NEW.user_id;
      INSERT INTO matrix_stream (room_id, kind, ref) VALUES (NEW.room_id, 'read', NEW.user_id);
    END;
  `,
  // 10: unread counts subtract the timeline entries (joins, renames) after a member's read mark.
  // Counted over the room's messages that was every message after the mark: 1.1 ms for a member
  // who never read a room of 20,000, on the event loop, for every room of every sync. Entries are
  // few, so an index of them alone costs next to nothing to keep. Its WHERE is IS_ENTRY_SQL's
  // (write/room-timeline.ts), or SQLite would not use it.
  `
  CREATE INDEX messages_entries ON messages(room_id, seq) WHERE body = '' AND extra LIKE '{"event":%';
  `,
  // 11: the search index is merged a little in every commit that adds to it (BatchApplier), not by
  // FTS5's automerge, which does its work in lumps (64 × levels leaf pages every 64 leaves written):
  // after 800,000 messages one commit in ~250 took 40-120 ms, and every ack in it waited.
  `
  INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0);
  `,
  // 12: a read marker's Matrix stream position is kept on its members row (read_pos); one stream row
  // stands for the newest batch of moved marks, so positions keep advancing. A row per (room, reader),
  // deleted and inserted again at each move, cost five B-tree writes and a lookup of the message per
  // read: with every member of a busy room reading each message, more of the writer's time than the
  // message itself. Existing rows keep their positions (a since token mid-way still sees each once).
  `
  ALTER TABLE members ADD COLUMN read_pos INTEGER NOT NULL DEFAULT 0;
  UPDATE members SET read_pos = (SELECT s.pos FROM matrix_stream s
    WHERE s.kind = 'read' AND s.room_id = members.room_id AND s.ref = members.user_id)
  WHERE EXISTS (SELECT 1 FROM matrix_stream s WHERE s.kind = 'read' AND s.room_id = members.room_id AND s.ref = members.user_id);
  DELETE FROM matrix_stream WHERE kind = 'read' AND pos < (SELECT max(pos) FROM matrix_stream WHERE kind = 'read');
  UPDATE matrix_stream SET room_id = 0, ref = 0 WHERE kind = 'read';
  DROP TRIGGER matrix_stream_read;
  CREATE INDEX members_by_read_pos ON members(read_pos);
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
