import t from 'tap';
import { deviceLabel } from '../../src/auth/device-label.js';

t.test('a named device wins, cleaned of control and bidi characters and cut to 64', async (t) => {
  t.equal(deviceLabel('  Kitchen\ttablet ', 'curl/8.0'), 'Kitchen tablet');
  t.equal(deviceLabel('Pixel\u202e 8\u0007', ''), 'Pixel 8');
  t.equal(deviceLabel('王芳的手机', ''), '王芳的手机');
  t.equal([...deviceLabel('x'.repeat(300), '')].length, 64);
  t.equal(deviceLabel('\u202e\u0000', 'curl/8.4.0'), 'curl', 'nothing left of it: the User-Agent decides');
});

t.test('a User-Agent is made readable', async (t) => {
  const cases: Array<[string, string]> = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari on iOS'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari on macOS'],
    ['node', 'Node.js'],
  ];
  for (const [ua, label] of cases) t.equal(deviceLabel(undefined, ua), label, label);
  t.equal(deviceLabel(undefined, `SomeBot/1.0 ${'z'.repeat(100)}`), `SomeBot/1.0 ${'z'.repeat(52)}`, 'unknown: its first 64 characters');
});
