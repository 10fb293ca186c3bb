import type { TokenInfo } from '../store/read/reader.js';

/** Who a live token belongs to: its user, their server role, and the token's expiry. */
export type Session = TokenInfo;

/** How a door learns whose request it is: the live, unexpired token with this hash, of an enabled user. */
export interface SessionReader {
  tokenInfo(hashHex: string, now: number): Session | undefined;
}
