/**
 * Phase 1: what a person does with their hands, verified before anything changes. Proxmox VE
 * installed on every node and reachable as root with the operator's key (hostname and major
 * version checked, since the API schema and the provider are pinned to PVE 9); the Pis reachable;
 * the zone delegated to the DNS provider at the registrar; and the router's port forwards, which
 * nothing inside the LAN can see, confirmed by the operator once (`--confirm router-port-forwards`)
 * and remembered in the bootstrap record.
 */
import type { BootstrapBlocker, BootstrapContext, BootstrapPhase, PhaseResult, PlannedStep } from './phase.ts';
import { SSH_UNREACHABLE, lastLine, onHost, run } from './remote.ts';

export const SUPPORTED_PVE_MAJOR = 9;
export const ROUTER_CHECK = 'router-port-forwards';

/** Name servers each DNS provider hands out, by provider (facts of the provider, not of a site). */
const PROVIDER_NAME_SERVERS: Readonly<Record<string, { readonly suffix: string; readonly where: string }>> = {
  cloudflare: { suffix: '.ns.cloudflare.com', where: 'the two name servers Cloudflare assigned the zone (dashboard → the zone → DNS → Records)' },
};

type Ctx = Pick<BootstrapContext, 'site' | 'home' | 'sshUser'>;

function forwardsOf(ctx: Ctx): string[] {
  return ctx.site.portForwards.map((f) => `${f.protocol.toUpperCase()} ${f.port} → ${ctx.site.addressPlan[f.service]?.ip ?? `(${f.service}: no address)`} (${f.service})`);
}

function steps(ctx: Ctx): PlannedStep[] {
  const out: PlannedStep[] = [];
  for (const node of ctx.site.nodes) {
    out.push({ what: `${node.name}: Proxmox VE ${SUPPORTED_PVE_MAJOR} installed (hostname ${node.name}, ${node.ip}), root login with your SSH key`, manual: true, mutates: false, command: onHost(ctx, node, ['pveversion'], 'pveversion') });
  }
  for (const host of ctx.site.externalHosts) {
    out.push({ what: `${host.name}: reachable over SSH with your key (${host.ip})`, manual: true, mutates: false, command: onHost(ctx, host, ['true'], 'ssh login') });
  }
  if (PROVIDER_NAME_SERVERS[ctx.site.dns.provider]) {
    out.push({ what: `${ctx.site.dns.zone}: delegated to ${ctx.site.dns.provider} at the registrar (NS lookup)`, manual: true, mutates: false });
  }
  if (ctx.site.portForwards.length) {
    out.push({ what: `router port forwards ${forwardsOf(ctx).join(', ')}: confirmed by you (--confirm ${ROUTER_CHECK})`, manual: true, mutates: false });
  }
  return out;
}

async function checkNodes(ctx: BootstrapContext, verified: string[], blockers: BootstrapBlocker[]): Promise<void> {
  for (const node of ctx.site.nodes) {
    const check = `pve-installed:${node.name}`;
    const install = `Install Proxmox VE ${SUPPORTED_PVE_MAJOR} on ${node.name} from the USB installer (hostname ${node.name}, address ${node.ip}, gateway ${ctx.site.network.gateway}), then: ssh-copy-id ${ctx.sshUser}@${node.ip}`;
    const version = await run(ctx, onHost(ctx, node, ['pveversion'], 'pveversion'));
    if (version.exitCode === SSH_UNREACHABLE) {
      blockers.push({ check, message: `${node.name} (${node.ip}) does not let ${ctx.sshUser} in with your SSH key: ${lastLine(version.stderr) || 'no answer'}`, fix: install });
      continue;
    }
    const match = /pve-manager\/(\d+)\.(\d+)(?:\.\d+)?/.exec(version.stdout);
    if (version.exitCode !== 0 || !match) {
      blockers.push({ check, message: `${node.name} (${node.ip}) answers SSH but is not a Proxmox VE node (pveversion: ${lastLine(version.stderr || version.stdout) || `exit ${version.exitCode}`})`, fix: install });
      continue;
    }
    if (Number(match[1]) !== SUPPORTED_PVE_MAJOR) {
      blockers.push({ check, message: `${node.name} runs Proxmox VE ${match[1]}.${match[2]}; homelab is built against the PVE ${SUPPORTED_PVE_MAJOR} API`, fix: `Upgrade ${node.name} to Proxmox VE ${SUPPORTED_PVE_MAJOR} (https://pve.proxmox.com/wiki/Upgrade_from_8_to_9), then rerun.` });
      continue;
    }
    const hostname = await run(ctx, onHost(ctx, node, ['hostname'], 'hostname'));
    const name = hostname.stdout.trim();
    if (hostname.exitCode !== 0 || name !== node.name) {
      blockers.push({ check, message: `${node.ip} calls itself ${JSON.stringify(name)}, but the site puts ${node.name} there`, fix: `Give the machine at ${node.ip} the hostname ${node.name} (before it joins the cluster: a node's name cannot change after), or correct the site's nodes.` });
      continue;
    }
    verified.push(`${node.name}: ${match[0]}`);
  }
}

async function checkExternalHosts(ctx: BootstrapContext, verified: string[], blockers: BootstrapBlocker[]): Promise<void> {
  for (const host of ctx.site.externalHosts) {
    const login = await run(ctx, onHost(ctx, host, ['true'], 'ssh login'));
    if (login.exitCode === 0) verified.push(`${host.name}: SSH login`);
    else blockers.push({
      check: `host-reachable:${host.name}`,
      message: `${host.name} (${host.ip}) does not let ${ctx.sshUser} in with your SSH key: ${lastLine(login.stderr) || `exit ${login.exitCode}`}`,
      fix: `Flash the Pi with your public key (Raspberry Pi Imager → OS customisation → Services → allow public-key authentication only), give it ${host.ip}, and check: ssh ${ctx.sshUser}@${host.ip} true`,
    });
  }
}

async function checkDelegation(ctx: BootstrapContext, verified: string[], blockers: BootstrapBlocker[]): Promise<void> {
  const provider = PROVIDER_NAME_SERVERS[ctx.site.dns.provider];
  if (!provider) return;
  const zone = ctx.site.dns.zone;
  const fix = `At the registrar of ${zone}, set the name servers to ${provider.where}; delegation can take hours to show.`;
  let servers: readonly string[];
  try {
    servers = await ctx.resolveNs(zone);
  } catch (error) {
    blockers.push({ check: 'dns-delegation', message: `the name servers of ${zone} cannot be looked up: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, fix });
    return;
  }
  const foreign = servers.filter((s) => !s.toLowerCase().replace(/\.$/, '').endsWith(provider.suffix));
  if (!servers.length || foreign.length) {
    blockers.push({ check: 'dns-delegation', message: `${zone} is served by ${servers.join(', ') || 'no name server'}, not ${ctx.site.dns.provider}`, fix });
  } else verified.push(`${zone}: delegated to ${servers.join(', ')}`);
}

function checkRouter(ctx: BootstrapContext, verified: string[], blockers: BootstrapBlocker[]): void {
  if (!ctx.site.portForwards.length) return;
  if (ctx.confirmed.has(ROUTER_CHECK) || ctx.confirmedBefore.has(ROUTER_CHECK)) {
    verified.push(`router port forwards: confirmed by you${ctx.confirmed.has(ROUTER_CHECK) ? '' : ' on an earlier run'}`);
    return;
  }
  blockers.push({
    check: ROUTER_CHECK,
    message: `the router must forward ${forwardsOf(ctx).join(', ')}; nothing inside the LAN can see that`,
    fix: `Set these forwards on the router, then rerun with --confirm ${ROUTER_CHECK}.`,
  });
}

export const preconditionsPhase: BootstrapPhase = {
  id: 'preconditions',
  title: 'Preconditions (manual, verified)',
  describe: steps,
  async run(ctx): Promise<PhaseResult> {
    const verified: string[] = [];
    const blockers: BootstrapBlocker[] = [];
    await checkNodes(ctx, verified, blockers);
    await checkExternalHosts(ctx, verified, blockers);
    await checkDelegation(ctx, verified, blockers);
    checkRouter(ctx, verified, blockers);
    return { changed: [], verified, blockers };
  },
};
