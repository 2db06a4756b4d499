import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import { DEFAULT_TLS_OPTIONS, SECURITY_HEADERS_MIDDLEWARE, SECURITY_HEADERS_REF } from '../render/traefik-headers.ts';
import { SECURE_ENTRYPOINT } from '../render/traefik-static.ts';
import { asRecord, filePath, isRecord, readYaml, renderedFiles, type RenderedFile } from './rendered-files.ts';
import type { PolicyContext, PolicyRule } from './rule.ts';

/** Half a year: the shortest max-age the HSTS preload list and most audits accept as meaningful. */
export const MIN_HSTS_SECONDS = 15_768_000;
const STRONG_TLS = new Set(['VersionTLS12', 'VersionTLS13']);
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const FRAME_POLICIES = new Set(['DENY', 'SAMEORIGIN']);

interface Doc { readonly at: RenderedFile; readonly doc: Record<string, unknown> }

/**
 * The edge, checked on the rendered Traefik files: the secure entrypoint runs the security-headers
 * middleware (so every HTTPS router does), that middleware sends HSTS, nosniff, a frame policy and
 * a referrer policy; the `default` TLS options require TLS 1.2+ and strict SNI; no servers
 * transport skips certificate verification; a self-signed backend has its CA pinned by the site.
 */
export const edgeTlsRule: PolicyRule = {
  name: 'edge-tls',
  phase: 'rendered',
  codes: ['SecurityHeadersNotApplied', 'SecurityHeadersUndefined', 'SecurityHeadersWeak', 'WeakTlsOptions', 'TlsVerificationOff', 'BackendCaMissing', 'InvalidBackendCa'],
  description: `The secure entrypoint runs ${SECURITY_HEADERS_REF} (HSTS of at least ${MIN_HSTS_SECONDS} s, nosniff, a frame policy, a referrer policy) on every HTTPS router; TLS options "${DEFAULT_TLS_OPTIONS}" require TLS 1.2+ and sniStrict; no serversTransport skips certificate verification; a self-signed HTTPS backend is verified against the CA the site pins (edge.backendCas).`,
  check: (ctx) => {
    if (!ctx.files) return [];
    const dynamic: Doc[] = renderedFiles(ctx, 'traefik-dynamic').flatMap((at) => {
      const read = readYaml(at.file.content);
      return read.ok ? [{ at, doc: asRecord(read.doc) }] : []; // https-only reports unreadable files
    });
    return [...checkIngress(ctx, dynamic), ...checkTransports(dynamic), ...checkBackendCas(ctx)];
  },
};

function checkIngress(ctx: PolicyContext, dynamic: readonly Doc[]): Problem[] {
  const ingress = ctx.services.find((s) => s.provides.includes('ingress'));
  if (!ingress || !ctx.files?.has(ingress.name)) return [];
  const statics = renderedFiles(ctx, 'traefik-static').filter((f) => f.service === ingress);
  if (statics.length === 0) return [];
  const out = new ProblemCollector(ingress.pkg.dir);
  for (const at of statics) {
    const read = readYaml(at.file.content);
    if (!read.ok) continue;
    const http = asRecord(asRecord(asRecord(asRecord(read.doc).entryPoints)[SECURE_ENTRYPOINT]).http);
    const middlewares = Array.isArray(http.middlewares) ? http.middlewares : [];
    if (!middlewares.includes(SECURITY_HEADERS_REF)) {
      out.report(filePath(at.file, 'entryPoints', SECURE_ENTRYPOINT, 'http', 'middlewares'), 'SecurityHeadersNotApplied', `the ${SECURE_ENTRYPOINT} entrypoint does not run ${SECURITY_HEADERS_REF}, so HTTPS responses go out without HSTS and the security headers`, http.middlewares, `Add "${SECURITY_HEADERS_REF}" to entryPoints.${SECURE_ENTRYPOINT}.http.middlewares (traefikStaticConfig does).`);
    }
  }
  const onIngress = dynamic.filter((d) => d.at.host === ingress.name);
  const defs = onIngress.filter((d) => isRecord(asRecord(asRecord(d.doc.http).middlewares)[SECURITY_HEADERS_MIDDLEWARE]));
  if (defs.length === 0) {
    out.report('files[/etc/traefik/dynamic]', 'SecurityHeadersUndefined', `no dynamic file on ${ingress.name} defines middleware "${SECURITY_HEADERS_MIDDLEWARE}", so Traefik rejects every router of the secure entrypoint`, undefined, 'Render securityHeadersConfig() into the dynamic directory.');
  }
  for (const { at, doc } of defs) {
    const path = filePath(at.file, 'http', 'middlewares', SECURITY_HEADERS_MIDDLEWARE, 'headers');
    const h = asRecord(asRecord(asRecord(asRecord(doc.http).middlewares)[SECURITY_HEADERS_MIDDLEWARE]).headers);
    const weak = (key: string, what: string, fix: string) => out.report(`${path}.${key}`, 'SecurityHeadersWeak', what, h[key], fix);
    if (typeof h.stsSeconds !== 'number' || h.stsSeconds < MIN_HSTS_SECONDS) weak('stsSeconds', `HSTS max-age is below ${MIN_HSTS_SECONDS} s (or unset), so browsers soon forget to insist on HTTPS`, `Set stsSeconds to at least ${MIN_HSTS_SECONDS} (site.edge.hsts.maxAgeSeconds).`);
    if (h.contentTypeNosniff !== true) weak('contentTypeNosniff', 'X-Content-Type-Options: nosniff is not sent, so browsers may sniff an upload into a script', 'Set contentTypeNosniff: true.');
    const frame = typeof h.customFrameOptionsValue === 'string' ? h.customFrameOptionsValue.toUpperCase() : h.frameDeny === true ? 'DENY' : undefined;
    if (!frame || !FRAME_POLICIES.has(frame)) weak('customFrameOptionsValue', 'no X-Frame-Options DENY or SAMEORIGIN, so another site can frame the admin pages (clickjacking)', 'Set frameDeny: true or customFrameOptionsValue: "SAMEORIGIN".');
    if (typeof h.referrerPolicy !== 'string' || h.referrerPolicy === '' || h.referrerPolicy === 'unsafe-url') weak('referrerPolicy', 'no referrer policy (or unsafe-url), so full admin URLs leak to other sites', 'Set referrerPolicy: "strict-origin-when-cross-origin" (or stricter).');
  }
  const options = onIngress.flatMap(({ at, doc }) => Object.entries(asRecord(asRecord(doc.tls).options)).map(([name, body]) => ({ at, name, body: asRecord(body) })));
  if (!options.some((o) => o.name === DEFAULT_TLS_OPTIONS)) {
    out.report('files[/etc/traefik/dynamic].tls.options', 'WeakTlsOptions', `no TLS options named "${DEFAULT_TLS_OPTIONS}" on ${ingress.name}, so Traefik accepts TLS 1.0 and 1.1 and answers unknown SNI names with the default certificate`, undefined, `Render securityHeadersConfig() (tls.options.${DEFAULT_TLS_OPTIONS}: minVersion VersionTLS12, sniStrict true).`);
  }
  for (const o of options) {
    const path = filePath(o.at.file, 'tls', 'options', o.name);
    if (typeof o.body.minVersion !== 'string' || !STRONG_TLS.has(o.body.minVersion)) {
      out.report(`${path}.minVersion`, 'WeakTlsOptions', `TLS options "${o.name}" accept versions below TLS 1.2`, o.body.minVersion, 'Set minVersion: "VersionTLS12" (or VersionTLS13).');
    }
    if (o.name === DEFAULT_TLS_OPTIONS && o.body.sniStrict !== true) {
      out.report(`${path}.sniStrict`, 'WeakTlsOptions', 'without sniStrict, a client that names no known host (a scanner by IP) gets a TLS session with the default certificate', o.body.sniStrict, 'Set sniStrict: true.');
    }
  }
  return out.problems;
}

/** No file, whoever renders it, turns certificate verification off toward a backend. */
function checkTransports(dynamic: readonly Doc[]): Problem[] {
  const problems: Problem[] = [];
  for (const { at, doc } of dynamic) {
    for (const [name, body] of Object.entries(asRecord(asRecord(doc.http).serversTransports))) {
      if (asRecord(body).insecureSkipVerify !== true) continue;
      problems.push({
        source: at.service.pkg.dir, path: filePath(at.file, 'http', 'serversTransports', name, 'insecureSkipVerify'), code: 'TlsVerificationOff',
        message: `servers transport ${name} skips TLS verification, so anyone on the path between Traefik and the backend can impersonate it and read the admin session`, received: true,
        fix: 'Remove insecureSkipVerify; for a self-signed backend set selfSignedBackend: true on the route and pin its CA in the site (edge.backendCas.<service>).',
      });
    }
  }
  return problems;
}

function checkBackendCas(ctx: PolicyContext): Problem[] {
  const out = new ProblemCollector(ctx.siteSource);
  for (const [name, ca] of Object.entries(ctx.site.edge?.backendCas ?? {})) {
    // The name reaches shell scripts and Ansible lookups: an environment variable name and nothing else.
    if (!ENV_NAME.test(ca.pemEnv)) out.report(`edge.backendCas.${name}.pemEnv`, 'InvalidBackendCa', 'pemEnv names the environment variable that holds the CA PEM, and this is not an environment variable name', ca.pemEnv, 'Use upper-case letters, digits and underscores, e.g. "TRUENAS_CA_PEM".');
    const service = ctx.byName.get(name);
    if (!service || !service.routes.some((r) => r.selfSignedBackend)) out.report(`edge.backendCas.${name}`, 'InvalidBackendCa', `no service "${name}" has a route with selfSignedBackend, so this CA pins nothing`, name, 'Key edge.backendCas by the service whose route sets selfSignedBackend: true, or remove the entry.');
  }
  for (const s of ctx.services) {
    if (!ctx.files?.has(s.name)) continue;
    s.routes.forEach((route) => {
      if (!route.selfSignedBackend || ctx.site.edge?.backendCas?.[s.name]) return;
      out.report(`edge.backendCas.${s.name}`, 'BackendCaMissing', `${s.pkg.dir} route ${route.name} has a self-signed HTTPS backend, and the site pins no CA for it, so Traefik cannot verify it (and must not skip verification)`, undefined, `Add edge.backendCas.${s.name} = { pemEnv: "<ENV VAR holding the backend's CA PEM>", description } to the site, and record it in assumptions.`);
    });
  }
  return out.problems;
}
