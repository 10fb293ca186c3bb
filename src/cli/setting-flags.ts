import { Option, type Command } from 'commander';
import type { RawValue } from '../config/load.js';
import { SETTINGS, type Setting, type SettingName } from '../config/schema.js';

/** Settings that have their own, differently named option (--data) and so get no generated flag. */
const NOT_A_FLAG: ReadonlySet<SettingName> = new Set<SettingName>(['dataDir']);

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function describe(s: Setting): string {
  const def = s.kind === 'list' ? s.default.join(',') || 'none' : String(s.default) || 'none';
  const values = s.kind === 'enum' ? `; one of ${s.values.join(', ')}` : s.kind === 'int' ? `; ${s.min}-${s.max}` : '';
  return `${s.doc} (${s.env ? `env ${s.env}; ` : ''}default ${def}${values})`;
}

/**
 * One option per setting, generated from the schema so a new setting is
 * settable on the command line without touching the command: `--max-frame-bytes
 * <value>`, and `--x` / `--no-x` for booleans. Options the command already
 * declares by hand are left as they are.
 */
export function addSettingFlags(cmd: Command): Command {
  const taken = new Set(cmd.options.map((o) => o.long));
  for (const [name, setting] of Object.entries(SETTINGS) as Array<[SettingName, Setting]>) {
    if (NOT_A_FLAG.has(name)) continue;
    const flag = `--${kebab(name)}`;
    if (taken.has(flag)) continue;
    if (setting.kind === 'bool') {
      // Both forms declared, so commander sets no default and an absent flag stays "not given".
      cmd.addOption(new Option(flag, describe(setting)));
      cmd.addOption(new Option(`--no-${kebab(name)}`, `turn ${name} off`));
    } else {
      cmd.addOption(new Option(`${flag} <value>`, describe(setting)));
    }
  }
  return cmd;
}

/** The settings given as flags, in the form loadConfig takes (commander camel-cases option names back). */
export function settingFlagValues(given: object): Partial<Record<SettingName, RawValue>> {
  const out: Partial<Record<SettingName, RawValue>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    if (NOT_A_FLAG.has(name)) continue;
    const v = (given as Readonly<Record<string, unknown>>)[name];
    if (typeof v === 'string' || typeof v === 'boolean') out[name] = v;
  }
  return out;
}
