/**
 * The admin thread: the admin page's and invitation links' changes, on a
 * connection of their own, so their transactions (and fsync) never run on
 * the gateway's event loop. It calls the CLI's store functions; a busy
 * writer makes them wait (busy_timeout) here, not there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AdminOpName, AdminOps, Outcome } from './admin-ops.js';
import { isErrorCode } from '../../protocol/errors.js';
import type { Reason } from '../../protocol/reasons.js';
import { openWritable, type Synchronous } from '../db/database.js';
import { adminHandlers } from './admin-handlers.js';

export interface AdminRequest { id: number; k: AdminOpName; args: AdminOps[AdminOpName]['in']; actor: string }
export interface AdminReply { id: number; outcome: Outcome<unknown> }

const port = parentPort;
if (port === null) throw new Error('admin-thread must run as a worker');
const { dataDir, synchronous } = workerData as { dataDir: string; synchronous: Synchronous };
const db = openWritable(dataDir, synchronous);
const handlers = adminHandlers(db);

function refusal(err: unknown): Outcome<never> {
  const e = err as { code?: unknown; reason?: unknown; message?: unknown };
  if (typeof e.code === 'string' && isErrorCode(e.code)) {
    const reason = typeof e.reason === 'string' ? (e.reason as Reason) : undefined;
    return { ok: false, code: e.code, message: String(e.message), ...(reason === undefined ? {} : { reason }) };
  }
  // A fault of SQLite or of the code: the transaction rolled back, nothing changed.
  return { ok: false, code: 'unavailable', message: `store not writable: ${String(e.message ?? err)}` };
}

port.on('message', (req: AdminRequest | 'close') => {
  if (req === 'close') {
    db.close();
    port.close();
    return;
  }
  let outcome: Outcome<unknown>;
  try {
    const handler = handlers[req.k] as (args: unknown, actor: string) => unknown;
    outcome = { ok: true, value: handler(req.args, req.actor) };
  } catch (err) {
    outcome = refusal(err);
  }
  port.postMessage({ id: req.id, outcome } satisfies AdminReply);
});
