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
