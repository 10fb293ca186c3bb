import { HttpError } from './api.js';

/** Uploads an image as an avatar (`POST /api/v1/avatars`); resolves with its file id, to set with set_profile or update_room. */
export async function uploadAvatar(token: string, file: File): Promise<string> {
  const res = await fetch('/api/v1/avatars', {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': file.type || 'application/octet-stream' }, body: file, cache: 'no-store',
  });
  const text = await res.text();
  type Answer = { fileId?: unknown; error?: { code?: string; message?: string } };
  let value: Answer | null = null;
  try {
    value = text === '' ? null : JSON.parse(text) as Answer;
  } catch {
    // Not JSON: reported by status below.
  }
  if (res.status === 201 && typeof value?.fileId === 'string') return value.fileId;
  throw new HttpError(res.status, value?.error?.code ?? 'internal', value?.error?.message ?? res.statusText);
}
