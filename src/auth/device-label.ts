/** Longest device label kept: the sessions list is read on a phone. */
export const MAX_DEVICE_CHARS = 64;

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//, 'curl'],
  [/^node\b|\bundici\b/i, 'Node.js'],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\bAndroid\b/, 'Android'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

/** Control and bidi-override characters: a label must not reorder or hide the text around it. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text as a person gave it, made safe to show: unsafe characters removed, spaces collapsed, at most `max` characters. */
export function cleanLabel(text: string, max = MAX_DEVICE_CHARS): string {
  return [...text.replace(/\s+/g, ' ').replace(UNSAFE, '').trim()].slice(0, max).join('').trim();
}

/**
 * What the sessions list calls a sign-in: the `device` the client named,
 * else its User-Agent made readable ("Firefox on Linux"), else the
 * User-Agent's first 64 characters.
 */
export function deviceLabel(device: string | undefined, userAgent: string): string {
  const named = device === undefined ? '' : cleanLabel(device);
  if (named !== '') return named;
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser !== undefined && system !== undefined) return `${browser} on ${system}`;
  if (browser !== undefined) return browser;
  return cleanLabel(userAgent);
}
