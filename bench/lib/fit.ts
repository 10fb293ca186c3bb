/** Least-squares line through (x, y) points: bytes per connection from several steps, not one. */
export interface Line { slope: number; intercept: number; r2: number; points: number }

export function fitLine(points: ReadonlyArray<readonly [number, number]>): Line | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const den = n * sxx - sx * sx;
  if (den === 0) return null;
  const slope = (n * sxy - sx * sy) / den;
  const intercept = (sy - slope * sx) / n;
  const mean = sy / n;
  let ssTot = 0, ssRes = 0;
  for (const [x, y] of points) {
    ssTot += (y - mean) ** 2;
    ssRes += (y - (intercept + slope * x)) ** 2;
  }
  return { slope, intercept, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot, points: n };
}
