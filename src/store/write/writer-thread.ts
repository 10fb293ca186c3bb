/**
 * The writer thread: the only place messages are written. It owns the one
 * read-write connection, so fsync never happens on the gateway's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchApplier } from './batch-applier.js';
// The one import of the chat layer under src/store/: the room rules are pure functions,
// and the writer asks them again on the rows it reads inside its transaction.
import * as policy from '../../chat/policy.js';
import { closeWritable, openWritable, WRITER_CACHE_KIB, type Synchronous } from '../db/database.js';
import type { FromWriter, ToWriter, WriteResult } from './write-ops.js';

interface WriterData { dataDir: string; synchronous: Synchronous }

const port = parentPort;
if (port === null) throw new Error('writer-thread must run as a worker');
const { dataDir, synchronous } = workerData as WriterData;

const post = (msg: FromWriter): void => port.postMessage(msg);

try {
  const db = openWritable(dataDir, synchronous, WRITER_CACHE_KIB);
  const applier = new BatchApplier(db, { rules: policy });
  port.on('message', (msg: ToWriter) => {
    if (msg.type === 'close') {
      try {
        closeWritable(db);
      } catch {
        // The connection is closed either way; a checkpoint left undone is the next open's to finish.
      }
      post({ type: 'closed' });
      port.close();
      return;
    }
    const started = performance.now();
    let results: WriteResult[];
    try {
      results = applier.apply(msg.ops, Date.now());
    } catch (err) {
      // The transaction rolled back: nothing of this batch is stored, every op says so.
      const message = `store not writable: ${(err as Error).message}`;
      results = msg.ops.map(() => ({ ok: false, code: 'unavailable', message }));
    }
    post({ type: 'results', results, commitMs: performance.now() - started });
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'fatal', message: (err as Error).message });
}
