import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { NormalizedService } from '../model/service.ts';
import { asRecord, filePath, readYaml, renderedFiles, type RenderedFile } from './rendered-files.ts';
import type { PolicyContext, PolicyRule } from './rule.ts';

/**
 * A route's backend port is one the service says it listens on (`ports`, TCP, when it declares
 * any), and, when the
 * service runs a Compose stack on its own host without host networking, one that stack publishes:
 * otherwise Traefik forwards to a closed port and the route answers 502.
 */
export const routePortsRule: PolicyRule = {
  name: 'route-ports',
  codes: ['RoutePortNotExposed', 'RoutePortNotPublished'],
  description: 'Every route targets a TCP port the service declares in ports (when it declares any) and, for a Compose stack without host networking, publishes.',
  check: (ctx) => {
    const problems: Problem[] = [];
    const stacks = ownComposeStacks(ctx);
    for (const s of ctx.services) {
      const out = new ProblemCollector(s.pkg.dir);
      const declared = listeningPorts(ctx, s);
      s.routes.forEach((r, i) => {
        // A route to another backend (Traefik's api@internal, a URL) is not to this service's ports.
        if (s.props.routes?.[i]?.backend !== undefined) return;
        // A service that declares no TCP port says nothing of what it listens on; the Compose check still applies.
        if (declared.size > 0 && !declared.has(r.port)) {
          out.report(`routes[${i}].port`, 'RoutePortNotExposed', `${r.fqdn} is routed to port ${r.port}, which the service does not declare in ports (it declares ${[...declared].sort((a, b) => a - b).join(', ') || 'none'})`, r.port, `Route to the port the application listens on, or declare { port: ${r.port}, protocol: "tcp", description } in ports.`);
        }
        const stack = stacks.get(s.name);
        if (stack && !stack.hostNetwork && !stack.published.has(r.port)) {
          out.report(`${filePath(stack.at.file, 'services')}`, 'RoutePortNotPublished', `${r.fqdn} is routed to ${s.ip ?? 'the service'}:${r.port}, but no container of the Compose stack publishes port ${r.port} (it publishes ${[...stack.published].sort((a, b) => a - b).join(', ') || 'none'})`, r.port, `Publish it ("${r.port}:<container port>") on the container that serves ${r.fqdn}, or route to a published port.`);
        }
      });
      problems.push(...out.problems);
    }
    return problems;
  },
};

/** TCP ports the service's guest listens on: its own, and those of the guest it shares. */
function listeningPorts(ctx: PolicyContext, s: NormalizedService): Set<number> {
  const host = s.sharesGuestWith ? ctx.byName.get(s.sharesGuestWith) : undefined;
  return new Set([...s.ports, ...(host?.ports ?? [])].filter((p) => p.protocol === 'tcp').map((p) => p.port));
}

interface ComposeStack {
  readonly at: RenderedFile;
  readonly hostNetwork: boolean;
  readonly published: ReadonlySet<number>;
}

/** The Compose stacks each service runs on its own host, merged per service (unreadable files are the kill-switch rule's to report). */
function ownComposeStacks(ctx: PolicyContext): Map<string, ComposeStack> {
  const stacks = new Map<string, ComposeStack>();
  for (const at of renderedFiles(ctx, 'compose')) {
    if (at.host !== (at.service.sharesGuestWith ?? at.service.name)) continue;
    const read = readYaml(at.file.content);
    // A file without services runs no container: there is nothing to publish a port.
    if (!read.ok || Object.keys(asRecord(asRecord(read.doc).services)).length === 0) continue;
    const prior = stacks.get(at.service.name);
    const published = new Set(prior?.published ?? []);
    let hostNetwork = prior?.hostNetwork ?? false;
    for (const body of Object.values(asRecord(asRecord(read.doc).services))) {
      const svc = asRecord(body);
      if (svc.network_mode === 'host') hostNetwork = true;
      for (const p of Array.isArray(svc.ports) ? svc.ports : []) for (const port of publishedPorts(p)) published.add(port);
    }
    stacks.set(at.service.name, { at: prior?.at ?? at, hostNetwork, published });
  }
  return stacks;
}

/** Host ports of one Compose `ports` entry: `"8080:80"`, `"127.0.0.1:8080:80/tcp"`, `"8000-8002:8000-8002"`, `{ published: 8080 }`. A bare container port publishes none of its own. */
export function publishedPorts(entry: unknown): number[] {
  if (typeof entry === 'object' && entry !== null) {
    const rec = asRecord(entry);
    if (rec.protocol === 'udp') return [];
    return expandRange(String(rec.published ?? ''));
  }
  const text = String(entry);
  if (/\/udp$/.test(text)) return [];
  const parts = text.replace(/\/tcp$/, '').split(':');
  if (parts.length < 2) return [];
  return expandRange(parts[parts.length - 2]!);
}

function expandRange(text: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return [];
  const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
  return to >= from && to - from <= 1024 ? Array.from({ length: to - from + 1 }, (_, i) => from + i) : [];
}
