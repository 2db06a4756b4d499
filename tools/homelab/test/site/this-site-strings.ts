/**
 * The strings that are this repository's site and no other: derived from libs/site's values (its
 * name, domain, LAN prefix, node names, aliases and addresses, external hosts, tunnel prefix,
 * admin group, datastores, NFS export, DNS targets and provider), so a new fact there is covered.
 */
import { site } from '@homelab/site';

function prefixOf(cidr: string): string {
  return `${cidr.split('/')[0]!.split('.').slice(0, 3).join('.')}.`;
}

export function stringsOfThisSite(options: { withProvider?: boolean } = {}): string[] {
  const strings = [
    site.name, site.domain, prefixOf(site.network.cidr),
    ...site.nodes.flatMap((n) => [n.name, n.ip, ...(n.alias !== undefined ? [n.alias] : [])]),
    // An external host named like its service (klipper-1) is the package's name too: only the address is the site's then.
    ...site.externalHosts.flatMap((h) => [...(h.name in site.addressPlan ? [] : [h.name]), h.ip]),
    ...(site.wireguard ? [prefixOf(site.wireguard.subnet), site.wireguard.endpointHost] : []),
    ...(site.identity ? [site.identity.adminGroup] : []),
    ...(site.storage.ceph ? [site.storage.ceph.datastore, site.storage.ceph.pool] : []),
    site.storage.nfs.datastore, site.storage.nfs.export, site.storage.nfs.hostMountPath,
    ...site.dns.records.map((r) => r.content).filter((c) => !c.startsWith('${')),
    ...(options.withProvider ? [site.dns.provider] : []),
  ];
  return [...new Set(strings)].sort();
}

/** Every `file: string` pair whose content holds one of the strings. */
export function occurrences(files: Iterable<[string, string]>, strings: readonly string[]): string[] {
  const found: string[] = [];
  for (const [file, content] of files) {
    for (const s of strings) if (content.includes(s)) found.push(`${file}: ${s}`);
  }
  return found;
}
