/**
 * Observers: a service marked `observer: true` (monitoring) watches every other service that has
 * something to watch — a metrics endpoint to scrape or a route to probe. What it watches becomes
 * part of its dependencies here, from the model, so nobody keeps a hand-written list: a new
 * service with a route is watched, ordered before its observer in deploys, and an Nx edge
 * (tools/homelab/src/nx) without an edit to the observer.
 */
import type { NormalizedService } from './service.ts';

/** Whether an observer has anything of this service to scrape or probe. */
export function isObservable(service: NormalizedService): boolean {
  return service.metrics.length > 0 || service.routes.length > 0;
}

/**
 * The services `observer` watches, sorted: the observable ones except itself and those that
 * depend on it, directly or not (AlertMind receives monitoring's alerts: watching it would be a
 * cycle). Empty for a service that is not an observer.
 */
export function observedBy(observer: NormalizedService, services: readonly NormalizedService[]): string[] {
  if (!observer.observer) return [];
  const dependents = dependentsOf(observer.name, services);
  return services
    .filter((s) => s.name !== observer.name && !dependents.has(s.name) && isObservable(s))
    .map((s) => s.name)
    .sort();
}

/** The services with each observer's `observes` filled in and added to its `dependsOn`. */
export function withObservers(services: readonly NormalizedService[]): NormalizedService[] {
  return services.map((s) => {
    if (!s.observer) return s;
    const observes = observedBy(s, services);
    return { ...s, observes, dependsOn: [...new Set([...s.dependsOn, ...observes])].sort() };
  });
}

/** Every service that depends on `name` through the declared dependencies, transitively. */
function dependentsOf(name: string, services: readonly NormalizedService[]): Set<string> {
  const out = new Set<string>();
  let frontier = [name];
  while (frontier.length) {
    const next = services.filter((s) => !out.has(s.name) && s.dependsOn.some((d) => frontier.includes(d))).map((s) => s.name);
    next.forEach((n) => out.add(n));
    frontier = next;
  }
  return out;
}
