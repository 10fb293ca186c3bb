import { api } from './api.js';

/** A file's short-lived URLs, as the server issued them for this user. */
export interface FileLink { url: string; thumbUrl?: string }

interface Cached extends FileLink { until: number }
interface Asked { thumbnail: boolean; resolve: (link: FileLink | undefined) => void }

/** Asks the server for links to a batch of files (message files and avatars have their own routes). */
export type LinkSource = (token: string, files: Array<{ fileId: string; thumbnail: boolean }>) => Promise<{ links: Record<string, FileLink>; expiresIn: number }>;

const messageFiles: LinkSource = (token, files) => api.fileLinks(token, files);

/** Avatars are only ever shown as their thumbnail: one URL serves both uses. */
export const avatarFiles: LinkSource = (token, files) => api.avatarLinks(token, files.map((f) => f.fileId)).then(({ links, expiresIn }) => ({
  links: Object.fromEntries(Object.entries(links).map(([id, url]) => [id, { url, thumbUrl: url }])),
  expiresIn,
}));

/** The server's batch limit on POST /api/v1/files/links. */
const BATCH = 100;

/**
 * File and thumbnail URLs for `<img src>` and `<a href>`: short-lived links
 * asked for with the session token in a header, so the token itself never
 * lands in a URL (browser history, a copied link). Asks made in one render
 * go out as one request; links are reused until shortly before they expire.
 */
export class FileLinks {
  private readonly cache = new Map<string, Cached>();
  private asked = new Map<string, Asked[]>();
  private flushing = false;

  constructor(private readonly token: string, private readonly now: () => number = Date.now, private readonly source: LinkSource = messageFiles) {}

  /** A link still good for a while, without asking the server; undefined when there is none. */
  fresh(fileId: string, thumbnail: boolean): FileLink | undefined {
    const c = this.cache.get(fileId);
    if (c === undefined || c.until <= this.now() || (thumbnail && c.thumbUrl === undefined)) return undefined;
    return c;
  }

  /** A fresh link; undefined when the file is not ours to see or the server cannot be reached. */
  get(fileId: string, thumbnail: boolean): Promise<FileLink | undefined> {
    const have = this.fresh(fileId, thumbnail);
    if (have !== undefined) return Promise.resolve(have);
    return new Promise((resolve) => {
      const list = this.asked.get(fileId) ?? [];
      list.push({ thumbnail, resolve });
      this.asked.set(fileId, list);
      if (this.flushing) return;
      this.flushing = true;
      // Every Attachments of a render asks before this runs: one request for all of them.
      queueMicrotask(() => this.flush());
    });
  }

  /** Drops a link the browser could not load with (expired while the page sat open), so the next get asks anew. */
  forget(fileId: string): void {
    this.cache.delete(fileId);
  }

  private flush(): void {
    this.flushing = false;
    const asked = this.asked;
    this.asked = new Map();
    const ids = [...asked.keys()];
    for (let i = 0; i < ids.length; i += BATCH) {
      const part = ids.slice(i, i + BATCH);
      const sentAt = this.now();
      const files = part.map((fileId) => ({ fileId, thumbnail: asked.get(fileId)?.some((a) => a.thumbnail) === true }));
      void this.source(this.token, files).then(({ links, expiresIn }) => {
        // Renewed a minute (or a fifth of their life, if shorter) before the server's expiry,
        // measured on this clock: the two clocks need not agree.
        const until = sentAt + expiresIn * 1000 - Math.min(60_000, expiresIn * 200);
        for (const [fileId, link] of Object.entries(links)) this.cache.set(fileId, { ...link, until });
        // The cached object itself, so a component re-rendered from the cache sees the same link.
        for (const fileId of part) for (const a of asked.get(fileId) ?? []) a.resolve(links[fileId] === undefined ? undefined : this.cache.get(fileId));
      }, () => {
        for (const fileId of part) for (const a of asked.get(fileId) ?? []) a.resolve(undefined);
      });
    }
  }
}
