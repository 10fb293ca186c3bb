import { existsSync } from 'node:fs';

/** Where `roost service install` puts the config, and where every command looks when not told. */
export const SYSTEM_CONFIG_FILE = '/etc/roost/roost.json';

/**
 * The config file a command reads: --config, else ROOST_CONFIG, else the
 * system file when it exists (so `sudo -u roost roost user add …` acts on the
 * installed service's data without repeating where it is), else none.
 * ROOST_CONFIG set but empty means "no file": tests and one-off runs opt out.
 */
export function configFileToUse(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, systemFile = SYSTEM_CONFIG_FILE): string | undefined {
  if (explicit !== undefined && explicit !== '') return explicit;
  const fromEnv = env.ROOST_CONFIG;
  if (fromEnv !== undefined) return fromEnv === '' ? undefined : fromEnv;
  return existsSync(systemFile) ? systemFile : undefined;
}
