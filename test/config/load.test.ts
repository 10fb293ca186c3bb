import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configWith, loadConfig } from '../../src/config/load.js';
import { SETTINGS } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'roost-config-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function configFile(content: unknown): string {
  const path = join(dir, `roost-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

t.test('with nothing given, every setting has its schema default', async (t) => {
  const { config, sources } = loadConfig({ env: {} });
  for (const [name, s] of Object.entries(SETTINGS)) {
    t.same(config[name as keyof typeof config], s.default, name);
    t.equal(sources[name as keyof typeof sources], 'default', name);
  }
  t.equal(config.port, 8080);
  t.equal(config.host, '0.0.0.0');
  t.equal(config.dataDir, './roost-data');
});

t.test('precedence is flag over env over file over default', async (t) => {
  const file = configFile({ port: 1111, host: '127.0.0.2', logLevel: 'warn' });
  const env = { ROOST_PORT: '2222', ROOST_HOST: '127.0.0.3' };
  const { config, sources } = loadConfig({ file, env, flags: { port: '3333' } });
  t.equal(config.port, 3333);
  t.equal(sources.port, 'flag');
  t.equal(config.host, '127.0.0.3');
  t.equal(sources.host, 'env');
  t.equal(config.logLevel, 'warn');
  t.equal(sources.logLevel, 'file');
  t.equal(config.synchronous, 'FULL');
  t.equal(sources.synchronous, 'default');
});

t.test('an empty environment variable counts as unset', async (t) => {
  t.equal(loadConfig({ env: { ROOST_PORT: '' } }).config.port, 8080);
});

t.test('an unknown key in the file is refused with a "did you mean"', async (t) => {
  const file = configFile({ maxFrameByte: 2048 });
  t.throws(() => loadConfig({ file, env: {} }), ConfigError);
  t.throws(() => loadConfig({ file, env: {} }), { message: /unknown key "maxFrameByte" \(did you mean "maxFrameBytes"\?\)/ });
  const far = configFile({ zzzzzzzzzzzz: 1 });
  t.throws(() => loadConfig({ file: far, env: {} }), { message: /unknown key "zzzzzzzzzzzz"$/ });
});

t.test('a file that is missing, not JSON or not an object is refused clearly', async (t) => {
  t.throws(() => loadConfig({ file: join(dir, 'absent.json'), env: {} }), { message: /cannot read config file .*ENOENT/ });
  t.throws(() => loadConfig({ file: configFile('{port: 1'), env: {} }), { message: /not valid JSON/ });
  t.throws(() => loadConfig({ file: configFile('[1]'), env: {} }), { message: /must hold a JSON object/ });
});

t.test('bad values are refused with the setting, the source and the value', async (t) => {
  t.throws(() => loadConfig({ env: { ROOST_PORT: 'eighty' } }), { message: /environment ROOST_PORT: port must be a whole number \(got "eighty"\)/ });
  t.throws(() => loadConfig({ env: {}, flags: { port: 70000 } }), { message: /command line: port must be between 0 and 65535/ });
  t.throws(() => loadConfig({ env: {}, flags: { port: '1.5' } }), { message: /port must be a whole number/ });
  t.throws(() => loadConfig({ env: { ROOST_SYNCHRONOUS: 'OFF' } }), { message: /synchronous must be one of FULL, NORMAL/ });
  t.throws(() => loadConfig({ file: configFile({ maxFrameBytes: 10 }), env: {} }), { message: /config file .*maxFrameBytes must be between 1024/ });
  t.throws(() => loadConfig({ file: configFile({ host: '' }), env: {} }), { message: /host must be a non-empty string/ });
  t.throws(() => loadConfig({ file: configFile({ allowedOrigins: [1, 2] }), env: {} }), { message: /allowedOrigins must be a list of strings/ });
});

t.test('values are coerced from text where env and flags give text', async (t) => {
  const { config } = loadConfig({
    env: { ROOST_SYNCHRONOUS: 'normal', ROOST_ALLOWED_ORIGINS: 'https://a.example, https://b.example,' },
    flags: { maxBodyChars: '500' },
  });
  t.equal(config.synchronous, 'NORMAL');
  t.same(config.allowedOrigins, ['https://a.example', 'https://b.example']);
  t.equal(config.maxBodyChars, 500);
});

t.test('the loaded config is frozen', async (t) => {
  const config = configWith({ port: 0 });
  t.ok(Object.isFrozen(config));
  t.throws(() => {
    (config as { port: number }).port = 1;
  });
});

t.test('a setting that is off by default (empty) can be set back to empty; others cannot be emptied', async (t) => {
  t.equal(loadConfig({ env: {}, flags: { tlsCert: '' } }).config.tlsCert, '');
  t.throws(() => loadConfig({ env: {}, flags: { host: '' } }), /host must be a non-empty string/);
});
