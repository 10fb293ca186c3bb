import { ok, warn, type CheckResult, type DoctorInputs } from './types.js';

/** The assistant sends room messages to its model server: say where, and warn when that may be off the LAN. */
export function assistantCheck(i: DoctorInputs): CheckResult {
  const id = 'assistant';
  const title = 'Assistant (local LLM)';
  const a = i.database.assistant;
  if (a === undefined || !a.enabled) return ok(id, title, 'off');
  if (a.allowRemote) {
    return warn(id, title, `on: ${a.model} at ${a.url}, remote targets allowed: room messages in prompts may leave the LAN`,
      `run the model server on the LAN and \`roost assistant enable --url URL --model ${a.model}\` without --allow-remote`);
  }
  return ok(id, title, `on: ${a.model} at ${a.url} (LAN only; \`roost assistant status\` checks it answers)`);
}
