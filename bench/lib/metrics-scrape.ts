/** Reads a few gauges from a Roost server's Prometheus /metrics. */

export function parseGauge(text: string, name: string): number | null {
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm');
  const m = re.exec(text);
  if (m === null) return null;
  const v = Number(m[1]);
  return Number.isFinite(v) ? v : null;
}

export interface ServerGauges { loopLagP99Ms: number | null; loopLagMaxMs: number | null; rssBytes: number | null; connections: number | null; heapUsedBytes: number | null }

/** Every scrape resets the server's lag histogram, so each reading covers the time since the last. */
export async function scrapeMetrics(httpBase: string, adminToken?: string): Promise<ServerGauges | null> {
  try {
    const res = await fetch(`${httpBase}/metrics`, {
      headers: adminToken === undefined ? {} : { Authorization: `Bearer ${adminToken}` },
      signal: AbortSignal.timeout(3000),
    });
    if (res.status !== 200) return null;
    const text = await res.text();
    const s = (n: string): number | null => parseGauge(text, n);
    const lag = s('roost_event_loop_lag_p99_seconds');
    const max = s('roost_event_loop_lag_max_seconds');
    return {
      loopLagP99Ms: lag === null ? null : lag * 1000,
      loopLagMaxMs: max === null ? null : max * 1000,
      rssBytes: s('process_resident_memory_bytes'),
      connections: s('roost_connections'),
      heapUsedBytes: s('roost_heap_used_bytes'),
    };
  } catch {
    return null;
  }
}
