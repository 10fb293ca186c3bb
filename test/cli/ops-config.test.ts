import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import t from 'tap';
import { addSettingFlags, settingFlagValues } from '../../src/cli/setting-flags.js';
import { configFileToUse } from '../../src/config/default-file.js';
import { loadConfig } from '../../src/config/load.js';
import { SETTINGS } from '../../src/config/schema.js';
import { roost } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'roost-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

t.test('config show prints each setting with its value and where it came from', async (t) => {
  const cfg = file('show.json', { port: 9001, logLevel: 'warn' });
  const r = await roost(['config', 'show', '--config', cfg, '--data', join(dir, 'd')], { env: { ROOST_HOST: '127.0.0.9' } });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`config file: ${cfg}`));
  t.match(r.stdout, /^port\s+9001\s+file$/m);
  t.match(r.stdout, /^logLevel\s+warn\s+file$/m);
  t.match(r.stdout, /^host\s+127\.0\.0\.9\s+env ROOST_HOST$/m);
  t.match(r.stdout, /^dataDir\s+\S+\/d\s+flag$/m);
  t.match(r.stdout, /^synchronous\s+FULL\s+default$/m);
  const json = await roost(['config', 'show', '--config', cfg, '--json']);
  const parsed = JSON.parse(json.stdout) as { file: string; settings: Record<string, { value: unknown; source: string }> };
  t.equal(parsed.file, cfg);
  t.same(parsed.settings.port, { value: 9001, source: 'file', env: 'ROOST_PORT' });
  t.same(Object.keys(parsed.settings).sort(), Object.keys(SETTINGS).sort(), 'every setting is shown');
});

t.test('config check reports every wrong key and value, one line each, and exits 1', async (t) => {
  const bad = file('bad.json', { prot: 80, maxFrameByte: 1, port: 70000, logLevel: 'loud', zzzzzzzzzzzzz: 1 });
  const r = await roost(['config', 'check', bad]);
  t.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 5, r.stderr);
  t.match(r.stderr, /unknown key "prot" \(did you mean "port"\?\)/);
  t.match(r.stderr, /unknown key "maxFrameByte" \(did you mean "maxFrameBytes"\?\)/);
  t.match(r.stderr, /unknown key "zzzzzzzzzzzzz"\n|unknown key "zzzzzzzzzzzzz"$/m);
  t.match(r.stderr, /port must be between 0 and 65535 \(got 70000\)/);
  t.match(r.stderr, /logLevel must be one of .* \(got "loud"\)/);
});

t.test('config check accepts a good file and ignores the environment of whoever runs it', async (t) => {
  const good = file('good.json', { port: 8443, mdns: false, maxConnections: 20000 });
  const r = await roost(['config', 'check', good], { env: { ROOST_PORT: 'not-a-number' } });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /ok \(3 settings set: port, maxConnections, mdns; the rest default\)/);
  const notJson = await roost(['config', 'check', file('broken.json', '{"port": ')]);
  t.equal(notJson.code, 1);
  t.match(notJson.stderr, /not valid JSON/);
});

t.test('the config file is --config, else ROOST_CONFIG, else the system file when present', async (t) => {
  const system = file('system.json', {});
  t.equal(configFileToUse('/x.json', { ROOST_CONFIG: '/y.json' }, system), '/x.json');
  t.equal(configFileToUse(undefined, { ROOST_CONFIG: '/y.json' }, system), '/y.json');
  t.equal(configFileToUse(undefined, {}, system), system);
  t.equal(configFileToUse(undefined, {}, join(dir, 'absent.json')), undefined);
  t.equal(configFileToUse(undefined, { ROOST_CONFIG: '' }, system), undefined, 'an empty ROOST_CONFIG opts out of the system file');
});

t.test('serve has a flag for every setting, generated from the schema', async (t) => {
  const help = await roost(['serve', '--help']);
  t.equal(help.code, 0);
  for (const flag of ['--max-frame-bytes <value>', '--writer-batch-max <value>', '--max-connections <value>', '--mdns', '--no-mdns', '--synchronous <value>', '--port <n>']) {
    t.ok(help.stdout.includes(flag), flag);
  }
  const cmd = addSettingFlags(new Command('serve').exitOverride().option('--port <n>', 'hand-written'));
  cmd.parse(['--max-frame-bytes', '2048', '--no-mdns', '--synchronous', 'normal', '--port', '81', '--allowed-origins', 'http://a,http://b'], { from: 'user' });
  const flags = settingFlagValues(cmd.opts());
  t.same(flags, { maxFrameBytes: '2048', mdns: false, synchronous: 'normal', port: '81', allowedOrigins: 'http://a,http://b' }, 'only given flags, in loadConfig form');
  const { config, sources } = loadConfig({ env: {}, flags });
  t.equal(config.maxFrameBytes, 2048);
  t.equal(config.mdns, false);
  t.equal(config.synchronous, 'NORMAL');
  t.same(config.allowedOrigins, ['http://a', 'http://b']);
  t.equal(sources.maxFrameBytes, 'flag');
  t.equal(sources.frameBurst, 'default', 'an absent flag leaves the default');
  const none = addSettingFlags(new Command('serve').exitOverride());
  none.parse([], { from: 'user' });
  t.same(settingFlagValues(none.opts()), {}, 'no flag given: no boolean defaults sneak in as flags');
});
