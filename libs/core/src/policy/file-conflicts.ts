import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/** Two services may write the same file on the same host only with the same bytes. */
export const fileConflictsRule: PolicyRule = {
  name: 'file-conflicts',
  codes: ['FileConflict'],
  description: 'No two services write different content to the same path on the same host.',
  check: ({ services, files }) => {
    if (!files) return [];
    const problems: Problem[] = [];
    const owners = new Map<string, { service: string; content: string }>();
    for (const s of services) {
      for (const f of files.get(s.name) ?? []) {
        const key = `${f.host ?? s.sharesGuestWith ?? s.name}:${f.path}`;
        const prior = owners.get(key);
        if (prior && prior.content !== f.content) {
          problems.push({
            source: s.pkg.dir, path: `files[${f.path}]`, code: 'FileConflict',
            message: `${prior.service} writes different content to ${key}; the later deploy would overwrite the other`, received: key,
            fix: 'Rename one of the files, or render the shared file from one place.',
          });
        } else if (!prior) owners.set(key, { service: s.name, content: f.content });
      }
    }
    return problems;
  },
};
