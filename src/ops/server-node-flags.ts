/**
 * Node flags the server runs with: in the systemd unit, in `npm start`, in the
 * `roost` command's shebang, and in every server the bench starts (so the
 * bench measures what an installation runs).
 *
 * --max-semi-space-size=2 (MiB): under a burst of allocation — a reconnect
 * storm of handshakes — V8 grows its young generation to 3 × 16 MiB and keeps
 * it; on a Pi that memory belongs to connections. Measured here (docs/benchmark.md,
 * "V8's young generation"): bytes per held connection 1,389 → 1,124 at 19,500
 * sockets, durable msgs/s with 100 senders 77k → 65k (the target is 40k).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * glibc malloc settings the server runs with (environment: read once, when
 * the process starts), in the systemd unit, the `roost` command's shebang and
 * every server the bench starts.
 *
 * MALLOC_MMAP_THRESHOLD_: a fixed threshold turns off glibc's sliding one.
 * With it sliding, the first freed 16 MiB scrypt buffer raises the threshold
 * above 16 MiB and every later hash's buffer comes from (and stays in) a
 * thread's arena: after 1,000 logins a fresh server held ~145 MiB instead of
 * ~75 (docs/benchmark.md, "Memory"). MALLOC_ARENA_MAX: the libuv pool threads
 * share two arenas instead of one each.
 */
export const SERVER_ALLOCATOR_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576' };
