/**
 * The closest valid key to a mistyped one, for "did you mean ...?" fixes. Close means a small
 * edit distance for the key's length, a different case, or one being a prefix of the other
 * (`memory` for `memoryMiB`); anything further is not a suggestion but a guess.
 */
import { distance } from 'fastest-levenshtein';

export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const limit = Math.max(1, Math.ceil(key.length / 3));
  let best: { key: string; score: number } | undefined;
  for (const candidate of [...candidates].sort()) {
    const c = candidate.toLowerCase();
    const prefix = lower.length >= 3 && (c.startsWith(lower) || lower.startsWith(c));
    const d = distance(lower, c);
    if (d > limit && !prefix) continue;
    // A prefix match ranks after any close edit: `pat` is `path` before it is `patches`.
    const score = prefix && d > limit ? limit + d : d;
    if (!best || score < best.score) best = { key: candidate, score };
  }
  return best?.key;
}
