/**
 * The server's own memory, read from outside (/proc/<pid>/status VmRSS):
 * once settled after start, and again settled after a burst of logins. Run
 * before every scenario against a server this bench can see, and on its own
 * as `--scenario memory`, the budget check.
 */
import { loginBurst } from '../lib/login-burst.js';
import { sampleProc } from '../lib/proc-sampler.js';
import type { RssCheck } from '../lib/result.js';
import type { Target } from '../target/target.js';

const MiB = 2 ** 20;

/** Budgets for a fresh server (x64, the unit's flags): settled after start, and after 1,000 logins. */
export const IDLE_RSS_BUDGET_BYTES = 64 * MiB;
export const AFTER_LOGINS_RSS_BUDGET_BYTES = 80 * MiB;
export const BUDGET_LOGINS = 1000;

/** Users the logins are spread over, and logins in flight (a few, as a room full of people opening the app). */
const LOGIN_USERS = 10;
const LOGIN_CONCURRENCY = 8;

const sleep = (s: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, s * 1000));

/**
 * `idleAfterSeconds` (at least the settle): how long after start the idle reading
 * waits — past the writer's park spell in the memory scenario, since an idle server
 * parks its writer thread (writerParkSeconds).
 */
export async function checkMemory(target: Target, logins: number, settleSeconds: number, idleAfterSeconds = settleSeconds): Promise<RssCheck | null> {
  if (target.pid === null) return null;
  await sleep(Math.max(settleSeconds, idleAfterSeconds));
  const idle = sampleProc(target.pid).rssBytes;
  const who = target.logins;
  const burst = who === undefined || logins === 0
    ? { ok: 0, failed: 0, firstError: who === undefined ? 'this target has no bench users to log in as' : null }
    : await loginBurst(target.httpBase, who.users.slice(0, LOGIN_USERS), who.password, logins, LOGIN_CONCURRENCY);
  if (burst.ok > 0) await sleep(settleSeconds);
  const after = burst.ok > 0 ? sampleProc(target.pid).rssBytes : null;
  return {
    idleBytes: idle, afterLoginsBytes: after, logins: burst.ok, loginsFailed: burst.failed, firstLoginError: burst.firstError,
    settleSeconds, idleAfterSeconds: Math.max(settleSeconds, idleAfterSeconds), loginUsers: Math.min(LOGIN_USERS, who?.users.length ?? 0),
  };
}

/** The budget verdict for a check made with BUDGET_LOGINS logins. */
export function budgetVerdict(c: RssCheck): { pass: boolean; detail: string } {
  const mib = (b: number | null): string => (b === null ? '–' : (b / MiB).toFixed(1));
  const idleOk = c.idleBytes !== null && c.idleBytes <= IDLE_RSS_BUDGET_BYTES;
  const afterOk = c.afterLoginsBytes !== null && c.afterLoginsBytes <= AFTER_LOGINS_RSS_BUDGET_BYTES && c.logins >= BUDGET_LOGINS;
  return {
    pass: idleOk && afterOk,
    detail: `idle ${mib(c.idleBytes)} MiB (budget ${mib(IDLE_RSS_BUDGET_BYTES)}): ${idleOk ? 'pass' : 'over'}; ` +
      `after ${c.logins} logins ${mib(c.afterLoginsBytes)} MiB (budget ${mib(AFTER_LOGINS_RSS_BUDGET_BYTES)} after ${BUDGET_LOGINS}): ${afterOk ? 'pass' : 'over'}`,
  };
}
