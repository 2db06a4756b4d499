import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/**
 * Every rendered file has an absolute, normalized target path: a relative path would land
 * wherever Ansible's working directory happens to be, and `..` could climb out of the directory
 * a reviewer reads in the plan.
 */
export const filePathsRule: PolicyRule = {
  name: 'file-paths',
  codes: ['RelativeFilePath', 'FilePathNotNormalized'],
  description: 'Every rendered file\'s target path is absolute and normalized (no `..`, `.` or empty segments).',
  check: ({ services, files }) => {
    if (!files) return [];
    const problems: Problem[] = [];
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      for (const f of files.get(s.name) ?? []) {
        if (!f.path.startsWith('/')) {
          out.report(`files[${f.path}].path`, 'RelativeFilePath', 'the target path is relative; it would be resolved against whatever directory the deploy runs in', f.path, `Give the absolute path on the host, e.g. "/etc/${s.name}/${f.path.replace(/^(\.\/)+/, '')}".`);
        } else if (f.path.split('/').slice(1).some((seg) => seg === '..' || seg === '.' || seg === '')) {
          out.report(`files[${f.path}].path`, 'FilePathNotNormalized', 'the target path has a "..", "." or empty segment, so the path in the plan is not where the file lands', f.path, 'Write the normalized absolute path (path.posix.normalize).');
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
