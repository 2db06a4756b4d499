import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import { SECURE_ENTRYPOINT, WEB_ENTRYPOINT } from '../render/traefik-static.ts';
import { asRecord, filePath, isRecord, readYaml, renderedFiles, type RenderedFile } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

/** `Host(`one.name`)`, optionally `&& PathPrefix(`/path`)`: the only router rules we write. */
const SINGLE_HOST_RULE = /^Host\(`([^`]*)`\)(?:\s*&&\s*PathPrefix\(`\/[^`]*`\))?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * TLS everywhere, no catch-all (seed 05: "all HTTP is redirected to HTTPS. Routes without a
 * configured backend return 404"), checked on the rendered Traefik files: every router listens
 * only on the secure entrypoint, has TLS, and names one explicit host; the web entrypoint of the
 * static configuration redirects to the secure one; the API dashboard is not served insecurely.
 */
export const httpsOnlyRule: PolicyRule = {
  name: 'https-only',
  phase: 'rendered',
  codes: ['PlainHttpRouter', 'RouterWithoutTls', 'CatchAllRouterRule', 'RouterRuleNotSingleHost', 'MissingHttpsRedirect', 'InsecureDashboard', 'UnreadableTraefikFile'],
  description: 'Every rendered Traefik router serves only the TLS entrypoint, with TLS, for one explicit Host (no HostRegexp, wildcard or PathPrefix alone, so unknown hosts get 404); the web entrypoint redirects to HTTPS; the dashboard is never served insecurely.',
  check: (ctx) => {
    if (!ctx.files) return [];
    const problems: Problem[] = [];
    const statics = renderedFiles(ctx, 'traefik-static');
    let secure = SECURE_ENTRYPOINT;
    for (const r of statics) {
      const out = new ProblemCollector(r.service.pkg.dir);
      const read = readYaml(r.file.content);
      if (!read.ok) {
        out.report(filePath(r.file), 'UnreadableTraefikFile', `the Traefik static configuration is not valid YAML: ${read.error}`, r.file.path, 'Render it with toYaml from a traefikStaticConfig object.');
      } else {
        secure = checkStatic(r, read.doc, out) ?? secure;
      }
      problems.push(...out.problems);
    }
    for (const r of renderedFiles(ctx, 'traefik-dynamic')) {
      const out = new ProblemCollector(r.service.pkg.dir);
      const read = readYaml(r.file.content);
      if (!read.ok) {
        out.report(filePath(r.file), 'UnreadableTraefikFile', `the Traefik dynamic file is not valid YAML: ${read.error}`, r.file.path, 'Render it with toYaml from a traefikRouteConfig object.');
      } else {
        checkDynamic(r, read.doc, secure, out);
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};

/** Checks the static configuration; returns the secure entrypoint it redirects to. */
function checkStatic(r: RenderedFile, doc: unknown, out: ProblemCollector): string | undefined {
  const cfg = asRecord(doc);
  const entryPoints = asRecord(cfg.entryPoints);
  const names = Object.keys(entryPoints);
  const tlsEntryPoints = names.filter((n) => isRecord(asRecord(asRecord(entryPoints[n]).http).tls) || String(asRecord(entryPoints[n]).address ?? '').endsWith(':443'));
  let target: string | undefined;
  for (const name of names) {
    const ep = asRecord(entryPoints[name]);
    if (!String(ep.address ?? '').endsWith(':80') && name !== WEB_ENTRYPOINT) continue;
    const redirect = asRecord(asRecord(asRecord(ep.http).redirections).entryPoint);
    const path = filePath(r.file, 'entryPoints', name, 'http', 'redirections', 'entryPoint');
    if (typeof redirect.to !== 'string' || !tlsEntryPoints.includes(redirect.to) || redirect.scheme !== 'https') {
      out.report(path, 'MissingHttpsRedirect', `entrypoint ${name} (${String(ep.address)}) serves plain HTTP instead of redirecting every request to HTTPS`, isRecord(asRecord(ep.http).redirections) ? redirect : undefined, `Set http.redirections.entryPoint: { to: "${tlsEntryPoints[0] ?? SECURE_ENTRYPOINT}", scheme: "https", permanent: true }.`);
    } else {
      target = redirect.to;
    }
  }
  const api = asRecord(cfg.api);
  if (api.insecure === true) {
    out.report(filePath(r.file, 'api', 'insecure'), 'InsecureDashboard', 'api.insecure serves the Traefik dashboard and API on port 8080 with no TLS and no Authentik', true, 'Set api.insecure: false and route the dashboard (api@internal) through a router behind Authentik.');
  }
  return target ?? tlsEntryPoints[0];
}

function checkDynamic(r: RenderedFile, doc: unknown, secure: string, out: ProblemCollector): void {
  const routers = asRecord(asRecord(asRecord(doc).http).routers);
  for (const name of Object.keys(routers).sort()) {
    const router = asRecord(routers[name]);
    const at = (...keys: string[]) => filePath(r.file, 'http', 'routers', name, ...keys);
    const eps = router.entryPoints;
    if (!Array.isArray(eps) || eps.length === 0) {
      out.report(at('entryPoints'), 'PlainHttpRouter', `router ${name} names no entryPoints, so Traefik attaches it to every entrypoint, plain HTTP included`, eps, `Set entryPoints: ["${secure}"].`);
    } else if (eps.length !== 1 || eps[0] !== secure) {
      out.report(at('entryPoints'), 'PlainHttpRouter', `router ${name} listens on ${eps.join(', ')}; only ${secure} terminates TLS (web only redirects)`, eps, `Set entryPoints: ["${secure}"].`);
    }
    if (!(router.tls === true || isRecord(router.tls))) {
      out.report(at('tls'), 'RouterWithoutTls', `router ${name} has no tls section, so it does not serve HTTPS`, router.tls, 'Add tls: { certResolver: <the ingress\'s resolver> }.');
    }
    const rule = typeof router.rule === 'string' ? router.rule.trim() : undefined;
    const m = rule === undefined ? null : SINGLE_HOST_RULE.exec(rule);
    if (m && DNS_NAME.test(m[1]!)) continue;
    if (rule === undefined || isCatchAll(rule)) {
      out.report(at('rule'), 'CatchAllRouterRule', `router ${name} would answer for hosts that have no backend; unknown hosts must get 404`, router.rule, 'Write rule: Host(`one.explicit.name`), optionally && PathPrefix(`/path`).');
    } else {
      out.report(at('rule'), 'RouterRuleNotSingleHost', `router ${name} must name exactly one explicit host`, rule, 'Write rule: Host(`one.explicit.name`), optionally && PathPrefix(`/path`); give another host its own route.');
    }
  }
  const tcp = asRecord(asRecord(asRecord(doc).tcp).routers);
  for (const name of Object.keys(tcp).sort()) {
    const rule = asRecord(tcp[name]).rule;
    if (typeof rule !== 'string' || /HostSNI\(`\*`\)|HostSNIRegexp/.test(rule)) {
      out.report(filePath(r.file, 'tcp', 'routers', name, 'rule'), 'CatchAllRouterRule', `TCP router ${name} would take connections for any host name`, rule, 'Write rule: HostSNI(`one.explicit.name`).');
    }
  }
}

/** HostRegexp, a wildcard, an `||`, a negation, or no Host matcher at all (PathPrefix alone). */
function isCatchAll(rule: string): boolean {
  if (/HostRegexp|\|\||!\s*Host/.test(rule)) return true;
  const hosts = [...rule.matchAll(/Host\(([^)]*)\)/g)].map((m) => m[1]!);
  if (hosts.length === 0) return true;
  return hosts.some((h) => h.includes('*') || /^`?`?$/.test(h.trim()));
}
