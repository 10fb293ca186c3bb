import { bytes } from '../format.js';
import { t } from '../i18n.js';
import type { Attachment } from '../protocol.js';
import { fileUrl } from '../upload.js';

/** Largest side of an image preview in the conversation, in CSS pixels. */
const PREVIEW_PX = 240;

/** A message's files: images as thumbnails that open the full picture, anything else as a download link. */
export function Attachments({ files, token }: { files: readonly Attachment[]; token: string }) {
  return (
    <div class="files">
      {files.map((f) => {
        const image = f.mime.startsWith('image/') && f.width !== undefined && f.height !== undefined;
        if (!image) {
          return (
            <a key={f.fileId} class="file" href={fileUrl(token, f.fileId)} download={f.name} aria-label={t('download', { name: f.name, size: bytes(f.size) })}>
              <span aria-hidden="true">📄</span> <span class="file-name">{f.name}</span> <span class="file-size">{bytes(f.size)}</span>
            </a>
          );
        }
        const scale = Math.min(1, PREVIEW_PX / Math.max(f.width ?? 1, f.height ?? 1));
        return (
          <a key={f.fileId} class="image" href={fileUrl(token, f.fileId)} target="_blank" rel="noopener">
            <img src={fileUrl(token, f.fileId, f.thumb === true)} alt={t('imageAlt', { name: f.name })} loading="lazy"
              width={Math.max(1, Math.round((f.width ?? 1) * scale))} height={Math.max(1, Math.round((f.height ?? 1) * scale))} />
          </a>
        );
      })}
    </div>
  );
}
