/**
 * A small hand-written SVG: connections against server RSS (left) and
 * against p99 latency (right), one line per server measured.
 */
export interface Series { name: string; points: Array<[number, number]> }

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
const W = 420;
const H = 300;
const PAD = { l: 60, r: 15, t: 30, b: 45 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round-ish tick values from 0 to a bit above max. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999 && out.length < 50; v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

const fmt = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(Number(v.toPrecision(3))));

function panel(x0: number, title: string, yLabel: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  const xt = ticks(Math.max(1, ...all.map((p) => p[0])));
  const yt = ticks(Math.max(0, ...all.map((p) => p[1])));
  const xMax = xt[xt.length - 1] ?? 1;
  const yMax = yt[yt.length - 1] ?? 1;
  const px = (x: number): number => x0 + PAD.l + ((W - PAD.l - PAD.r) * x) / xMax;
  const py = (y: number): number => H - PAD.b - ((H - PAD.t - PAD.b) * y) / yMax;
  const out: string[] = [`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  if (all.length === 0) out.push(`<text x="${x0 + W / 2}" y="${H / 2}" text-anchor="middle" fill="#666">not measured in this scenario</text>`);
  for (const v of xt) out.push(`<line x1="${px(v)}" y1="${py(0)}" x2="${px(v)}" y2="${PAD.t}" stroke="#eee"/><text x="${px(v)}" y="${H - PAD.b + 15}" text-anchor="middle">${fmt(v)}</text>`);
  for (const v of yt) out.push(`<line x1="${px(0)}" y1="${py(v)}" x2="${px(xMax)}" y2="${py(v)}" stroke="#eee"/><text x="${px(0) - 5}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  out.push(`<line x1="${px(0)}" y1="${py(0)}" x2="${px(xMax)}" y2="${py(0)}" stroke="#000"/><line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${PAD.t}" stroke="#000"/>`);
  out.push(`<text x="${x0 + W / 2}" y="${H - 8}" text-anchor="middle">connections</text>`);
  out.push(`<text transform="translate(${x0 + 14} ${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000';
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of pts) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
  });
  return out.join('\n');
}

export function chartSvg(title: string, rss: Series[], p99: Series[]): string {
  const legend = rss.map((s, i) => `<rect x="${20 + i * 160}" y="${H + 8}" width="12" height="12" fill="${COLORS[i % COLORS.length] ?? '#000'}"/><text x="${36 + i * 160}" y="${H + 18}">${esc(s.name)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W * 2}" height="${H + 50}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    panel(0, 'Server RSS', 'MiB', rss),
    panel(W, 'p99 latency', 'ms', p99),
    ...legend,
    `<text x="${W * 2 - 10}" y="${H + 40}" text-anchor="end" fill="#666">${esc(title)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
