/**
 * Logins over HTTP, as people make them: the scrypt work and the memory it
 * leaves behind are what the memory budget checks. Spread over a few users,
 * each from 127.0.0.1 with the right password: the login throttle counts
 * failures only, so successful logins are never refused by it.
 */
export interface LoginBurst { ok: number; failed: number; firstError: string | null }

async function loginOnce(base: string, username: string, password: string): Promise<string | null> {
  try {
    const res = await fetch(`${base}/api/v1/login`, {
      method: 'POST', body: JSON.stringify({ username, password, device: 'roost bench' }), signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return res.status === 200 ? null : `HTTP ${res.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** `count` logins, `concurrency` in flight, user i % users.length; every request bounded by its own timeout. */
export async function loginBurst(base: string, users: readonly string[], password: string, count: number, concurrency: number): Promise<LoginBurst> {
  const result: LoginBurst = { ok: 0, failed: 0, firstError: null };
  if (users.length === 0) return result;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const err = await loginOnce(base, users[i % users.length] ?? '', password);
      if (err === null) result.ok += 1;
      else {
        result.failed += 1;
        result.firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  return result;
}
