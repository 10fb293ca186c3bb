import { userInfo } from 'node:os';
import type { Db } from '../db/database.js';
import { auditHash, GENESIS, hex, type ChainedAudit } from './chain.js';

/**
 * The audit log: who did what, when. Append-only (triggers refuse UPDATE and
 * DELETE) and chained like messages. Callers append inside the transaction
 * that makes the change, so an action and its record commit together; the
 * write lock of that transaction also serialises the chain between the CLI
 * and the server.
 */

export type ActorKind = 'cli' | 'api' | 'server';

export interface Actor {
  kind: ActorKind;
  /** cli: the person at the terminal (SUDO_USER when run through sudo); api: the Roost user; server: the job. */
  name: string;
  /** The operating-system account the process runs as. */
  osUser: string;
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

/** The actor of a CLI command: the login behind sudo if any, and the OS account. */
export function cliActor(): Actor {
  const osUser = osUserName();
  return { kind: 'cli', name: process.env.SUDO_USER ?? process.env.LOGNAME ?? osUser, osUser };
}

export function apiActor(userName: string): Actor {
  return { kind: 'api', name: userName, osUser: osUserName() };
}

export function serverActor(job: string): Actor {
  return { kind: 'server', name: job, osUser: osUserName() };
}

export type AuditDetails = Record<string, string | number | boolean | null | readonly string[]>;

export interface AuditEntry {
  id: number;
  ts: number;
  actor: ActorKind;
  actorName: string;
  osUser: string;
  action: string;
  details: AuditDetails;
  hash: string;
}

interface AuditRow extends ChainedAudit { hash: Buffer }

/**
 * Appends one entry. Must run inside a write transaction (IMMEDIATE) so the
 * previous hash read here is still the last one when the row is inserted.
 */
export function appendAudit(db: Db, actor: Actor, action: string, details: AuditDetails, now = Date.now()): AuditEntry {
  const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: Buffer } | undefined;
  const row: ChainedAudit = {
    id: (last?.id ?? 0) + 1, ts: now, actor: actor.kind, actor_name: actor.name, os_user: actor.osUser, action, details: JSON.stringify(details),
  };
  const hash = auditHash(last?.hash ?? GENESIS, row);
  db.prepare('INSERT INTO audit_log (id, ts, actor, actor_name, os_user, action, details, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(row.id, row.ts, row.actor, row.actor_name, row.os_user, row.action, row.details, hash);
  return toEntry({ ...row, hash });
}

/** Appends in a transaction of its own, for actions that changed nothing else (export, verify, backup). */
export function recordAudit(db: Db, actor: Actor, action: string, details: AuditDetails, now = Date.now()): AuditEntry {
  return db.transaction(() => appendAudit(db, actor, action, details, now)).immediate();
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id, ts: r.ts, actor: r.actor as ActorKind, actorName: r.actor_name, osUser: r.os_user, action: r.action,
    details: JSON.parse(r.details) as AuditDetails, hash: hex(r.hash),
  };
}

export function listAudit(db: Db, since: number | undefined, limit = 100_000): AuditEntry[] {
  const rows = db.prepare('SELECT id, ts, actor, actor_name, os_user, action, details, hash FROM audit_log WHERE ts >= ? ORDER BY id LIMIT +?')
    .all(since ?? 0, limit) as AuditRow[];
  return rows.map(toEntry);
}

export interface AuditChainReport { entries: number; ok: boolean; head: string; firstBad?: { id: number; problem: string } }

/** Recomputes the audit chain from the first entry. */
export function verifyAuditChain(db: Db): AuditChainReport {
  let prev = GENESIS;
  let expectedId = 1;
  let entries = 0;
  for (const r of db.prepare('SELECT id, ts, actor, actor_name, os_user, action, details, hash FROM audit_log ORDER BY id').iterate() as IterableIterator<AuditRow>) {
    entries++;
    if (r.id !== expectedId) {
      return { entries, ok: false, head: hex(prev), firstBad: { id: r.id, problem: r.id > expectedId ? `entries ${expectedId}..${r.id - 1} were removed` : 'an entry was inserted' } };
    }
    if (!auditHash(prev, r).equals(r.hash)) {
      return { entries, ok: false, head: hex(prev), firstBad: { id: r.id, problem: 'the entry was altered (its hash does not match its content and the previous hash)' } };
    }
    prev = r.hash;
    expectedId++;
  }
  return { entries, ok: true, head: hex(prev) };
}
