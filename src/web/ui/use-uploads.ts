import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n.js';
import type { Attachment } from '../protocol.js';
import { uploadFile, UploadError } from '../upload.js';

/** A file on its way to the server, or there and waiting to be sent with the next message. */
export interface StagedFile { key: number; name: string; progress: number; file: Attachment | null; error: string | null; abort: () => void }

/** Files sent with one message at most (the server's limit). */
const MAX_FILES = 10;

/**
 * The files staged in a room's composer: each starts uploading as soon as it
 * is picked, dropped or pasted, with its progress; sending takes the finished ones.
 */
export function useUploads(token: string, room: string) {
  const [staged, setStaged] = useState<readonly StagedFile[]>([]);
  const next = useRef(0);
  const live = useRef(staged);
  live.current = staged;
  // Leaving the room (for another one: the composer stays mounted, or the page) cancels what is still
  // uploading and unstages the rest: files uploaded to one room cannot be sent in another.
  useEffect(() => () => {
    for (const s of live.current) if (s.file === null) s.abort();
    setStaged([]);
  }, [room]);

  const update = (key: number, change: Partial<StagedFile>): void =>
    setStaged((list) => list.map((s) => (s.key === key ? { ...s, ...change } : s)));

  const add = (files: Iterable<File>): void => {
    const fresh: StagedFile[] = [];
    for (const f of files) {
      if (live.current.length + fresh.length >= MAX_FILES) break;
      const key = next.current++;
      const up = uploadFile(token, room, f, (p) => update(key, { progress: p }));
      fresh.push({ key, name: f.name || 'file', progress: 0, file: null, error: null, abort: up.abort });
      up.done.then(
        (file) => update(key, { file, progress: 1 }),
        (err: Error) => update(key, {
          error: err instanceof UploadError && err.status === 413 ? t('tooLarge', { name: f.name }) : t('uploadFailed', { name: f.name, why: err.message }),
        }),
      );
    }
    if (fresh.length > 0) setStaged((list) => [...list, ...fresh]);
  };

  const remove = (key: number): void => {
    live.current.find((s) => s.key === key)?.abort();
    setStaged((list) => list.filter((s) => s.key !== key));
  };

  /** The uploaded files, taken out of the composer for sending (failed ones stay, with their error). */
  const take = (): Attachment[] => {
    const done = live.current.flatMap((s) => (s.file !== null ? [s.file] : []));
    setStaged((list) => list.filter((s) => s.file === null));
    return done;
  };

  const busy = staged.some((s) => s.file === null && s.error === null);
  const ready = staged.some((s) => s.file !== null);
  return { staged, add, remove, take, busy, ready };
}

export type Uploads = ReturnType<typeof useUploads>;
