import type { Command } from 'commander';
import { configFileToUse } from '../config/default-file.js';
import { loadConfig, type RawValue } from '../config/load.js';
import { SETTINGS, type Setting, type SettingName } from '../config/schema.js';
import { out, table } from './io.js';

const envOf = (n: SettingName): string | undefined => (SETTINGS[n] as Setting).env;

function show(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** `roost config show|check`: what the server would run with, and whether a file is valid. */
export function configCommands(program: Command): void {
  const config = program.command('config').description('show the effective configuration or check a config file');

  config.command('show')
    .description('every setting with its effective value and where it came from (flag, env, file or default)')
    .option('--config <file>', 'config file (JSON; env ROOST_CONFIG; default /etc/roost/roost.json when present)')
    .option('--data <dir>', 'data folder (env ROOST_DATA)')
    .option('--json', 'print JSON: {file, settings: {name: {value, source, env}}}')
    .action((opts: { config?: string; data?: string; json?: boolean }) => {
      const file = configFileToUse(opts.config);
      const flags: Partial<Record<SettingName, RawValue>> = opts.data === undefined ? {} : { dataDir: opts.data };
      const { config: effective, sources } = loadConfig({ file, flags });
      const names = Object.keys(SETTINGS) as SettingName[];
      if (opts.json) {
        const settings = Object.fromEntries(names.map((n) => [n, { value: effective[n], source: sources[n], env: envOf(n) ?? null }]));
        out(JSON.stringify({ file: file ?? null, settings }, null, 2));
        return;
      }
      out(`config file: ${file ?? 'none (pass --config FILE, set ROOST_CONFIG, or create /etc/roost/roost.json)'}`);
      table(names.map((n) => ({
        setting: n,
        value: show(effective[n]),
        source: sources[n] === 'env' ? `env ${envOf(n) ?? ''}` : sources[n],
      })), ['setting', 'value', 'source']);
    });

  config.command('check <file>')
    .description('validate a config file: every unknown key and bad value, one line each; exit 1 if any')
    .action((file: string) => {
      // Only the file is judged: the environment of whoever runs the check must not mask or cause errors.
      const { sources } = loadConfig({ file, env: {} });
      const set = (Object.keys(sources) as SettingName[]).filter((n) => sources[n] === 'file');
      out(`${file}: ok (${set.length} setting${set.length === 1 ? '' : 's'} set${set.length > 0 ? `: ${set.join(', ')}` : ''}; the rest default)`);
    });
}
