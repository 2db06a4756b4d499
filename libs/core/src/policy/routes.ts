import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/** Every admin surface is behind Authentik; no two routes claim one host. */
export const routesRule: PolicyRule = {
  name: 'routes',
  codes: ['AdminRouteWithoutAuth', 'UnauthenticatedRoute', 'DuplicateRouteHost', 'CatchAllRoute', 'RouteWithoutIngressDependency', 'ProtectedRouteWithoutIdentityDependency'],
  description: 'Admin surfaces and services without their own auth sit behind the Authentik forwardAuth middleware (only a declared public, non-admin route may have no auth); hosts are unique; no catch-all route.',
  check: ({ services, site }) => {
    const problems: Problem[] = [];
    const hosts = new Map<string, string>();
    const ingress = services.find((x) => x.provides.includes('ingress'));
    const identity = services.find((x) => x.provides.includes('identity'));
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      // Deploy order: a route file lands on the ingress host, so the ingress must exist first.
      if (ingress && s !== ingress && s.routes.length && !s.dependsOn.includes(ingress.name)) {
        out.report('dependsOn', 'RouteWithoutIngressDependency', `the service has routes but does not depend on ${ingress.name}, so it could deploy before its routes have a proxy`, s.dependsOn, `Add "${ingress.name}" to dependsOn (and ${ingress.pkg.name} to package.json).`);
      }
      if (identity && ingress && s !== identity && s !== ingress && s.routes.some((r) => r.auth === 'authentik') && !s.dependsOn.includes(identity.name)) {
        out.report('dependsOn', 'ProtectedRouteWithoutIdentityDependency', `the service has routes behind Authentik but does not depend on ${identity.name}`, s.dependsOn, `Add "${identity.name}" to dependsOn (and ${identity.pkg.name} to package.json).`);
      }
      s.routes.forEach((r, i) => {
        const path = `routes[${i}]`;
        if (r.admin && r.auth !== 'authentik') {
          out.report(`${path}.auth`, 'AdminRouteWithoutAuth', `${r.fqdn} is an admin surface but has auth "${r.auth}"`, r.auth, 'Set auth: "authentik".');
        } else if (r.auth === 'none' && !r.public) {
          out.report(`${path}.auth`, 'UnauthenticatedRoute', `${r.fqdn} has no authentication at all; a service without its own login must sit behind Authentik`, r.auth, 'Set auth: "authentik", or "app" if the application has its own login, or public: true (with admin: false) if it is a deliberately public read-only site.');
        }
        if (r.fqdn.startsWith('*.') || r.fqdn === site.domain) {
          out.report(`${path}.host`, 'CatchAllRoute', `a route for ${r.fqdn} would catch hosts that have no backend; unknown hosts must get 404`, r.host, 'Route one explicit host name.');
        }
        const prior = hosts.get(r.fqdn);
        if (prior) out.report(`${path}.host`, 'DuplicateRouteHost', `${r.fqdn} is already routed by ${prior}`, r.host, 'Give each route its own host name.');
        else hosts.set(r.fqdn, `${s.pkg.dir} ${path}`);
      });
      problems.push(...out.problems);
    }
    return problems;
  },
};
