import { readFileSync } from 'node:fs';
import { RoostError } from '../protocol/errors.js';
import { SETTINGS, type Config, type Setting, type SettingName } from './schema.js';

export type Source = 'default' | 'file' | 'env' | 'flag';
export type RawValue = string | number | boolean | readonly string[];

export interface LoadedConfig {
  config: Config;
  sources: Record<SettingName, Source>;
}

export class ConfigError extends RoostError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'ConfigError';
  }
}

const NAMES = Object.keys(SETTINGS) as SettingName[];

function isName(key: string): key is SettingName {
  return Object.hasOwn(SETTINGS, key);
}

/** Suggests the closest known name so a typo gets a useful error. */
function closest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of NAMES) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = name;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Turns a raw value (from JSON, env or a flag) into a valid setting value or throws one clear error. */
export function coerce(name: SettingName, raw: RawValue, origin: string): RawValue {
  const s = SETTINGS[name] as Setting;
  const fail = (why: string): never => {
    throw new ConfigError(`${origin}: ${name} ${why} (got ${JSON.stringify(raw)})`);
  };
  switch (s.kind) {
    case 'int': {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) return fail('must be a whole number');
      if (n < s.min || n > s.max) return fail(`must be between ${s.min} and ${s.max}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return fail('must be true or false');
    }
    case 'enum': {
      const v = typeof raw === 'string' ? raw : '';
      const match = s.values.find((x) => x.toLowerCase() === v.toLowerCase());
      return match ?? fail(`must be one of ${s.values.join(', ')}`);
    }
    case 'list': {
      if (typeof raw === 'string') return raw.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw;
      return fail('must be a list of strings');
    }
    case 'string': {
      // A setting whose default is '' (tlsCert, tlsKey) may be set back to '' (off).
      if (typeof raw !== 'string' || (raw.length === 0 && s.default !== '')) return fail('must be a non-empty string');
      return raw;
    }
  }
}

/** The file's settings; unknown keys are added to `wrong` (one line each) and left out. */
function fileLayer(path: string, wrong: string[]): Partial<Record<SettingName, RawValue>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  const out: Partial<Record<SettingName, RawValue>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!isName(key)) {
      const hint = closest(key);
      wrong.push(`config file ${path}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
      continue;
    }
    out[key] = value as RawValue;
  }
  return out;
}

function envLayer(env: NodeJS.ProcessEnv): Partial<Record<SettingName, RawValue>> {
  const out: Partial<Record<SettingName, RawValue>> = {};
  for (const name of NAMES) {
    const s = SETTINGS[name] as Setting;
    const v = s.env === undefined ? undefined : env[s.env];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Partial<Record<SettingName, RawValue>>;
}

/** Effective config: flag > env > file > default, every value validated, the result frozen. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const values: Record<string, RawValue> = {};
  const sources = {} as Record<SettingName, Source>;
  for (const name of NAMES) {
    values[name] = SETTINGS[name].default;
    sources[name] = 'default';
  }
  // Every wrong key and value is reported, one line each, so a file is fixed in one pass.
  const wrong: string[] = [];
  const layers: Array<[Source, Partial<Record<SettingName, RawValue>>, string]> = [
    ['file', options.file ? fileLayer(options.file, wrong) : {}, `config file ${options.file ?? ''}`],
    ['env', envLayer(options.env ?? process.env), 'environment'],
    ['flag', options.flags ?? {}, 'command line'],
  ];
  for (const [source, layer, origin] of layers) {
    for (const name of NAMES) {
      const raw = layer[name];
      if (raw === undefined) continue;
      const s = SETTINGS[name] as Setting;
      const where = source === 'env' && s.env ? `${origin} ${s.env}` : origin;
      try {
        values[name] = coerce(name, raw, where);
        sources[name] = source;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        wrong.push(err.message);
      }
    }
  }
  if (wrong.length > 0) throw new ConfigError(wrong.join('\n'));
  return { config: Object.freeze(values) as unknown as Config, sources };
}

/** A config with defaults and a few overrides, for tests and embedding. */
export function configWith(overrides: Partial<Record<SettingName, RawValue>> = {}): Config {
  return loadConfig({ env: {}, flags: overrides }).config;
}
