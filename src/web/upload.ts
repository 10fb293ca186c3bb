import type { Attachment } from './protocol.js';

export class UploadError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

/**
 * Uploads one file to a room (the body is the bytes, not a form) with
 * XMLHttpRequest, because fetch cannot report upload progress. Resolves with
 * the file's metadata, ready to be named in a message's `attachments`.
 */
export function uploadFile(token: string, room: string, file: File, onProgress: (fraction: number) => void): { done: Promise<Attachment>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', `/api/v1/rooms/${encodeURIComponent(room)}/files?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: reported by status below.
      }
      if (xhr.status === 201 && body !== null) return resolve(body as Attachment);
      const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
      reject(new UploadError(xhr.status, err?.code ?? (xhr.status === 413 ? 'too_large' : 'internal'), err?.message ?? xhr.statusText));
    };
    xhr.onerror = () => reject(new UploadError(0, 'unavailable', 'network error'));
    xhr.onabort = () => reject(new UploadError(0, 'aborted', 'cancelled'));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
