import type { Command } from 'commander';
import { disableAssistant, enableAssistant, readAssistant, validAssistantUrl } from '../store/admin/assistant.js';
import { cliActor } from '../store/history/audit.js';
import { withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, UsageError } from './io.js';

/** How long `status` waits for the model server: it is a glance, not a wait. */
const STATUS_TIMEOUT_MS = 3000;

/** `roost assistant …`: a local LLM that answers when its bot is mentioned in a room it was invited to. */
export function assistantCommands(program: Command): void {
  const assistant = program.command('assistant').description('a local LLM (Ollama, llama.cpp server: OpenAI-compatible) that answers @mentions of its bot');

  withDataOptions(assistant.command('enable'))
    .description('turn the assistant on (makes its bot if missing; invite the bot to the rooms where it may answer)')
    .requiredOption('--url <url>', 'the model server\'s base URL, e.g. http://127.0.0.1:11434 (on the LAN unless --allow-remote)')
    .requiredOption('--model <name>', 'the model to ask, e.g. llama3.2:3b')
    .option('--name <name>', 'the assistant bot\'s user name (people mention it as @name)', 'assistant')
    .option('--allow-remote', 'allow a URL outside the LAN: room messages then leave this network')
    .action(async (opts: DataFlags & { url: string; model: string; name: string; allowRemote?: boolean }) => {
      const allowRemote = opts.allowRemote === true;
      const url = validAssistantUrl(opts.url);
      const { checkTarget, RemoteTargetError } = await import('../gateway/lan-target.js');
      try {
        await checkTarget(url, allowRemote);
      } catch (err) {
        const why = err instanceof RemoteTargetError ? `${new URL(url).hostname} is not on the LAN (loopback, private or link-local addresses, .local names); pass --allow-remote to send room messages there` : String(err);
        throw new UsageError(why);
      }
      const set = await withDb(opts, (db) => enableAssistant(db, { url, model: opts.model, name: opts.name, allowRemote }, cliActor()));
      out(`assistant enabled: @${set.botName} asks ${set.model} at ${set.url}${set.allowRemote ? ' (remote allowed: prompts may leave the LAN)' : ''}`);
      out(`invite it to a room: \`roost room add ROOM ${set.botName}\`; a running server picks this up within a second`);
    });

  withDataOptions(assistant.command('disable'))
    .description('turn the assistant off (its bot and past answers stay)')
    .action(async (opts: DataFlags) => {
      const changed = await withDb(opts, (db) => disableAssistant(db, cliActor()));
      out(changed ? 'assistant disabled' : 'the assistant was not enabled');
    });

  withDataOptions(assistant.command('status'))
    .description('whether the assistant is on, where, and whether its model server answers')
    .option('--json', 'print JSON')
    .action(async (opts: DataFlags & { json?: boolean }) => {
      const set = await withDb(opts, (db) => readAssistant(db));
      if (set === undefined) {
        if (opts.json === true) out(JSON.stringify({ enabled: false }));
        else out('assistant: never enabled (`roost assistant enable --url URL --model NAME`)');
        return;
      }
      const { listModels } = await import('../gateway/llm-client.js');
      const probe = await listModels(set.url, set.allowRemote, STATUS_TIMEOUT_MS);
      const modelPresent = probe.models.includes(set.model);
      if (opts.json === true) {
        out(JSON.stringify({ enabled: set.enabled, url: set.url, model: set.model, bot: set.botName, allowRemote: set.allowRemote, reachable: probe.reachable, modelPresent, why: probe.why ?? null }));
        return;
      }
      out(`assistant: ${set.enabled ? 'enabled' : 'disabled'}`);
      out(`bot: @${set.botName}`);
      out(`url: ${set.url}${set.allowRemote ? ' (remote allowed)' : ''}`);
      out(`model: ${set.model}`);
      out(`reachable: ${probe.reachable ? 'yes' : `no (${probe.why ?? 'no answer'})`}`);
      if (probe.reachable) out(`model present: ${modelPresent ? 'yes' : `no (the server has: ${probe.models.join(', ') || 'none'})`}`);
    });
}
