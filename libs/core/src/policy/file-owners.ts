import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import { FILE_OWNER_FIX, isFileOwner } from '../model/unix-name.ts';
import { shownPath } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

/**
 * A file's owner reaches the target as the owner and group of the file and of its directory: a
 * name with a space, a `:`, a `-` first or a shell metacharacter is either refused half-way through
 * a deploy or read as something else.
 */
export const fileOwnersRule: PolicyRule = {
  name: 'file-owners',
  codes: ['InvalidFileOwner'],
  description: 'Every rendered file\'s owner is a Unix user name (lowercase letters, digits, `_`, `-`, starting with a letter or `_`, at most 32) or a numeric id.',
  check: ({ services, files }) => {
    if (!files) return [];
    const problems: Problem[] = [];
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      for (const f of files.get(s.name) ?? []) {
        if (typeof f?.path !== 'string' || f.owner === undefined || typeof f.owner !== 'string') continue; // config-file-keys reports the shape
        if (!isFileOwner(f.owner)) {
          out.report(`files[${shownPath(f.path)}].owner`, 'InvalidFileOwner', 'the owner is not a Unix user name or numeric id', shownPath(f.owner), `For owner, ${FILE_OWNER_FIX}.`);
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
