/**
 * `homelab group | patch | status | adopt | discover | drift`: commander checks their flags and arguments (help, typos,
 * missing group, bad numbers), then runFleet gets them as the argument list it parses.
 */
import { Command, Option } from 'commander';
import type { PatchLayer } from '@homelab/core';
import { jsonOption, nonNegativeSeconds, positiveInteger, serviceOption } from './options.ts';

/** Runs one fleet command with the arguments after its name, e.g. ("group", ["stop", "media", "--dry-run"]). */
export type FleetRun = (command: 'group' | 'patch' | 'status' | 'adopt' | 'drift' | 'discover', argv: readonly string[]) => Promise<void>;

type Values = Record<string, unknown>;

/** Commander's parsed values back into flags: `{ dryRun: true, service: ['a'] }` → `--dry-run --service a`. */
export function flagsToArgv(values: Values): string[] {
  const argv: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === true) argv.push(flag);
    else if (Array.isArray(value)) for (const v of value) argv.push(flag, String(v));
    else if (typeof value === 'string' || typeof value === 'number') argv.push(flag, String(value));
  }
  return argv;
}

const tlsOptions = (): Option[] => [
  new Option('--ca-file <pem>', 'CA certificate of the Proxmox API (or HOMELAB_PVE_CA_FILE)'),
  new Option('--insecure', 'do not verify the Proxmox API certificate (or PROXMOX_VE_INSECURE=true)'),
];

const lockWaitOption = (): Option => new Option('--lock-wait <seconds>', 'wait up to this long for the fleet lock and the deploy locks of the services touched (default 0: fail at once)').argParser(nonNegativeSeconds);

const API_HELP = `
Proxmox API: PROXMOX_VE_ENDPOINT (else the first node's https://<ip>:8006/, as bootstrap does) and
PROXMOX_VE_API_TOKEN (else the token \`homelab deploy\` stored in <state>/secrets/proxmox-api-token after
applying the hypervisor stack; the exported one wins). stderr names the source, never the value.`;

function withOptions(command: Command, options: readonly Option[]): Command {
  for (const o of options) command.addOption(o);
  return command.addHelpText('after', API_HELP);
}

function groupCommand(run: FleetRun): Command {
  const group = new Command('group').description('fleet operations on a group of services, over the Nx graph: list, start, stop');
  group.addCommand(withOptions(new Command('list').description('every group with its flags, dependencies, members and their state'), [jsonOption('the groups'), ...tlsOptions()])
    .action(async (opts: Values) => run('group', ['list', ...flagsToArgv(opts)])));
  group.addCommand(withOptions(new Command('start').argument('<group>', 'the group to start').description('start a group, roots first (dependencies before dependents)'), [
    serviceOption('only this member of the group'),
    new Option('--dry-run', 'print the order; start nothing'),
    new Option('--parallel <n>', 'guests started at a time within a wave (default 4)').argParser(positiveInteger),
    lockWaitOption(),
    ...tlsOptions(),
  ]).action(async (name: string, opts: Values) => run('group', ['start', name, ...flagsToArgv(opts)])));
  group.addCommand(withOptions(new Command('stop').argument('<group>', 'the group to stop').description('stop a group, leaves first; refused for always-on groups and while dependents run'), [
    serviceOption('only this member of the group'),
    new Option('--dry-run', 'print the order; stop nothing'),
    new Option('--timeout <seconds>', 'clean shutdown wait per guest before giving up (default 120)').argParser(positiveInteger),
    new Option('--force', 'stop a guest that did not shut down within --timeout'),
    new Option('--parallel <n>', 'guests stopped at a time within a wave (default 4)').argParser(positiveInteger),
    lockWaitOption(),
    new Option('--confirm-vpn-stop', 'stop the management VPN (the service on the site\'s WireGuard port) without being asked: remote sessions through it drop'),
    ...tlsOptions(),
  ]).action(async (name: string, opts: Values) => run('group', ['stop', name, ...flagsToArgv(opts)])));
  return group;
}

// Keyed by every PatchLayer (the compiler checks it), so the core need not load for --help.
const LAYER_DESCRIPTIONS: Readonly<Record<PatchLayer, string>> = {
  proxmox: 'the Proxmox nodes one at a time, each gated on a healthy cluster',
  lxc: 'the LXC containers, --parallel at a time',
  docker: 'pull and restart the Compose stacks, one at a time',
  talos: 'upgrade the Talos nodes to --image, control plane first, one at a time',
  pi: 'the Raspberry Pis, --parallel at a time',
};

function patchCommand(run: FleetRun): Command {
  const layers = Object.keys(LAYER_DESCRIPTIONS) as PatchLayer[];
  const patch = new Command('patch').description(`patch one layer with the design's strategy: ${layers.join(', ')}`);
  for (const layer of layers) {
    patch.addCommand(withOptions(new Command(layer).description(`${layer === 'talos' || layer === 'docker' ? '' : 'patch '}${LAYER_DESCRIPTIONS[layer]}`), [
      new Option('--dry-run', 'print the plan; run nothing'),
      new Option('--parallel <n>', 'units patched at a time where the layer allows it (default 4)').argParser(positiveInteger),
      serviceOption('only this service'),
      new Option('--image <installer>', 'Talos installer image (patch talos)'),
      new Option('--ssh-user <user>', 'SSH user on the hosts (default root)'),
      new Option('--health-timeout <seconds>', 'wait this long for the cluster to be healthy (default 1200)').argParser(positiveInteger),
      lockWaitOption(),
      ...tlsOptions(),
    ]).action(async (opts: Values) => run('patch', [layer, ...flagsToArgv(opts)])));
  }
  return patch;
}

function statusCommand(run: FleetRun): Command {
  return withOptions(new Command('status').description("what runs where; the deployed version against the repository's"), [
    serviceOption('only this service'), jsonOption('the status'), ...tlsOptions(),
  ]).action(async (opts: Values) => run('status', flagsToArgv(opts)));
}

function adoptCommand(run: FleetRun): Command {
  return withOptions(new Command('adopt').description("match the cluster's guests to the address plan by VMID; Terraform import blocks so deploy imports running guests instead of creating them"), [
    serviceOption('only this service'),
    new Option('--write', 'write the import blocks to <state>/adopt/<service>.tf.json, where deploy picks them up (default: print them)'),
    jsonOption('the matches, conflicts and import blocks'), ...tlsOptions(),
  ]).action(async (opts: Values) => run('adopt', flagsToArgv(opts)));
}

function driftCommand(run: FleetRun): Command {
  return withOptions(new Command('drift').description("each live guest's config against the synthesized Terraform, and `tofu plan -detailed-exitcode` where it can run; exit 5 on drift"), [
    serviceOption('only this service'), jsonOption('the drift report'), ...tlsOptions(),
  ]).action(async (opts: Values) => run('drift', flagsToArgv(opts)));
}

function discoverCommand(run: FleetRun): Command {
  return withOptions(new Command('discover').description("read the site's unmeasured hardware facts (disk ids, USB ids, device paths) from the cluster's disk and USB listings, ready to paste into the site"), [
    new Option('--node <name>', 'only the inputs of this node'),
    jsonOption('the matched values and what could not be matched'), ...tlsOptions(),
  ]).action(async (opts: Values) => run('discover', flagsToArgv(opts)));
}

export function fleetCommands(run: FleetRun): Command[] {
  return [groupCommand(run), patchCommand(run), statusCommand(run), adoptCommand(run), driftCommand(run), discoverCommand(run)];
}
