import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/** An always-on group never depends on a group that may be stopped. */
export const groupsRule: PolicyRule = {
  name: 'groups',
  codes: ['AlwaysOnDependsOnStoppable'],
  description: 'Services of always-on groups depend only on services of always-on groups.',
  check: ({ site, services, byName }) => {
    const problems: Problem[] = [];
    for (const s of services) {
      if (!site.groups[s.group]?.alwaysOn) continue;
      const out = new ProblemCollector(s.pkg.dir);
      s.dependsOn.forEach((d, i) => {
        const dep = byName.get(d);
        if (dep && !site.groups[dep.group]?.alwaysOn) {
          out.report(`dependsOn[${i}]`, 'AlwaysOnDependsOnStoppable', `group "${s.group}" is always on, but ${s.name} depends on ${d} in group "${dep.group}", which may be stopped`, d, `Move ${d} to an always-on group, or ${s.name} out of "${s.group}".`);
        }
      });
      problems.push(...out.problems);
    }
    return problems;
  },
};
