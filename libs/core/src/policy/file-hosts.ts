import { ProblemCollector } from '../model/collector.ts';
import { closestKey } from '../model/closest-key.ts';
import type { Problem } from '../model/problem.ts';
import { DEPLOY_MACHINE } from '../render/ansible.ts';
import { declaredFileHost, knownFileHosts, ownMachines, type KnownFileHost } from './file-targets.ts';
import { shownPath } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

const KIND_NAME: Record<KnownFileHost['kind'], string> = {
  guest: 'the guest of service', node: 'Proxmox node', external: 'external host', 'deploy-machine': 'the deploy machine',
};

function describeHost(h: KnownFileHost): string {
  if (h.kind === 'guest') return `${h.name} (${KIND_NAME.guest} ${h.service})`;
  if (h.kind === 'deploy-machine') return `${h.name} (${KIND_NAME['deploy-machine']})`;
  return `${h.name} (${KIND_NAME[h.kind]})`;
}

/**
 * A file's host is a machine the site knows (a service's guest, a Proxmox node, an external host,
 * the deploy machine), never a name that becomes a directory of dist/ (`../../..`) or an address
 * Ansible would try; and a package writes only to its own guests unless the file declares why it
 * belongs elsewhere (`hostLevel: { reason }`): a hypervisor or another service's guest is never
 * written to by accident.
 */
export const fileHostsRule: PolicyRule = {
  name: 'file-hosts',
  codes: ['UnknownFileHost', 'FileOnForeignHost', 'HostLevelWithoutReason'],
  description: 'Every rendered file goes to a known host (a service\'s guest, a Proxmox node, an external host of the site, or the deploy machine), and to one of its package\'s own guests unless the file declares `hostLevel: { reason }`.',
  check: ({ site, services, files }) => {
    if (!files) return [];
    const hosts = knownFileHosts(site, services);
    const names = [...hosts.keys()].sort();
    const problems: Problem[] = [];
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      const own = ownMachines(s, hosts);
      for (const f of files.get(s.name) ?? []) {
        if (typeof f?.path !== 'string') continue; // config-file-keys reports the shape
        const at = `files[${shownPath(f.path)}]`;
        const name = declaredFileHost(s, f);
        const host = hosts.get(name);
        if (!host) {
          const near = typeof name === 'string' ? closestKey(name, names) : undefined;
          if (f.host === undefined) {
            out.report(`${at}.host`, 'UnknownFileHost', `the file has no host, and service ${s.name} (kind ${s.kind}) has no guest of its own to receive it`, undefined, `Set host to the machine that needs the file: one of ${names.join(', ')}.`);
          } else {
            out.report(`${at}.host`, 'UnknownFileHost', `host ${JSON.stringify(shownPath(String(name)))} is no guest, Proxmox node, external host or deploy machine of the site`, shownPath(String(name)), `${near ? `Did you mean "${near}"? ` : ''}Set host to one of ${names.join(', ')}.`);
          }
          continue;
        }
        const reason = f.hostLevel?.reason;
        if (f.hostLevel !== undefined && (typeof reason !== 'string' || reason.trim() === '')) {
          out.report(`${at}.hostLevel.reason`, 'HostLevelWithoutReason', 'the file is declared host-level without a reason, so a reviewer cannot tell why it may leave the package\'s own guests', reason, 'Say in one sentence why the file belongs on that host, e.g. hostLevel: { reason: "the NFS mount unit the node itself needs" }.');
        }
        if (!own.has(host.machine) && f.hostLevel === undefined) {
          const target = host.kind === 'deploy-machine' ? DEPLOY_MACHINE : host.name;
          out.report(`${at}.host`, 'FileOnForeignHost', `the file goes to ${describeHost(host)}, which is not one of ${s.name}'s own guests`, name, `Write it to ${s.name}'s own guest, or declare on the file hostLevel: { reason: "..." } saying why it belongs on ${target}.`);
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
