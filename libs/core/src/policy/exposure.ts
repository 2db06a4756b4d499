import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/** Only the declared port forwards reach the LAN from outside; each is backed by a declared public port. */
export const exposureRule: PolicyRule = {
  name: 'exposure',
  codes: ['UndeclaredPublicPort', 'PortForwardWithoutService'],
  description: 'A service may declare a public port only where the site\'s router forwards it, and every forward reaches a declared public port.',
  check: ({ site, siteSource, services, byName }) => {
    const problems: Problem[] = [];
    const forwards = site.portForwards.map((f) => `${f.service}:${f.port}/${f.protocol}`);
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      s.ports.forEach((p, i) => {
        if (p.public && !forwards.includes(`${s.name}:${p.port}/${p.protocol}`)) {
          out.report(`ports[${i}].public`, 'UndeclaredPublicPort', `${p.port}/${p.protocol} is declared public, but the router forwards only ${site.portForwards.map((f) => `${f.port}/${f.protocol} → ${f.service}`).join(', ')}`, p, 'Remove public: true (reach it through Traefik or the VPN), or add the forward to the site\'s portForwards deliberately.');
        }
      });
      problems.push(...out.problems);
    }
    const out = new ProblemCollector(siteSource);
    site.portForwards.forEach((f, i) => {
      const target = byName.get(f.service);
      if (!target || !target.ports.some((p) => p.public && p.port === f.port && p.protocol === f.protocol)) {
        out.report(`portForwards[${i}]`, 'PortForwardWithoutService', `the router forwards ${f.port}/${f.protocol} to ${f.service}, which does not declare that port public`, f, `Declare { port: ${f.port}, protocol: "${f.protocol}", public: true } on ${f.service}, or remove the forward.`);
      }
    });
    return [...problems, ...out.problems];
  },
};
