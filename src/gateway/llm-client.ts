import { checkTarget } from './lan-target.js';

/**
 * The HTTP side of the assistant: an OpenAI-compatible server (Ollama,
 * llama.cpp's server, …) asked with Node's global fetch. One
 * AbortSignal.timeout per request bounds the whole answer (connect, wait and
 * stream); the host is checked to be on the LAN before each request unless
 * remote targets are allowed (fetch takes no lookup hook, so a name is
 * resolved here, just before).
 */

export type LlmFailure = 'unreachable' | 'timeout' | 'http' | 'garbage' | 'remote';

export class LlmError extends Error {
  constructor(readonly code: LlmFailure, message: string) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }

export interface CompletionRequest {
  url: string; model: string; messages: ChatMessage[]; allowRemote: boolean; timeoutMs: number; maxTokens?: number;
  /** Aborts the answer early (the server is stopping). */
  stop?: AbortSignal;
}

/** A streamed answer's lines are read up to this; a longer line is garbage, not a reason to grow memory. */
const MAX_LINE_CHARS = 256 * 1024;

function failure(err: unknown): LlmError {
  if (err instanceof LlmError) return err;
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError') return new LlmError('timeout', 'the model server did not answer in time');
  if (name === 'AbortError') return new LlmError('timeout', 'the answer was stopped (the server is stopping, or its time ran out)');
  if (err instanceof Error && err.name === 'RemoteTargetError') return new LlmError('remote', err.message);
  // The cause is posted into the room: credentials in a URL it names (one stored before they were refused) are cut.
  const cause = (err instanceof Error ? err.message : String(err)).replace(/\/\/[^/@\s]*@/g, '//');
  return new LlmError('unreachable', `the model server could not be reached (${cause})`);
}

/** The text pieces of a streamed chat completion, in order; throws LlmError on any failure. */
export async function* streamCompletion(req: CompletionRequest): AsyncGenerator<string> {
  const signal = answerSignal(req.timeoutMs, req.stop);
  let res: Response;
  try {
    await checkTarget(req.url, req.allowRemote);
    res = await fetch(`${req.url}/v1/chat/completions`, {
      // Only the checked address is spoken to: a redirect would carry the prompt to one nobody checked.
      method: 'POST', signal, redirect: 'manual',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ model: req.model, messages: req.messages, stream: true, ...(req.maxTokens === undefined ? {} : { max_tokens: req.maxTokens }) }),
    });
  } catch (err) {
    throw failure(err);
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel().catch(() => undefined);
    throw new LlmError('http', `the model server answered HTTP ${res.status}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let done = false;
  try {
    while (!done) {
      const chunk = await reader.read().catch((err: unknown) => {
        throw failure(err);
      });
      if (chunk.done) break;
      buffered += chunk.value;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, '');
        buffered = buffered.slice(newline + 1);
        const piece = parseLine(line);
        if (piece === DONE) {
          done = true;
          break;
        }
        if (piece !== '') yield piece;
        newline = buffered.indexOf('\n');
      }
      if (buffered.length > MAX_LINE_CHARS) throw new LlmError('garbage', 'the model server sent an over-long line');
    }
    if (!done && parseLine(buffered.trim()) === DONE) done = true;
  } finally {
    // Stops the body (and its socket) whether the answer ended, failed or was cut by its reader.
    await reader.cancel().catch(() => undefined);
  }
  if (!done) throw new LlmError('garbage', 'the model server\'s stream ended without [DONE]');
}

const DONE = Symbol('done');

/** The answer's timeout, or an earlier stop: one signal for fetch and the body's reads. */
function answerSignal(timeoutMs: number, stop: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  if (stop === undefined) return timeout;
  const both = new AbortController();
  const end = (reason: unknown): void => both.abort(reason);
  timeout.addEventListener('abort', () => end(timeout.reason), { once: true });
  if (stop.aborted) end(stop.reason);
  else stop.addEventListener('abort', () => end(stop.reason), { once: true });
  return both.signal;
}

/** One SSE line: `data: {json}` gives its delta's text; `data: [DONE]` ends; comments, blank and other fields give ''. */
function parseLine(line: string): string | typeof DONE {
  if (!line.startsWith('data:')) return '';
  const data = line.slice(5).trim();
  if (data === '[DONE]') return DONE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new LlmError('garbage', 'the model server sent a stream that is not JSON');
  }
  const choice = (parsed as { choices?: Array<{ delta?: { content?: unknown } }> } | null)?.choices?.[0];
  if (choice === undefined) throw new LlmError('garbage', 'the model server sent a chunk without choices');
  const content = choice.delta?.content;
  return typeof content === 'string' ? content : '';
}

export interface ModelList { reachable: boolean; models: string[]; why?: string }

/** `GET <url>/v1/models` within `timeoutMs`: what `roost assistant status` shows. */
export async function listModels(url: string, allowRemote: boolean, timeoutMs: number): Promise<ModelList> {
  try {
    await checkTarget(url, allowRemote);
    const res = await fetch(`${url}/v1/models`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { reachable: false, models: [], why: `HTTP ${res.status}` };
    }
    const body = await res.json() as { data?: Array<{ id?: unknown }> } | null;
    const models = (body?.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
    return { reachable: true, models };
  } catch (err) {
    return { reachable: false, models: [], why: failure(err).message };
  }
}
