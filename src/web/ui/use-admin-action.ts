import { useState } from 'preact/hooks';

/**
 * One admin action at a time: while it runs the page's buttons are busy;
 * afterwards the page reloads its tables, or shows why the server refused.
 */
export function useAdminAction(onChanged: () => void, onError: (message: string) => void): {
  busy: boolean; act: (fn: () => Promise<unknown>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    try {
      await fn();
      onChanged();
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, act };
}
