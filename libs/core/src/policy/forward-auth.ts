import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import { AUTHENTIK_OUTPOST_SERVICE, FORWARD_AUTH_MIDDLEWARE, OUTPOST_PATH_PREFIX } from '../render/traefik-route.ts';
import { TRAEFIK_DYNAMIC_DIR } from '../render/traefik-static.ts';
import { asRecord, filePath, isRecord, readYaml, renderedFiles, type RenderedFile } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

const OUTPOST_AUTH_PATH = `${OUTPOST_PATH_PREFIX}auth/`;

interface Router {
  readonly at: RenderedFile;
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly hosts: readonly string[];
}

/**
 * Authentik in front, checked on the rendered Traefik files (the rule `routes` checks the model):
 * every router for a host whose route has auth "authentik" runs the forwardAuth middleware first
 * (except the outpost's own callback path), and that middleware is defined, on the ingress, as a
 * forwardAuth to the identity service's address. The Traefik dashboard is such a route.
 */
export const forwardAuthRule: PolicyRule = {
  name: 'forward-auth',
  phase: 'rendered',
  codes: ['ForwardAuthMissing', 'ForwardAuthNotFirst', 'ProtectedRouteWithoutRouter', 'ForwardAuthUndefined', 'ForwardAuthWrongTarget'],
  description: `Every rendered router of a route with auth "authentik" (the Traefik dashboard too) lists ${FORWARD_AUTH_MIDDLEWARE} first, and that middleware is a forwardAuth to the identity service's address.`,
  check: (ctx) => {
    if (!ctx.files) return [];
    const { services, files } = ctx;
    const dynamic = renderedFiles(ctx, 'traefik-dynamic');
    if (dynamic.length === 0) return [];
    const docs = dynamic.flatMap((at) => {
      const read = readYaml(at.file.content);
      return read.ok ? [{ at, doc: asRecord(read.doc) }] : []; // https-only reports unreadable files
    });
    const routers: Router[] = docs.flatMap(({ at, doc }) => Object.entries(asRecord(asRecord(doc.http).routers)).map(([name, body]) => ({
      at, name, body: asRecord(body), hosts: hostsOf(asRecord(body).rule),
    })));

    const problems: Problem[] = [];
    const protectedHosts = new Map<string, string>();
    for (const s of services) {
      if (!files.has(s.name)) continue;
      const out = new ProblemCollector(s.pkg.dir);
      const rendersRoutes = dynamic.some((d) => d.service === s);
      s.routes.forEach((route, i) => {
        if (route.auth !== 'authentik') return;
        protectedHosts.set(route.fqdn, `${s.pkg.dir} routes[${i}]`);
        if (rendersRoutes && !routers.some((r) => r.hosts.includes(route.fqdn) && !isOutpostCallback(r))) {
          out.report(`routes[${i}]`, 'ProtectedRouteWithoutRouter', `${route.fqdn} is protected by Authentik, but no rendered router serves it`, route.fqdn, 'Render the route file with traefikRouteConfig (synth does it for every route).');
        }
      });
      problems.push(...out.problems);
    }

    let used = false;
    for (const r of routers) {
      const host = r.hosts.find((h) => protectedHosts.has(h));
      const middlewares = Array.isArray(r.body.middlewares) ? r.body.middlewares : [];
      if (middlewares.includes(FORWARD_AUTH_MIDDLEWARE)) used = true;
      if (!host || isOutpostCallback(r)) continue;
      used = true;
      const at = filePath(r.at.file, 'http', 'routers', r.name, 'middlewares');
      if (middlewares[0] === FORWARD_AUTH_MIDDLEWARE) continue;
      const report = (code: string, message: string) => problems.push({
        source: r.at.service.pkg.dir, path: at, code, message, received: r.body.middlewares,
        fix: `List "${FORWARD_AUTH_MIDDLEWARE}" first in middlewares, so no other middleware sees an unauthenticated request.`,
      });
      if (middlewares.includes(FORWARD_AUTH_MIDDLEWARE)) report('ForwardAuthNotFirst', `router ${r.name} serves ${host} (auth "authentik", ${protectedHosts.get(host)}) but runs other middlewares before ${FORWARD_AUTH_MIDDLEWARE}`);
      else report('ForwardAuthMissing', `router ${r.name} serves ${host} (auth "authentik", ${protectedHosts.get(host)}) without the ${FORWARD_AUTH_MIDDLEWARE} middleware, so anyone reaches it unauthenticated`);
    }
    if (used) problems.push(...checkDefinition(ctx, docs));
    return problems;
  },
};

/** The middleware is defined on the ingress host as a forwardAuth to the identity service. */
function checkDefinition(ctx: Parameters<PolicyRule['check']>[0], docs: readonly { at: RenderedFile; doc: Record<string, unknown> }[]): Problem[] {
  const ingress = ctx.services.find((s) => s.provides.includes('ingress'));
  const identity = ctx.services.find((s) => s.provides.includes('identity'));
  if (!ingress || !ctx.files?.has(ingress.name)) return [];
  const out = new ProblemCollector(ingress.pkg.dir);
  const name = FORWARD_AUTH_MIDDLEWARE.replace(/@file$/, '');
  const defs = docs.filter((d) => d.at.host === ingress.name && isRecord(asRecord(asRecord(d.doc.http).middlewares)[name]));
  if (defs.length === 0) {
    out.report(`files[${TRAEFIK_DYNAMIC_DIR}]`, 'ForwardAuthUndefined', `routers use ${FORWARD_AUTH_MIDDLEWARE}, but no dynamic file on ${ingress.name} defines middleware "${name}", so Traefik rejects those routers`, undefined, `Render forwardAuthConfig({ authentikUrl: "http://<${identity?.name ?? 'identity'} address>:9000" }) into ${TRAEFIK_DYNAMIC_DIR}.`);
    return out.problems;
  }
  for (const { at, doc } of defs) {
    const mw = asRecord(asRecord(asRecord(doc.http).middlewares)[name]);
    const path = filePath(at.file, 'http', 'middlewares', name);
    const fa = asRecord(mw.forwardAuth);
    if (!isRecord(mw.forwardAuth) || typeof fa.address !== 'string') {
      out.report(path, 'ForwardAuthWrongTarget', `middleware "${name}" is not a forwardAuth, so it does not ask Authentik`, Object.keys(mw), 'Render it with forwardAuthConfig.');
      continue;
    }
    if (!identity?.ip) continue;
    let url: URL | undefined;
    try {
      url = new URL(fa.address);
    } catch {
      url = undefined;
    }
    if (!url || url.hostname !== identity.ip || !url.pathname.startsWith(OUTPOST_AUTH_PATH)) {
      out.report(`${path}.forwardAuth.address`, 'ForwardAuthWrongTarget', `the forwardAuth address does not reach ${identity.name}'s outpost at ${identity.ip} (${OUTPOST_AUTH_PATH}...)`, fa.address, `Set it to http://${identity.ip}:9000${OUTPOST_AUTH_PATH}traefik (forwardAuthConfig does).`);
    }
  }
  return out.problems;
}

/** The host names a router rule matches with Host(...) (one or several, comma separated). */
function hostsOf(rule: unknown): string[] {
  if (typeof rule !== 'string') return [];
  return [...rule.matchAll(/Host\(([^)]*)\)/g)].flatMap((m) => [...m[1]!.matchAll(/`([^`]*)`/g)].map((h) => h[1]!.toLowerCase()));
}

/** The router that sends the outpost's callback path to Authentik itself; it needs no forwardAuth. */
function isOutpostCallback(r: Router): boolean {
  return r.body.service === AUTHENTIK_OUTPOST_SERVICE && typeof r.body.rule === 'string' && r.body.rule.includes(`PathPrefix(\`${OUTPOST_PATH_PREFIX}\`)`);
}
