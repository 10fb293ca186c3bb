import { useEffect, useState } from 'preact/hooks';
import type { FileLinks } from '../file-links.js';
import { initialsOf } from '../people.js';

/**
 * A person's or a room's picture, or their initials when there is none (or
 * it cannot be fetched). Pictures load through short-lived links like files,
 * so no token goes into a URL.
 */
export function Avatar({ label, fileId, links, square = false, small = false }: {
  label: string; fileId?: string | null; links: FileLinks; square?: boolean; small?: boolean;
}) {
  const [url, setUrl] = useState<string | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setUrl(undefined);
    setFailed(false);
    if (fileId === undefined || fileId === null) return undefined;
    let live = true;
    void links.get(fileId, true).then((l) => { if (live) setUrl(l?.thumbUrl ?? l?.url); }, () => undefined);
    return () => { live = false; };
  }, [fileId, links]);
  const cls = `avatar${square ? ' direct' : ''}${small ? ' small' : ''}`;
  return (
    <span class={cls} aria-hidden="true">
      {url !== undefined && !failed ? <img src={url} alt="" onError={() => setFailed(true)} /> : initialsOf(label)}
    </span>
  );
}
