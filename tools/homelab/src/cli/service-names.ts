/**
 * `--service <name>` against the services the homelab has: one message naming every unknown
 * name, the nearest real one for a typo, and the list to choose from.
 */
import { distance } from 'fastest-levenshtein';

/** The known name a typo most plausibly meant (a few edits away), else undefined. */
export function closestName(text: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(text.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  // A guess further away than this suggests an unrelated word, which misleads more than it helps.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(text.length / 3)) ? best : undefined;
}

/** Undefined when every name is a service; else the message for all the unknown ones at once. */
export function unknownServiceMessage(named: readonly string[], known: readonly string[]): string | undefined {
  const unknown = [...new Set(named.filter((n) => !known.includes(n)))];
  if (!unknown.length) return undefined;
  const each = unknown.map((name) => {
    if (name.trim() === '') return '--service was given an empty name';
    const guess = closestName(name, known);
    return `no service is named ${JSON.stringify(name)}${guess ? ` (did you mean "${guess}"?)` : ''}`;
  });
  return `${each.join('; ')}.\nfix: name one of the ${known.length} services: ${[...known].sort().join(', ')}.`;
}
