/**
 * Memory a test can hold a server to. RSS alone judges garbage as much as leaks:
 * V8 collects late, and this process also holds the test's clients, fast-check and
 * tap (CI saw a fuzz run's RSS go 913 -> 1302 MiB with nothing retained). So V8 collects
 * first (the suite runs with --expose-gc, see .taprc), and the figures split what V8's
 * heap still holds from everything outside it (uWS, SQLite, the store's threads, malloc).
 */
export interface MemoryFigures {
  /** Live objects on this thread's V8 heap after a full collection. */
  heapMiB: number;
  /** RSS minus this thread's V8 heap: native buffers, worker threads, code, stacks. */
  outsideHeapMiB: number;
}

const MiB = 1048576;

export function settledMemory(): MemoryFigures {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('settledMemory needs node --expose-gc (the suite sets it in .taprc)');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapMiB: m.heapUsed / MiB, outsideHeapMiB: (m.rss - m.heapTotal) / MiB };
}
