import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/** A service that mounts NFS depends on the NFS provider; VM disks on Ceph depend on Ceph. */
export const storageDependenciesRule: PolicyRule = {
  name: 'storage-dependencies',
  codes: ['NfsWithoutStorageDependency', 'CephDiskWithoutCephDependency', 'CephDiskWithoutCephStorage'],
  description: 'Services depend on the storage they use, so deploy order and group stop respect it; a disk on Ceph needs a site with storage.ceph.',
  check: ({ site, services }) => {
    const problems: Problem[] = [];
    const nfs = services.find((s) => s.provides.includes('nfs'));
    const ceph = services.find((s) => s.provides.includes('block-storage'));
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      if (s.nfsMounts.length && nfs && s !== nfs && !s.dependsOn.includes(nfs.name)) {
        out.report('dependsOn', 'NfsWithoutStorageDependency', `the service mounts NFS but does not depend on ${nfs.name}`, s.dependsOn, `Add "${nfs.name}" to dependsOn and ${nfs.pkg.name} to package.json.`);
      }
      const cephDisk = s.guests.some((g) => g.resources.disks.some((d) => d.storage === 'ceph'));
      if (cephDisk && site.storage.ceph === undefined) {
        out.report('guests', 'CephDiskWithoutCephStorage', 'the service has disks on Ceph, but the site has no Ceph storage (storage.ceph)', s.guests.flatMap((g) => g.resources.disks.filter((d) => d.storage === 'ceph').map(() => g.name)), 'Put the disks on storage: "local", or declare storage.ceph in the site.');
      }
      if (cephDisk && ceph && s !== ceph && !s.dependsOn.includes(ceph.name)) {
        out.report('dependsOn', 'CephDiskWithoutCephDependency', `the service has disks on Ceph but does not depend on ${ceph.name}`, s.dependsOn, `Add "${ceph.name}" to dependsOn and ${ceph.pkg.name} to package.json.`);
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
