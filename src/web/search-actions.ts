import type { ChatStore } from './chat-store.js';
import type { SearchHit, ServerFrameOf } from './protocol.js';

export interface SearchState { query: string; hits: readonly SearchHit[]; loading: boolean; more: boolean; error: string | null }

const SEARCH_PAGE = 30;

/**
 * Searches every room the user is in; `more` fetches the next page of the
 * same query. A reply that arrives after the user typed another query is
 * dropped, so results never belong to a query no longer on screen.
 */
export async function search(store: ChatStore, query: string, more = false): Promise<void> {
  const q = query.trim();
  if (q === '') return store.patch({ search: null });
  const prev = more && store.state.search?.query === q ? store.state.search : null;
  const last = prev?.hits[prev.hits.length - 1];
  store.patch({ search: { query: q, hits: prev?.hits ?? [], loading: true, more: false, error: null } });
  try {
    const reply = await store.conn.request<ServerFrameOf<'results'>>({
      type: 'search', query: q, limit: SEARCH_PAGE, ...(last !== undefined ? { before: Number(last.msgId) } : {}),
    });
    if (store.state.search?.query !== q) return;
    store.patch({ search: { query: q, hits: [...(prev?.hits ?? []), ...reply.hits], loading: false, more: reply.hits.length === SEARCH_PAGE, error: null } });
  } catch (err) {
    if (store.state.search?.query === q) store.patch({ search: { query: q, hits: prev?.hits ?? [], loading: false, more: false, error: (err as Error).message } });
  }
}

export function closeSearch(store: ChatStore): void {
  store.patch({ search: null });
}
