import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { WireMessage } from '../protocol/frames.js';
import type { MessageFrame } from '../protocol/server-frames.js';
import { cutText } from '../protocol/text-cut.js';
import type { LiveAssistant } from '../store/read/integration-reader.js';
import { CHARS_PER_TOKEN, fitNewestFirst, line, promptMessages, questionKind, searchWords, visibleHits, type QuestionKind } from './assistant-prompt.js';
import type { Membership } from './membership.js';
import type { ChangeOutcome, MessageChange } from './message-actions.js';
import type { HistorySource } from './ports.js';
import { SeenReads } from './seen-reads.js';
import type { ChatService, SendExtras, SendOutcome } from './service.js';

/**
 * The assistant's rules: a message that mentions the assistant's bot, in a
 * room the bot is in, is answered by a local LLM. What enters the prompt is
 * decided here and only here: that room's messages (recent, the asker's unread
 * for a catch-up, search hits for a question about the past), each no older
 * than what the asker may read. The answer is posted as the bot, replying to
 * the question, and grows by edits while it streams: ordinary history.
 *
 * Its own failure domain: `observe` only queues; an answer runs off the send
 * path, one at a time over the server (a Pi runs one model at a time), with a
 * bounded queue. A room has at most one question queued or answering; another
 * gets a short "busy" reply. Any failure becomes one short message in the room.
 */

export type { LiveAssistant };

export interface CompletionAsk {
  url: string; model: string; allowRemote: boolean; timeoutMs: number; maxTokens: number;
  /** Aborted when the assistant stops (the server is closing): a running answer ends at once. */
  stop: AbortSignal;
  messages: Array<{ role: 'system' | 'user'; content: string }>;
}

export type AssistantConfig = Pick<Config, 'assistantContextTokens' | 'assistantMaxAnswerChars' | 'assistantTimeoutSeconds' | 'assistantQueueMax' | 'assistantEditIntervalMs' | 'maxBodyChars'>;

export interface AssistantDeps {
  config: AssistantConfig;
  /** The enabled setting, as the server last read it (absent: disabled). */
  setting: () => LiveAssistant | undefined;
  membership: Pick<Membership, 'isMember' | 'firstSeq'>;
  history: Pick<HistorySource, 'history'>;
  /** ChatService.search: the one search path (the asker's rooms, their history visibility). */
  search: Pick<ChatService, 'search'>;
  /** The asker's read marker in a room (0: nothing read). */
  readSeq: (room: number, user: number) => number;
  roomName: (room: number) => string;
  nameOf: (user: number) => string;
  /** ChatService.send: the one send path. */
  send: (user: number, room: string, body: string, clientMsgId: string, done: (outcome: SendOutcome) => void, extras?: SendExtras) => void;
  /** MessageActions.apply: the one edit path. */
  edit: (op: MessageChange, done: (outcome: ChangeOutcome) => void) => void;
  /** The model server's streamed answer, piece by piece; throws (an Error with a short message) on any failure. */
  complete: (ask: CompletionAsk) => AsyncIterable<string>;
  log: Logger;
  now?: () => number;
}

interface Question { room: number; asker: number; seq: number; body: string; who: LiveAssistant }

/** Most messages read for a prompt's context: one indexed page. */
const CONTEXT_PAGE = 200;
const SEARCH_HITS = 10;
/** Read markers remembered for catch-ups (a few hundred kilobytes at most). */
const SEEN_READS_MAX = 10_000;
export const BUSY_TEXT = 'I am still answering a question in this room; ask again when that answer is done.';
export const FULL_TEXT = 'Too many questions are waiting for me right now; ask again in a minute.';

export class Assistant {
  private readonly queue: Question[] = [];
  /** Rooms with a question queued or being answered. */
  private readonly rooms = new Set<number>();
  private running = false;
  private stopped = false;
  private readonly stopping = new AbortController();
  private readonly now: () => number;
  private readonly seenReads = new SeenReads(SEEN_READS_MAX);

  constructor(private readonly deps: AssistantDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Questions waiting or being answered (a gauge; bounded by assistantQueueMax). */
  get depth(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** Sees every frame published to a topic; costs a lookup unless the assistant is enabled and mentioned. */
  observe(topic: string, frame: string): void {
    const who = this.deps.setting();
    if (who === undefined || this.stopped || !topic.startsWith('room:')) return;
    // Every frame of every room passes here: rooms without the assistant cost one cached lookup, no parse.
    const room = Number(topic.slice(5));
    if (!this.deps.membership.isMember(room, who.bot)) return;
    let m: MessageFrame;
    try {
      this.seenReads.observe(frame);
      if (!frame.includes('"mentions"')) return;
      m = JSON.parse(frame) as MessageFrame;
    } catch (err) {
      this.deps.log.error({ err, topic }, 'the assistant could not read a published frame');
      return;
    }
    if (m.type !== 'message' || m.from === String(who.bot) || !(m.mentions ?? []).includes(String(who.bot))) return;
    this.ask({ room, asker: Number(m.from), seq: m.seq, body: m.body, who });
  }

  ask(q: Question): void {
    if (this.rooms.has(q.room)) return this.post(q, BUSY_TEXT);
    if (this.depth >= this.deps.config.assistantQueueMax) return this.post(q, FULL_TEXT);
    this.rooms.add(q.room);
    this.queue.push(q);
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    for (const q of this.queue) this.rooms.delete(q.room);
    this.queue.length = 0;
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    let q: Question | undefined;
    while ((q = this.queue.shift()) !== undefined && !this.stillAsked(q)) this.rooms.delete(q.room);
    if (q === undefined) return;
    this.running = true;
    void this.answer(q)
      .catch((err: unknown) => this.deps.log.error({ err, room: q.room }, 'the assistant\'s answer failed'))
      .finally(() => {
        this.running = false;
        this.rooms.delete(q.room);
        this.pump();
      });
  }

  /**
   * A queued question is answered only under the setting it was asked under: after a disable, or a new
   * model server (or remote permission), no room's text goes to a server the admin has since turned away from.
   */
  private stillAsked(q: Question): boolean {
    const now = this.deps.setting();
    return now !== undefined && now.bot === q.who.bot && now.url === q.who.url && now.model === q.who.model
      && now.allowRemote === q.who.allowRemote && this.deps.membership.isMember(q.room, now.bot);
  }

  /** A short message from the bot, replying to the question; a failure to post it costs a log line. */
  private post(q: Question, text: string): void {
    this.deps.send(q.who.bot, String(q.room), text, `assistant-${randomUUID()}`, (o) => {
      if (!o.ok) this.deps.log.warn({ room: q.room, code: o.code }, 'the assistant\'s message could not be posted');
    }, { replyTo: q.seq });
  }

  private postAwait(q: Question, text: string): Promise<SendOutcome> {
    return new Promise((resolve) => this.deps.send(q.who.bot, String(q.room), text, `assistant-${randomUUID()}`, resolve, { replyTo: q.seq }));
  }

  private editAwait(q: Question, seq: number, body: string): Promise<ChangeOutcome> {
    const windowMs = this.deps.config.assistantTimeoutSeconds * 1000 + 60_000;
    return new Promise((resolve) => this.deps.edit({ k: 'edit', room: q.room, user: q.who.bot, seq, body, windowMs }, resolve));
  }

  /** Builds the prompt from what the asker may read in that room only. */
  async prompt(q: Question): Promise<CompletionAsk['messages']> {
    const { config, membership, history } = this.deps;
    const budget = config.assistantContextTokens * CHARS_PER_TOKEN;
    const kind: QuestionKind = questionKind(q.body);
    const question = q.body.slice(0, Math.floor(budget / 4));
    const floor = membership.firstSeq(q.room, q.asker);
    const page = history.history(q.room, q.seq, CONTEXT_PAGE);
    const from = kind === 'catch-up' ? Math.max(floor, this.markerBefore(q, page.messages) + 1) : floor;
    const recent = page.messages.filter((m) => m.room === String(q.room) && m.seq >= from && m.seq < q.seq);
    const seen = new Set(recent.map((m) => m.seq));
    let found: string[] = [];
    let left = budget - question.length;
    if (kind === 'past') {
      const hits = [];
      for (const word of searchWords(q.body)) {
        const got = await this.deps.search.search(q.asker, { query: word, rooms: [String(q.room)], limit: SEARCH_HITS });
        // Checked again here: a hit from another room or from before the asker's join must never reach a prompt.
        for (const h of visibleHits(got.ok ? got.hits : [], q.room, floor)) {
          if (!seen.has(h.seq) && h.seq < q.seq) {
            seen.add(h.seq);
            hits.push(h);
          }
        }
      }
      hits.sort((a, b) => a.seq - b.seq);
      found = fitNewestFirst(hits.map((h) => line(h, this.deps.nameOf)).filter((l): l is string => l !== null), Math.floor(left / 3));
      left -= found.reduce((n, l) => n + l.length + 1, 0);
    }
    const context = fitNewestFirst(recent.map((m) => line(m, this.deps.nameOf)).filter((l): l is string => l !== null), left);
    return promptMessages({ botName: q.who.botName, roomName: this.deps.roomName(q.room), question, kind, context, found });
  }

  /**
   * What the asker had read when they asked: the stored marker unless their
   * question already moved it, the last receipt seen for them, and their own
   * last message (one has read what one wrote), whichever is latest.
   */
  private markerBefore(q: Question, before: readonly WireMessage[]): number {
    const stored = this.deps.readSeq(q.room, q.asker);
    let own = 0;
    for (const m of before) if (m.from === String(q.asker) && m.seq < q.seq) own = m.seq;
    return Math.max(stored < q.seq ? stored : 0, this.seenReads.last(q.room, q.asker) ?? 0, own);
  }

  private async answer(q: Question): Promise<void> {
    const { config } = this.deps;
    const max = Math.min(config.assistantMaxAnswerChars, config.maxBodyChars);
    let text = '';
    let shown = '';
    let seq: number | undefined;
    let lastEdit = 0;
    let failure: string | undefined;
    try {
      const messages = await this.prompt(q);
      const pieces = this.deps.complete({
        url: q.who.url, model: q.who.model, allowRemote: q.who.allowRemote, messages,
        timeoutMs: config.assistantTimeoutSeconds * 1000, stop: this.stopping.signal, maxTokens: Math.ceil(max / CHARS_PER_TOKEN),
      });
      for await (const piece of pieces) {
        text = cutText(text + piece, max);
        if (text.trim() === '') continue;
        if (seq === undefined) {
          const posted = await this.postAwait(q, text);
          if (!posted.ok) throw new Error(`the answer could not be posted (${posted.code})`);
          seq = posted.seq;
          shown = text;
          lastEdit = this.now();
        } else if (this.now() - lastEdit >= config.assistantEditIntervalMs && text !== shown) {
          const edited = await this.editAwait(q, seq, text);
          if (edited.ok) shown = text;
          lastEdit = this.now();
        }
        // Leaving the loop ends the stream: its reader is cancelled.
        if (text.length >= max) break;
      }
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
      this.deps.log.warn({ room: q.room, why: failure }, 'the assistant could not answer');
    }
    if (seq === undefined) {
      this.post(q, failure !== undefined ? `Sorry, I could not answer: ${failure}.` : 'Sorry, the model gave an empty answer.');
      return;
    }
    const final = failure === undefined ? text : cutText(`${text}\n\n(answer cut off: ${failure})`, config.maxBodyChars);
    if (final !== shown) {
      const edited = await this.editAwait(q, seq, final);
      if (!edited.ok) this.deps.log.warn({ room: q.room, code: edited.code }, 'the assistant\'s last edit was refused');
    }
  }
}
