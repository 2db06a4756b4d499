/**
 * Phase: the Ceph packages on every node, when the site has Ceph. The ceph service (packages/ceph)
 * then initialises the cluster, creates monitors, managers, OSDs from the site's disk facts, CRUSH
 * rules and the pool on its deploy; what it cannot do itself is install the packages, which must
 * come first. `pveceph install` confirms through apt's prompt, so it is answered with `yes`
 * (stdin is closed under ssh, which apt would take as "no").
 */
import type { BootstrapPhase, PhaseResult } from './phase.ts';
import { onHost, run, runOk } from './remote.ts';

export const hasCephPackages = ['sh', '-c', 'command -v ceph-osd >/dev/null'];
export const installCephPackages = ['sh', '-c', 'yes | pveceph install --repository no-subscription'];

export const cephPackagesPhase: BootstrapPhase = {
  id: 'ceph-packages',
  title: 'Ceph packages',
  describe: (ctx) => (ctx.site.storage.ceph ? ctx.site.nodes.flatMap((n) => [
    { what: `${n.name}: are the Ceph packages installed`, mutates: false, command: onHost(ctx, n, hasCephPackages, 'ceph packages') },
    { what: `${n.name}: install them unless they are`, mutates: true, command: onHost(ctx, n, installCephPackages, 'pveceph install') },
  ]) : []),
  async run(ctx): Promise<PhaseResult> {
    if (!ctx.site.storage.ceph) return { changed: [], verified: ['the site has no Ceph'], blockers: [] };
    const changed: string[] = [];
    const verified: string[] = [];
    for (const node of ctx.site.nodes) {
      if ((await run(ctx, onHost(ctx, node, hasCephPackages, 'ceph packages'))).exitCode === 0) {
        verified.push(`${node.name}: Ceph packages installed`);
        continue;
      }
      await runOk(ctx, { ...onHost(ctx, node, installCephPackages, 'pveceph install'), timeoutMs: 20 * 60_000 });
      changed.push(`${node.name}: installed the Ceph packages (pveceph install)`);
    }
    return { changed, verified, blockers: [] };
  },
};
