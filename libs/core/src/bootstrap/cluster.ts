/**
 * Phase 2: the Proxmox VE cluster, formed or verified. Each node is asked what it sees
 * (`pvesh get /cluster/status`); the first node of the site that is already in a cluster anchors
 * it (else the site's first node creates it with `pvecm create <site.clusterName>`); every other
 * node joins with `pvecm add <anchor> --use_ssh 1` after its root key is trusted by the anchor
 * and the anchor's host key is known to it (no password prompt). A node in another cluster is
 * never touched. Done when the anchor sees every site node online and the cluster quorate.
 */
import { CLUSTER_NAME, clusterView, type ClusterView } from './cluster-status.ts';
import type { BootstrapBlocker, BootstrapContext, BootstrapPhase, PhaseResult, PlannedStep } from './phase.ts';
import { onHost, pveshGet, runJson, runOk, type Host } from './remote.ts';

type Ctx = Pick<BootstrapContext, 'site' | 'sshUser'>;

const ROOT_KEY = '/root/.ssh/id_rsa.pub';
export const readRootKey = ['cat', ROOT_KEY];
/** Appends the key ($1) to root's authorized_keys unless it is there (a cluster node links that file into /etc/pve/priv). */
export const trustKey = (key: string): string[] => ['sh', '-c', 'grep -qxF "$1" /root/.ssh/authorized_keys 2>/dev/null || echo "$1" >> /root/.ssh/authorized_keys', 'trust-key', key];
/** Records the anchor's host key ($1) unless known: a LAN-only first contact, like `pvecm add` over SSH itself. */
export const knowHost = (ip: string): string[] => ['sh', '-c', 'ssh-keygen -F "$1" >/dev/null || ssh-keyscan -H "$1" >> /root/.ssh/known_hosts', 'know-host', ip];
export const pvecmCreate = (name: string): string[] => ['pvecm', 'create', name];
export const pvecmAdd = (anchorIp: string): string[] => ['pvecm', 'add', anchorIp, '--use_ssh', '1'];

function clusterNameProblem(ctx: Ctx): BootstrapBlocker | undefined {
  const name = ctx.site.clusterName;
  if (name && CLUSTER_NAME.test(name)) return undefined;
  return {
    check: 'cluster-name',
    message: name ? `site.clusterName ${JSON.stringify(name)} is not a Proxmox cluster name (1–15 letters, digits or -, not starting or ending with -)` : 'no node is in a cluster yet and the site has no clusterName to create one with',
    fix: 'Set clusterName in the site (libs/site/src/index.ts), e.g. clusterName: \'homelab\', then rerun.',
  };
}

function joinSteps(ctx: Ctx, node: Host, anchor: Host): PlannedStep[] {
  return [
    { what: `${node.name}: root key trusted by ${anchor.name}`, mutates: true, command: onHost(ctx, anchor, trustKey(`<${node.name}:${ROOT_KEY}>`), `trust ${node.name}'s root key`) },
    { what: `${node.name}: ${anchor.name}'s host key known`, mutates: true, command: onHost(ctx, node, knowHost(anchor.ip), `know ${anchor.name}'s host key`) },
    { what: `${node.name}: join the cluster`, mutates: true, command: onHost(ctx, node, pvecmAdd(anchor.ip), 'pvecm add') },
  ];
}

function describe(ctx: Ctx): PlannedStep[] {
  const [first, ...rest] = ctx.site.nodes;
  if (!first) return [];
  return [
    ...ctx.site.nodes.map((n) => ({ what: `${n.name}: what cluster it is in`, mutates: false, command: onHost(ctx, n, pveshGet('/cluster/status'), 'cluster status') })),
    { what: `${first.name}: create cluster ${ctx.site.clusterName ?? '<site.clusterName>'} unless a node is in one already`, mutates: true, command: onHost(ctx, first, pvecmCreate(ctx.site.clusterName ?? '<site.clusterName>'), 'pvecm create') },
    ...rest.flatMap((n) => joinSteps(ctx, n, first)),
    { what: `every node online, cluster quorate (${ctx.site.nodes.length} nodes)`, mutates: false, command: onHost(ctx, first, pveshGet('/cluster/status'), 'cluster status') },
  ];
}

async function views(ctx: BootstrapContext): Promise<Map<string, ClusterView>> {
  const out = new Map<string, ClusterView>();
  for (const node of ctx.site.nodes) out.set(node.name, clusterView(await runJson(ctx, onHost(ctx, node, pveshGet('/cluster/status'), 'cluster status'))));
  return out;
}

export const clusterPhase: BootstrapPhase = {
  id: 'cluster',
  title: 'Proxmox VE cluster',
  describe,
  async run(ctx): Promise<PhaseResult> {
    const changed: string[] = [];
    const seen = await views(ctx);
    let anchor = ctx.site.nodes.find((n) => seen.get(n.name)?.cluster);
    const blockers: BootstrapBlocker[] = [];
    if (!anchor) {
      const problem = clusterNameProblem(ctx);
      if (problem) return { changed, verified: [], blockers: [problem] };
      anchor = ctx.site.nodes[0]!;
      await runOk(ctx, onHost(ctx, anchor, pvecmCreate(ctx.site.clusterName!), 'pvecm create'));
      changed.push(`${anchor.name}: created cluster ${ctx.site.clusterName}`);
    }
    const anchorView = clusterView(await runJson(ctx, onHost(ctx, anchor, pveshGet('/cluster/status'), 'cluster status')));
    const clusterName = anchorView.cluster?.name ?? '';
    const members = new Set(anchorView.members.map((m) => m.name));
    for (const node of ctx.site.nodes) {
      if (members.has(node.name)) continue;
      const own = seen.get(node.name)?.cluster;
      if (own) {
        blockers.push({ check: `cluster-member:${node.name}`, message: `${node.name} is in cluster ${own.name}, not in ${clusterName} with ${anchor.name}`, fix: `Remove ${node.name} from ${own.name} (pvecm delnode on that cluster, then reinstall ${node.name}: https://pve.proxmox.com/wiki/Cluster_Manager#_remove_a_cluster_node), then rerun.` });
        continue;
      }
      const key = (await runOk(ctx, onHost(ctx, node, readRootKey, 'read root key'))).stdout.trim();
      await runOk(ctx, onHost(ctx, anchor, trustKey(key), `trust ${node.name}'s root key`));
      await runOk(ctx, onHost(ctx, node, knowHost(anchor.ip), `know ${anchor.name}'s host key`));
      await runOk(ctx, onHost(ctx, node, pvecmAdd(anchor.ip), 'pvecm add'));
      changed.push(`${node.name}: joined ${clusterName}`);
    }
    if (blockers.length) return { changed, verified: [], blockers };
    const final = clusterView(await runJson(ctx, onHost(ctx, anchor, pveshGet('/cluster/status'), 'cluster status')));
    const missing = ctx.site.nodes.filter((n) => !final.members.some((m) => m.name === n.name && m.online)).map((n) => n.name);
    if (missing.length || !final.cluster?.quorate) {
      return { changed, verified: [], blockers: [{ check: 'cluster-quorum', message: `cluster ${final.cluster?.name ?? clusterName}: ${missing.length ? `${missing.join(', ')} not online` : ''}${missing.length && !final.cluster?.quorate ? '; ' : ''}${final.cluster?.quorate ? '' : 'not quorate'}`, fix: `Check corosync on ${missing.join(', ') || 'the nodes'} (pvecm status; journalctl -u corosync), then rerun.` }] };
    }
    return { changed, verified: [`cluster ${final.cluster.name}: ${final.members.length} nodes online, quorate`], blockers: [] };
  },
};
