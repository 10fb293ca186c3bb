import type { Done, WriteFailed } from './write-ops.js';

/** What the Matrix door keeps besides the chat itself (applied by write/matrix-writes.ts). */
export type MatrixOp =
  /** Stores the server name at first use; answers the stored one (a different one means ids would change). */
  | { k: 'matrix-server-name'; name: string }
  /** A sync filter (JSON text); answers its id, unique per user. */
  | { k: 'matrix-filter'; user: number; body: string }
  /** Global (`room` 0) or per-room account data of one type (JSON text), replacing the previous content. */
  | { k: 'matrix-account-data'; user: number; room: number; type: string; content: string }
  /** A device's display name (the token's `device`, as the native sessions list shows it). */
  | { k: 'matrix-device-name'; user: number; deviceId: string; name: string };

export interface ServerNameDone { ok: true; name: string }
export interface FilterDone { ok: true; id: number }
export interface AccountDataDone { ok: true; pos: number }

export type MatrixResult<O extends MatrixOp> =
  O extends { k: 'matrix-server-name' } ? ServerNameDone | WriteFailed :
  O extends { k: 'matrix-filter' } ? FilterDone | WriteFailed :
  O extends { k: 'matrix-account-data' } ? AccountDataDone | WriteFailed :
  Done | WriteFailed;
