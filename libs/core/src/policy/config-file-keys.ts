import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import { reportSchemaProblems } from '../model/schema-problems.ts';
import { configFileSchema } from '../model/service-schema.ts';
import type { PolicyRule } from './rule.ts';

/**
 * A package's `files(ctx)` returns its config files only when rendered, so their keys are checked
 * here rather than in parse: `resatrts: [...]` would otherwise be ignored and nothing restarted.
 */
export const configFileKeysRule: PolicyRule = {
  name: 'config-file-keys',
  phase: 'rendered',
  codes: ['UnknownKey', 'InvalidConfigFile'],
  description: 'Every rendered config file has only the keys of ConfigFile, each of its declared shape.',
  check: ({ services, files }) => {
    if (!files) return [];
    const problems: Problem[] = [];
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      (files.get(s.name) ?? []).forEach((file, i) => {
        const under = typeof file?.path === 'string' ? `files[${file.path}]` : `files[${i}]`;
        reportSchemaProblems(configFileSchema, file, out, { shapeCode: 'InvalidConfigFile', subject: 'a config file', reference: 'ConfigFile (libs/core/src/model/service-schema.ts)', under }, []);
      });
      problems.push(...out.problems);
    }
    return problems;
  },
};
