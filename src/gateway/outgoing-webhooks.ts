import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { LiveWebhook } from '../chat/integrations.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { MessageFrame } from '../protocol/server-frames.js';
import { cutText } from '../protocol/text-cut.js';
import { fires, isWebhookTrigger } from '../protocol/webhook-trigger.js';
import { isLanAddress, lanLookup } from './lan-target.js';
import type { Metrics } from './metrics.js';

export interface OutgoingDeps {
  config: Pick<Config, 'webhookAllowRemote' | 'webhookTimeoutSeconds' | 'webhookMaxAttempts' | 'webhookRetryBaseMs' | 'webhookQueueMax' | 'webhookConcurrency' | 'maxBodyChars'>;
  /** The live webhooks, all or one room's (the store's IntegrationReader). */
  source: { webhooks(room?: number): LiveWebhook[] };
  /** Posts a receiver's `{"text"}` answer into the room as the webhook's bot. */
  reply: (webhook: LiveWebhook, text: string) => void;
  /** A webhook whose bot was removed from its room hears nothing more of it. */
  isMember: (room: number, user: number) => boolean;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
}

interface Delivery { webhook: LiveWebhook; body: string; attempt: number; dueAt: number }

const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** A receiver's answer is read up to this; more is ignored (only `{"text"}` is used). */
const MAX_REPLY_BYTES = 64 * 1024;

type Result = { ok: true; text?: string } | { ok: false; retry: boolean; why: string };

/**
 * Outgoing webhooks: each message of a room with webhooks is POSTed, signed
 * with HMAC-SHA256 over the raw body, to every webhook whose trigger it
 * fires. Off the send path: `observe` only queues (a bounded queue; past it a
 * delivery is dropped and counted), deliveries run a few at a time, and
 * retries wait on one shared timer with exponential back-off up to
 * `webhookMaxAttempts`, then are given up and counted. A dead receiver costs
 * counters and at most its share of the bounded queue.
 */
export class OutgoingWebhooks {
  private byRoom = new Map<number, LiveWebhook[]>();
  /** Ids of the live webhooks: a removed one's queued deliveries and retries are dropped, its answers not posted. */
  private live = new Set<number>();
  private readonly queue: Delivery[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: OutgoingDeps) {
    this.now = deps.now ?? Date.now;
    deps.metrics.gauge('roost_webhook_queue_depth', 'Outgoing webhook deliveries waiting or in flight (bounded by webhookQueueMax).', () => this.queue.length + this.inFlight);
  }

  /** Reads every live webhook (at start, and when the events feed says they changed). */
  reload(): void {
    const next = new Map<number, LiveWebhook[]>();
    for (const w of this.deps.source.webhooks()) {
      if (!isWebhookTrigger(w.trigger)) continue;
      const list = next.get(w.room) ?? [];
      list.push(w);
      next.set(w.room, list);
    }
    this.byRoom = next;
    this.live = new Set([...next.values()].flat().map((w) => w.id));
    for (let i = this.queue.length - 1; i >= 0; i--) if (!this.live.has((this.queue[i] as Delivery).webhook.id)) this.queue.splice(i, 1);
  }

  /** Sees every frame published to a topic; only messages of rooms with webhooks cost more than a map lookup. */
  observe(topic: string, frame: string): void {
    if (this.byRoom.size === 0 || !topic.startsWith('room:')) return;
    const hooks = this.byRoom.get(Number(topic.slice(5)));
    if (hooks === undefined) return;
    let parsed: MessageFrame;
    try {
      parsed = JSON.parse(frame) as MessageFrame;
    } catch (err) {
      // The send that published it is done; a frame this cannot read costs its deliveries only.
      this.deps.log.error({ err, topic }, 'an outgoing webhook could not read a published frame');
      return;
    }
    if (parsed.type !== 'message') return;
    const { type: _type, clientMsgId: _id, ...message } = parsed;
    // An answer of one webhook never fires another: two `any` webhooks would otherwise talk forever.
    if (hooks.some((w) => String(w.bot) === message.from)) return;
    for (const w of hooks) {
      if (!this.deps.isMember(w.room, w.bot)) continue;
      if (!fires(w.trigger as Parameters<typeof fires>[0], message, String(w.bot))) continue;
      const body = JSON.stringify({ webhook: String(w.id), room: message.room, trigger: w.trigger, message });
      this.enqueue({ webhook: w, body, attempt: 1, dueAt: this.now() });
    }
  }

  private count(name: string, help: string): void {
    this.deps.metrics.inc(name, help);
  }

  private enqueue(d: Delivery): void {
    if (this.stopped) return;
    if (this.queue.length + this.inFlight >= this.deps.config.webhookQueueMax) {
      this.count('roost_webhook_dropped_total', 'Outgoing webhook deliveries dropped because the queue was full.');
      return;
    }
    this.queue.push(d);
    this.pump();
  }

  /** Starts what is due while slots are free; arms the one timer for the next due retry. */
  private pump(): void {
    if (this.stopped) return;
    const now = this.now();
    let next = Infinity;
    for (let i = 0; i < this.queue.length && this.inFlight < this.deps.config.webhookConcurrency;) {
      const d = this.queue[i] as Delivery;
      if (d.dueAt <= now) {
        this.queue.splice(i, 1);
        this.start(d);
      } else {
        next = Math.min(next, d.dueAt);
        i++;
      }
    }
    if (next < Infinity && this.inFlight < this.deps.config.webhookConcurrency) this.arm(next);
  }

  private arm(at: number): void {
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - this.now()));
    this.timer.unref();
  }

  private start(d: Delivery): void {
    this.inFlight++;
    void this.deliver(d).then((r) => this.finished(d, r), (err: unknown) => this.finished(d, { ok: false, retry: true, why: String(err) }));
  }

  private finished(d: Delivery, r: Result): void {
    this.inFlight--;
    try {
      if (!this.live.has(d.webhook.id)) {
        // Removed while its delivery was out: no answer posted, no retry.
      } else if (r.ok) {
        this.count('roost_webhook_delivered_total', 'Outgoing webhook deliveries the receiver accepted (2xx).');
        if (r.text !== undefined && r.text.trim() !== '') this.answer(d.webhook, r.text);
      } else if (r.retry && d.attempt < this.deps.config.webhookMaxAttempts) {
        this.count('roost_webhook_retries_total', 'Outgoing webhook deliveries retried after a failure.');
        const wait = Math.min(MAX_BACKOFF_MS, this.deps.config.webhookRetryBaseMs * 2 ** (d.attempt - 1));
        this.queue.push({ ...d, attempt: d.attempt + 1, dueAt: this.now() + wait });
      } else {
        this.count('roost_webhook_given_up_total', 'Outgoing webhook deliveries given up (attempts spent, or the target is off the LAN).');
        this.deps.log.warn({ webhook: d.webhook.id, attempts: d.attempt, why: r.why }, 'outgoing webhook delivery given up');
      }
    } catch (err) {
      this.deps.log.error({ err, webhook: d.webhook.id }, 'finishing an outgoing webhook delivery failed');
    }
    this.pump();
  }

  /** Posts an answer cut to the body limit at a code point; one that is not well-formed text is refused, as at every door. */
  private answer(w: LiveWebhook, raw: string): void {
    const text = cutText(raw, this.deps.config.maxBodyChars);
    if (!text.isWellFormed()) {
      this.deps.log.warn({ webhook: w.id }, 'an outgoing webhook answered text that is not well-formed Unicode; not posted');
      return;
    }
    this.deps.reply(w, text);
  }

  private deliver(d: Delivery): Promise<Result> {
    const { config } = this.deps;
    const url = new URL(d.webhook.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!config.webhookAllowRemote && isIP(host) !== 0 && !isLanAddress(host)) return Promise.resolve({ ok: false, retry: false, why: 'not on the LAN' });
    const signature = createHmac('sha256', d.webhook.secret).update(d.body).digest('hex');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Result>((resolve) => {
      const req = send(url, {
        method: 'POST',
        // The whole delivery, connect to last byte: a receiver that trickles its answer is never idle.
        signal: AbortSignal.timeout(config.webhookTimeoutSeconds * 1000),
        lookup: lanLookup(config.webhookAllowRemote),
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(d.body),
          'User-Agent': 'Roost-Webhook',
          'X-Roost-Signature': `sha256=${signature}`,
          'X-Roost-Webhook': String(d.webhook.id),
          'X-Roost-Attempt': String(d.attempt),
        },
      }, (res) => readReply(res).then(resolve, (err: unknown) => resolve({ ok: false, retry: true, why: String(err) })));
      req.setTimeout(config.webhookTimeoutSeconds * 1000, () => req.destroy(new Error('timed out')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, retry: err.code !== 'EREMOTE', why: err.message }));
      req.end(d.body);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

function readReply(res: IncomingMessage): Promise<Result> {
  return new Promise((resolve, reject) => {
    const status = res.statusCode ?? 0;
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REPLY_BYTES) chunks.push(c);
    });
    res.on('error', reject);
    // Cut short (the deadline aborted it): 'close' without 'end'.
    res.on('close', () => {
      if (!res.complete) reject(new Error('the answer was cut short'));
    });
    res.on('end', () => {
      if (status < 200 || status > 299) return resolve({ ok: false, retry: true, why: `HTTP ${status}` });
      if (size > MAX_REPLY_BYTES || !/json/i.test(res.headers['content-type'] ?? '')) return resolve({ ok: true });
      try {
        const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown } | null;
        resolve(typeof v?.text === 'string' ? { ok: true, text: v.text } : { ok: true });
      } catch {
        resolve({ ok: true });
      }
    });
  });
}
