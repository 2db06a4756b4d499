import type { Problem } from '../model/problem.ts';
import { fileTarget, knownFileHosts, ownMachines, targetKey } from './file-targets.ts';
import { shownPath } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

/**
 * Two services may write the same file on the same machine only with the same bytes. The key is
 * the target (the machine behind the host name, and the normalized path), whatever name, format
 * or spelling of the path each declares; the files of every service of the site take part, also
 * when only some are synthesized (`deploy -s X`), so one package cannot replace another's file.
 */
export const fileConflictsRule: PolicyRule = {
  name: 'file-conflicts',
  codes: ['FileConflict'],
  description: 'No two services write different content to the same path on the same machine (keyed on the resolved host and normalized path, over the whole site).',
  check: ({ site, services, files }) => {
    if (!files) return [];
    const hosts = knownFileHosts(site, services);
    const problems: Problem[] = [];
    interface Writer { readonly service: string; readonly pkg: string; readonly content: string; readonly host: string; readonly path: string; readonly onOwnGuest: boolean }
    const owners = new Map<string, Writer>();
    for (const s of services) {
      const own = ownMachines(s, hosts);
      for (const f of files.get(s.name) ?? []) {
        if (typeof f?.path !== 'string') continue; // config-file-keys reports the shape
        const target = fileTarget(s, f, hosts);
        const key = targetKey(target);
        const writer: Writer = { service: s.name, pkg: s.pkg.dir, content: f.content, host: target.host, path: f.path, onOwnGuest: own.has(target.machine) };
        const prior = owners.get(key);
        if (!prior) {
          owners.set(key, writer);
        } else if (prior.content !== f.content) {
          // Reported against the package that writes onto another's guest, when one does.
          const [culprit, other] = prior.onOwnGuest || !writer.onOwnGuest ? [writer, prior] : [prior, writer];
          const where = (w: Writer) => `${w.host}:${shownPath(w.path)}`;
          const also = where(other) === where(culprit) ? '' : ` (declared there as ${where(other)})`;
          problems.push({
            source: culprit.pkg, path: `files[${shownPath(culprit.path)}]`, code: 'FileConflict',
            message: `${culprit.service} (${culprit.pkg}) and ${other.service} (${other.pkg}) write different content to ${where(culprit)}${also}; whichever deploys last would overwrite the other's file`, received: where(culprit),
            fix: `Remove the file from one of ${culprit.pkg} and ${other.pkg}, or render the shared file from one place.`,
          });
        }
      }
    }
    return problems;
  },
};
