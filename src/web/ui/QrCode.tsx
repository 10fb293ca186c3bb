import { useMemo } from 'preact/hooks';
import { encodeQr } from '../qr.js';

/** A QR code as SVG: one path of dark squares inside the standard's four-module light margin. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, path } = useMemo(() => {
    const q = encodeQr(text);
    let d = '';
    q.modules.forEach((row, r) => row.forEach((dark, c) => {
      if (dark) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    }));
    return { size: q.size + 8, path: d };
  }, [text]);
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} width={size * 5} height={size * 5} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
