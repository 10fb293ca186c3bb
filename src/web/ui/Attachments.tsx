import { useEffect, useRef, useState } from 'preact/hooks';
import type { FileLink, FileLinks } from '../file-links.js';
import { bytes } from '../format.js';
import { t } from '../i18n.js';
import type { Attachment } from '../protocol.js';

/** Largest side of an image preview in the conversation, in CSS pixels. */
const PREVIEW_PX = 240;

/** A message's files: images as thumbnails that open the full picture, anything else as a download link. */
export function Attachments({ files, links }: { files: readonly Attachment[]; links: FileLinks }) {
  return (
    <div class="files">
      {files.map((f) => <FileItem key={f.fileId} f={f} links={links} />)}
    </div>
  );
}

/** The file's short-lived link, and a way to ask for a new one when the browser could not use it. */
function useFileLink(links: FileLinks, fileId: string, thumbnail: boolean): { link: FileLink | undefined; renew: () => void } {
  const [link, setLink] = useState(() => links.fresh(fileId, thumbnail));
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    void links.get(fileId, thumbnail).then((l) => {
      if (live) setLink(l);
    });
    return () => {
      live = false;
    };
  }, [links, fileId, thumbnail, round]);
  return {
    link,
    renew: () => {
      links.forget(fileId);
      setRound((n) => n + 1);
    },
  };
}

/**
 * Follows a file link even when the page sat open past its expiry: a fresh
 * cached link is swapped in before the browser follows the click; with none,
 * a new one is asked for and then opened.
 */
function followFresh(links: FileLinks, fileId: string, download: string | null, e: MouseEvent): void {
  const anchor = e.currentTarget as HTMLAnchorElement;
  const fresh = links.fresh(fileId, false);
  if (fresh !== undefined) {
    anchor.href = fresh.url;
    return;
  }
  e.preventDefault();
  void links.get(fileId, false).then((l) => {
    if (l === undefined) return;
    const a = document.createElement('a');
    a.href = l.url;
    if (download !== null) a.download = download;
    else {
      a.target = '_blank';
      a.rel = 'noopener';
    }
    a.click();
  });
}

function FileItem({ f, links }: { f: Attachment; links: FileLinks }) {
  const image = f.mime.startsWith('image/') && f.width !== undefined && f.height !== undefined;
  const thumbnail = image && f.thumb === true;
  const { link, renew } = useFileLink(links, f.fileId, thumbnail);
  // An <img> that fails (its link expired while the page sat open) asks for a new link once
  // per failure: a load that works again re-arms it, one that fails with a new link gives up.
  const retried = useRef(false);
  if (!image) {
    return (
      <a class="file" href={link?.url} download={f.name} aria-label={t('download', { name: f.name, size: bytes(f.size) })}
        onClick={(e) => followFresh(links, f.fileId, f.name, e)}>
        <span aria-hidden="true">📄</span> <span class="file-name">{f.name}</span> <span class="file-size">{bytes(f.size)}</span>
      </a>
    );
  }
  const scale = Math.min(1, PREVIEW_PX / Math.max(f.width ?? 1, f.height ?? 1));
  return (
    <a class="image" href={link?.url} target="_blank" rel="noopener" onClick={(e) => followFresh(links, f.fileId, null, e)}>
      <img src={thumbnail ? link?.thumbUrl : link?.url} alt={t('imageAlt', { name: f.name })} loading="lazy"
        width={Math.max(1, Math.round((f.width ?? 1) * scale))} height={Math.max(1, Math.round((f.height ?? 1) * scale))}
        onLoad={() => {
          retried.current = false;
        }}
        onError={() => {
          if (retried.current) return;
          retried.current = true;
          renew();
        }} />
    </a>
  );
}
