import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import { OS_IMAGES } from '@homelab/core/model';
import { APPLY_SCRIPT, kubeletReservedMiB, METALLB_FILE, talosNodes, TALOS_INSTALLER, TALOS_OS_IMAGE, TALOS_SCHEMATIC, TALOS_VERSION, workerBalloonMiB } from '../src/index.ts';

const k = await synthesizeFor(fixtureSite, 'talos');
const talos = k.service;
const vms = k.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_vm;
const docsOf = (text: string) => parseAllDocuments(text).map((d) => d.toJSON() as Record<string, any>);
const patch = (name: string) => k.text(`files/localhost/talos/patches/${name}.yaml`);
const script = k.text(`files/localhost${APPLY_SCRIPT}`);
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
/** The site's Kubernetes machines: every talos-cp-* and talos-worker-* entry of its address plan. */
const MACHINES = Object.keys(fixtureSite.addressPlan).filter((n) => n.startsWith('talos-')).sort();
const kubernetes = fixtureSite.kubernetes!;
const cp = placementOf(fixtureSite, 'talos-cp-0');

describe('talos: the VMs', () => {
  it.each([
    ['talos-cp-0', 2, 1200, 32],
    ['talos-worker-0', 4, 1024, 64],
    ['talos-worker-1', 4, 1024, 64],
  ])('%s is its address-plan VM: %i cores, weight %i, %i GiB on the Ceph datastore, booting the Talos ISO', (name, cores, weight, disk) => {
    const vm = vms[name];
    const p = placementOf(fixtureSite, name);
    expect(vm).toMatchObject({ name, vm_id: p.vmid, node_name: p.node, cpu: { cores, units: weight } });
    expect(vm.initialization.ip_config[0].ipv4).toEqual({ address: p.cidr, gateway: p.gateway });
    expect(vm.disk).toEqual([expect.objectContaining({ datastore_id: fixtureSite.storage.ceph!.datastore, size: disk, interface: 'scsi0' })]);
    expect(vm.cdrom.file_id).toBe(`${fixtureSite.storage.images}:iso/talos-${TALOS_VERSION}-nocloud-amd64.iso`);
  });
  it('gives the control plane 4 GiB and a worker on a big host 8 GiB, neither ballooning', () => {
    expect(vms['talos-cp-0'].memory).toEqual({ dedicated: 4096, floating: 4096 });
    expect(vms['talos-worker-0'].memory).toEqual({ dedicated: 8192, floating: 8192 });
  });
  it('is one service of group kubernetes that depends on ceph and proxmox, one VM per address-plan machine', () => {
    expect(Object.keys(vms).sort()).toEqual(MACHINES);
    expect(talos).toMatchObject({ group: 'kubernetes', dependsOn: ['ceph', 'proxmox'], kind: 'none' });
  });
  it('passes the bpg/proxmox Terraform JSON schema', () => {
    expect(validateArtifact('terraform-json', k.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

describe('talos: balloon floors', () => {
  /** The fixture site with the host of talos-worker-0 cut to 8 GiB, like a small ThinkCentre. */
  const small = placementOf(fixtureSite, 'talos-worker-0').node;
  const smallHostSite = { ...fixtureSite, nodes: fixtureSite.nodes.map((n) => (n.name === small ? { ...n, memoryMiB: 8192 } : n)) };
  it('a worker on an 8 GiB host is floored at half the host, one on a 16 GiB host does not balloon', () => {
    expect(workerBalloonMiB(8192, 8192)).toBe(4096);
    expect(workerBalloonMiB(16384, 8192)).toBe(8192);
    const nodes = talosNodes(smallHostSite);
    expect(nodes.find((n) => n.name === 'talos-worker-0')).toMatchObject({ host: small, memoryMiB: 8192, balloonMiB: 4096 });
    expect(nodes.find((n) => n.name === 'talos-worker-1')).toMatchObject({ memoryMiB: 8192, balloonMiB: 8192 });
    expect(nodes.find((n) => n.name === 'talos-cp-0')).toMatchObject({ role: 'controlplane', memoryMiB: 4096, balloonMiB: 4096 });
  });
  it('the kubelet reserves the ballooned part plus 512 MiB', () => {
    expect(kubeletReservedMiB(talosNodes(smallHostSite).find((n) => n.name === 'talos-worker-0')!)).toBe(4608);
    expect(kubeletReservedMiB(talosNodes(fixtureSite).find((n) => n.name === 'talos-worker-0')!)).toBe(512);
  });
});

describe('talos: machine configuration patches', () => {
  it.each(MACHINES)('%s passes the Talos v1.13.9 config schema', (name) => {
    const r = validateArtifact('talos-config', patch(name), `${name}.yaml`);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });
  it('the schema check can fail: a v1alpha1 network section (gone in 1.13) is refused', () => {
    const bad = `machine:\n  network:\n    hostname: x\n`;
    expect(validateArtifact('talos-config', bad, 'bad.yaml').ok).toBe(false);
  });
  it('the control plane carries the API VIP, static address, install disk and etcd subnet', () => {
    const docs = docsOf(patch('talos-cp-0'));
    expect(docs.find((d) => d.kind === 'Layer2VIPConfig')).toEqual({ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: kubernetes.apiVip, link: 'lan0' });
    expect(docs.find((d) => d.kind === 'LinkConfig')).toMatchObject({ name: 'lan0', addresses: [{ address: cp.cidr }], routes: [{ gateway: fixtureSite.network.gateway }] });
    expect(docs.find((d) => d.kind === 'LinkAliasConfig')).toMatchObject({ name: 'lan0', selector: { match: 'link.driver == "virtio_net"' } });
    expect(docs.find((d) => d.kind === 'HostnameConfig')!.hostname).toBe('talos-cp-0');
    expect(docs.find((d) => d.kind === 'ResolverConfig')!.nameservers).toEqual(fixtureSite.network.dns.map((address) => ({ address })));
    const v1 = docs[0]!;
    expect(v1.machine.install).toEqual({ disk: '/dev/sda', image: TALOS_INSTALLER, wipe: false });
    expect(v1.machine.kubelet.nodeIP.validSubnets).toEqual([fixtureSite.network.cidr]);
    expect(v1.cluster.etcd.advertisedSubnets).toEqual([fixtureSite.network.cidr]);
  });
  it('workers have no VIP, and keep the ballooned memory out of pod allocatable', () => {
    const workers = talosNodes(fixtureSite).filter((n) => n.role === 'worker');
    expect(workers.map((n) => n.name)).toEqual(MACHINES.filter((n) => n.startsWith('talos-worker-')));
    for (const node of workers) {
      const docs = docsOf(patch(node.name));
      expect(docs.some((d) => d.kind === 'Layer2VIPConfig')).toBe(false);
      expect(docs.find((d) => d.kind === 'LinkConfig')!.addresses).toEqual([{ address: placementOf(fixtureSite, node.name).cidr }]);
      expect(docs[0]!.machine.nodeLabels).toEqual({ 'topology.kubernetes.io/zone': placementOf(fixtureSite, node.name).node });
      expect(docs[0]!.machine.kubelet.extraConfig.systemReserved.memory).toBe(`${kubeletReservedMiB(node)}Mi`);
      expect(kubeletReservedMiB(node)).toBe(512 + node.memoryMiB - node.balloonMiB);
    }
  });
  it('hold no secret: keys, tokens and certificates come from talosctl gen secrets', () => {
    for (const name of ['talos-cp-0', 'talos-worker-0']) expect(patch(name)).not.toMatch(/\b(token|ca|key|secret|crt):/);
  });
});

describe('talos: talosctl steps', () => {
  it('generates the secrets once, outside the repository, and never overwrites them', () => {
    expect(script).toMatch(/if \[\[ ! -e "\$\{secrets\}" \]\]; then\n\s+talosctl gen secrets --output-file "\$\{secrets\}"/);
    expect(script).not.toMatch(/gen secrets[^\n]*--force/);
    expect(script).toContain('rev-parse --is-inside-work-tree');
  });
  it('generates the configs with the secrets for the VIP endpoint and applies each node\'s patch', () => {
    expect(script).toContain(`readonly endpoint=https://${kubernetes.apiVip}:6443`);
    expect(script).toContain('talosctl gen config "${cluster_name}" "${endpoint}" --with-secrets "${secrets}"');
    expect(script).toContain('talosctl apply-config --insecure --nodes "${ip}" --file "${base}" --config-patch "@${patch}"');
    const machines = script.match(/^readonly machines=\((.*)\)$/m)?.[1]?.split(' ');
    expect(machines).toEqual(MACHINES.map((n) => `${n}=${n.startsWith('talos-cp-') ? 'controlplane' : 'worker'}=${placementOf(fixtureSite, n).ip}`));
  });
  it('bootstraps the first control plane once and fetches the kubeconfig', () => {
    expect(script).toContain(`readonly bootstrap_node=${cp.ip}`);
    expect(script).toMatch(/bootstrap 2>&1\)"; then[\s\S]*grep -q 'AlreadyExists'/);
    expect(script).toContain('kubeconfig "${state_dir}/kubeconfig" --force');
  });
  it('runs in place on the deploy machine with its patches beside it', () => {
    const plays = parse(k.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    expect(plays.map((p) => p.hosts)).toEqual(['localhost']);
    expect(plays[0]!.tasks.map((x) => x.name)).toEqual([`Run ${APPLY_SCRIPT}`]);
  });
  it.skipIf(!shellcheck)('passes shellcheck', () => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('talos: MetalLB', () => {
  const text = k.text(`files/localhost${METALLB_FILE}`);
  const docs = docsOf(text);
  it('announces the site\'s MetalLB pool in layer 2', () => {
    const pool = docs.find((d) => d.kind === 'IPAddressPool')!;
    expect(pool).toMatchObject({ apiVersion: 'metallb.io/v1beta1', metadata: { name: 'lan', namespace: 'metallb-system' }, spec: { addresses: [`${kubernetes.metallbPool.start}-${kubernetes.metallbPool.end}`] } });
    const l2 = docs.find((d) => d.kind === 'L2Advertisement')!;
    expect(l2).toMatchObject({ apiVersion: 'metallb.io/v1beta1', spec: { ipAddressPools: ['lan'] } });
    expect(docs.some((d) => d.kind === 'BGPAdvertisement')).toBe(false);
  });
  it('passes the Kubernetes manifest checks', () => {
    expect(validateArtifact('kubernetes', text, 'metallb-l2.yaml').problems).toEqual([]);
  });
});

describe('talos: the ISO the VMs first boot', () => {
  it('is the version and schematic the cluster installs (one extension: qemu-guest-agent), downloaded by the nodes', () => {
    const image = OS_IMAGES[TALOS_OS_IMAGE]!;
    expect(image.source!.url).toBe(`https://factory.talos.dev/image/${TALOS_SCHEMATIC}/${TALOS_VERSION}/nocloud-amd64.iso`);
    expect(image.file).toBe(`iso/talos-${TALOS_VERSION}-nocloud-amd64.iso`);
    expect(TALOS_INSTALLER).toBe(`factory.talos.dev/nocloud-installer/${TALOS_SCHEMATIC}:${TALOS_VERSION}`);
  });
});
