import { obj } from './json-object.js';

/** What this door honours of a sync filter (spec: "Filtering"). */
export interface SyncFilter {
  /** Most timeline events per room in one sync. */
  timelineLimit: number;
  /** Only the members who sent something in the timeline, in `state`. */
  lazyMembers: boolean;
  /** Rooms to include (absent: all). */
  rooms?: string[];
}

export const DEFAULT_TIMELINE_LIMIT = 10;

/** Reads a filter definition; what it cannot honour is ignored, as the spec allows servers to. `max`: the server's cap. */
export function readFilter(def: unknown, max: number): SyncFilter {
  const room = obj(obj(def).room);
  const timeline = obj(room.timeline);
  const state = obj(room.state);
  const limit = typeof timeline.limit === 'number' && Number.isInteger(timeline.limit) && timeline.limit > 0 ? timeline.limit : DEFAULT_TIMELINE_LIMIT;
  const rooms = Array.isArray(room.rooms) && room.rooms.every((r) => typeof r === 'string') ? (room.rooms as string[]) : undefined;
  return {
    timelineLimit: Math.min(limit, max),
    lazyMembers: state.lazy_load_members === true,
    ...(rooms === undefined ? {} : { rooms }),
  };
}

/** Whether a filter definition is a JSON object (the spec's only requirement on upload). */
export function isFilterDefinition(def: unknown): def is Record<string, unknown> {
  return typeof def === 'object' && def !== null && !Array.isArray(def);
}

/**
 * Filters read by their text: a client sends the same filter (inline JSON, or
 * the id of one it stored, which never changes) with every `/sync`, so each is
 * parsed once. Holds at most `max`; past that it starts over.
 */
export class FilterCache {
  private readonly known = new Map<string, SyncFilter>();

  constructor(private readonly max = 256) {}

  /** The filter under `key`, made (and kept) when not known; `make` may throw or answer undefined, and nothing is kept then. */
  get(key: string, make: () => SyncFilter | undefined): SyncFilter | undefined {
    let f = this.known.get(key);
    if (f !== undefined) return f;
    f = make();
    if (f === undefined) return undefined;
    if (this.known.size >= this.max) this.known.clear();
    this.known.set(key, f);
    return f;
  }
}
