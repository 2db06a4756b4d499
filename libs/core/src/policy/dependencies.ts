import { dependencyWaves } from '../graph/waves.ts';
import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/** Declared dependencies name real services, agree with package.json, and form no cycle. */
export const dependenciesRule: PolicyRule = {
  name: 'dependencies',
  codes: ['UnknownDependency', 'DependencyMissingFromPackageJson', 'PackageJsonDependencyNotDeclared', 'DependencyCycle', 'DuplicateServiceName', 'SelfDependency'],
  description: 'The model\'s dependencies and package.json agree, name existing services and have no cycle.',
  check: ({ services, byName }) => {
    const problems: Problem[] = [];
    const pkgToService = new Map(services.map((s) => [s.pkg.name, s.name]));
    const seen = new Map<string, string>();
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      const prior = seen.get(s.name);
      if (prior) out.report('name', 'DuplicateServiceName', `service name "${s.name}" is already used by ${prior}`, s.name, 'Give every service its own name.');
      seen.set(s.name, s.pkg.dir);
      s.dependsOn.forEach((d, i) => {
        if (d === s.name) out.report(`dependsOn[${i}]`, 'SelfDependency', 'a service cannot depend on itself', d, 'Remove it.');
        else if (!byName.has(d)) out.report(`dependsOn[${i}]`, 'UnknownDependency', `no service is named "${d}"`, d, `Use one of the services' names (${[...byName.keys()].sort().slice(0, 6).join(', ')}, ...) or remove it.`);
        // What an observer watches and where a guest's token comes from are the model's, and so
        // are their Nx edges: no package.json line.
        else if (!s.observes.includes(d) && s.tokenFrom !== d && !s.pkg.dependencies.includes(byName.get(d)!.pkg.name)) {
          out.report(`dependsOn[${i}]`, 'DependencyMissingFromPackageJson', `the model depends on "${d}" but package.json does not list ${byName.get(d)!.pkg.name}`, d, `Add "${byName.get(d)!.pkg.name}": "*" to dependencies in ${s.pkg.dir}/package.json, so Nx orders the deploy.`);
        }
      });
      for (const dep of s.pkg.dependencies) {
        const svc = pkgToService.get(dep);
        if (svc && !s.dependsOn.includes(svc)) {
          out.report('dependsOn', 'PackageJsonDependencyNotDeclared', `package.json lists ${dep} but the service does not declare dependsOn "${svc}"`, s.dependsOn, `Add "${svc}" to dependsOn, or remove ${dep} from package.json.`);
        }
      }
      problems.push(...out.problems);
    }
    const { cycles } = dependencyWaves(new Map(services.map((s) => [s.name, s.dependsOn])));
    for (const cycle of cycles) {
      const first = byName.get(cycle[0]!)!;
      problems.push({
        source: first.pkg.dir, path: 'dependsOn', code: 'DependencyCycle',
        message: `dependencies form a cycle: ${cycle.join(' → ')}`, received: cycle,
        fix: 'Break the cycle: the service that must exist first cannot depend on the one that uses it.',
      });
    }
    return problems;
  },
};
