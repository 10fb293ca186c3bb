/** Top frames by self time from a V8 .cpuprofile (what `node --cpu-prof` writes). */
import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[] }

export interface Frame { name: string; where: string; selfPercent: number }

export function topFrames(profile: Profile, limit = 15): { frames: Frame[]; totalSamples: number } {
  const byFrame = new Map<string, { name: string; where: string; hits: number }>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    const file = n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist|src|bench)\//, '$1/');
    const where = file === '' ? '(native)' : `${file}:${n.callFrame.lineNumber + 1}`;
    const name = n.callFrame.functionName === '' ? '(anonymous)' : n.callFrame.functionName;
    const key = `${name}@${where}`;
    const e = byFrame.get(key) ?? { name, where, hits: 0 };
    e.hits += hits;
    byFrame.set(key, e);
  }
  const frames = [...byFrame.values()].sort((a, b) => b.hits - a.hits).slice(0, limit)
    .map((e) => ({ name: e.name, where: e.where, selfPercent: total === 0 ? 0 : (100 * e.hits) / total }));
  return { frames, totalSamples: total };
}

export function readProfile(path: string): Profile {
  return JSON.parse(readFileSync(path, 'utf8')) as Profile;
}
