/**
 * Every guest stack depends on the stack that creates the Proxmox token it is applied with (the
 * hypervisor service, model/provider-token.ts): on a fresh cluster that token does not exist
 * until the hypervisor stack has run. The edge comes from the model, like an observer's, so the
 * deploy waves, `nx graph` and `nx affected` all show it without a package.json line in every
 * package, and a new guest service gets it by being one.
 */
import { tokenIssuer } from './provider-token.ts';
import type { NormalizedService } from './service.ts';

/** The services with each guest service's `tokenFrom` set and added to its `dependsOn`. */
export function withTokenEdges(services: readonly NormalizedService[]): NormalizedService[] {
  const issuer = tokenIssuer(services);
  if (!issuer) return [...services];
  // A service the issuer itself needs cannot wait for it (that would be a cycle, which the
  // dependencies rule reports on the declared edges alone).
  const needed = dependenciesOf(issuer, services);
  return services.map((s) => {
    if (s === issuer || !s.guests.length || needed.has(s.name) || s.dependsOn.includes(issuer.name)) return s;
    return { ...s, tokenFrom: issuer.name, dependsOn: [...s.dependsOn, issuer.name].sort() };
  });
}

/** Everything `service` depends on, transitively, through the declared dependencies. */
function dependenciesOf(service: NormalizedService, services: readonly NormalizedService[]): Set<string> {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out = new Set<string>();
  const visit = (s: NormalizedService): void => {
    for (const d of s.dependsOn) {
      if (out.has(d)) continue;
      out.add(d);
      const next = byName.get(d);
      if (next) visit(next);
    }
  };
  visit(service);
  return out;
}
