/**
 * `--service <name>` against the services the homelab has: one message naming every unknown
 * name, the nearest real one for a typo, and the list to choose from.
 */
import { closestKey } from '@homelab/core';

/** Undefined when every name is a service; else the message for all the unknown ones at once. */
export function unknownServiceMessage(named: readonly string[], known: readonly string[]): string | undefined {
  const unknown = [...new Set(named.filter((n) => !known.includes(n)))];
  if (!unknown.length) return undefined;
  const each = unknown.map((name) => {
    if (name.trim() === '') return '--service was given an empty name';
    const guess = closestKey(name, known);
    return `no service is named ${JSON.stringify(name)}${guess ? ` (did you mean "${guess}"?)` : ''}`;
  });
  return `${each.join('; ')}.\nfix: name one of the ${known.length} services: ${[...known].sort().join(', ')}.`;
}
