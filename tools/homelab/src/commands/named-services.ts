/** The --service names a fleet command got, checked against the model: unknown ones are exit 2. */
import type { Homelab } from '@homelab/core';

/** The message for names the model has no service of, or undefined when all are known. */
export function unknownServicesMessage(home: Homelab, named: readonly string[]): string | undefined {
  const unknown = named.filter((n) => !home.byName.has(n));
  if (!unknown.length) return undefined;
  return `unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. Services: ${home.services.map((s) => s.name).join(', ')}.`;
}
