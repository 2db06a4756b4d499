import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import { APPLY_SCRIPT, kubeletReservedMiB, METALLB_FILE, talosNodes, TALOS_INSTALLER } from '../src/index.ts';

const k = await synthesized('talos');
const s = await synthesizeThisSite();
const talos = s.home.byName.get('talos')!;
const vms = k.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_vm;
const docsOf = (text: string) => parseAllDocuments(text).map((d) => d.toJSON() as Record<string, any>);
const patch = (name: string) => k.text(`files/localhost/talos/patches/${name}.yaml`);
const script = k.text(`files/localhost${APPLY_SCRIPT}`);
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe('talos: the VMs', () => {
  it.each([
    ['talos-cp-0', 400, 'tower1', '192.168.86.101', 2, 1200, 4096, 4096, 32],
    ['talos-worker-0', 411, 'pve2', '192.168.86.111', 4, 1024, 8192, 4096, 64],
    ['talos-worker-1', 412, 'pve3', '192.168.86.112', 4, 1024, 8192, 4096, 64],
    ['talos-worker-2', 413, 'zotac', '192.168.86.113', 4, 1024, 8192, 8192, 64],
  ])('%s is VM %i on %s at %s: %i cores, weight %i, %i MiB with a %i MiB floor, %i GiB on Ceph', (name, vmid, node, ip, cores, weight, mem, floor, disk) => {
    const vm = vms[name];
    expect(vm).toMatchObject({ name, vm_id: vmid, node_name: node, cpu: { cores, units: weight }, memory: { dedicated: mem, floating: floor } });
    expect(vm.initialization.ip_config[0].ipv4.address).toBe(`${ip}/24`);
    expect(vm.disk).toEqual([expect.objectContaining({ datastore_id: 'ceph-rbd', size: disk, interface: 'scsi0' })]);
    expect(vm.cdrom.file_id).toBe('local:iso/talos-v1.13.9-nocloud-amd64.iso');
  });
  it('is one service of group kubernetes that depends on ceph and proxmox, with no problem', () => {
    expect(Object.keys(vms).sort()).toEqual(['talos-cp-0', 'talos-worker-0', 'talos-worker-1', 'talos-worker-2']);
    expect(talos).toMatchObject({ group: 'kubernetes', dependsOn: ['ceph', 'proxmox'], kind: 'none' });
    expect(s.problems.filter((x) => x.source === 'packages/talos')).toEqual([]);
  });
  it('passes the bpg/proxmox Terraform JSON schema', () => {
    expect(validateArtifact('terraform-json', k.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

describe('talos: machine configuration patches', () => {
  it.each(['talos-cp-0', 'talos-worker-0', 'talos-worker-1', 'talos-worker-2'])('%s passes the Talos v1.13.9 config schema', (name) => {
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
    expect(docs.find((d) => d.kind === 'Layer2VIPConfig')).toEqual({ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: '192.168.86.100', link: 'lan0' });
    expect(docs.find((d) => d.kind === 'LinkConfig')).toMatchObject({ name: 'lan0', addresses: [{ address: '192.168.86.101/24' }], routes: [{ gateway: '192.168.86.1' }] });
    expect(docs.find((d) => d.kind === 'LinkAliasConfig')).toMatchObject({ name: 'lan0', selector: { match: 'link.driver == "virtio_net"' } });
    expect(docs.find((d) => d.kind === 'HostnameConfig')!.hostname).toBe('talos-cp-0');
    expect(docs.find((d) => d.kind === 'ResolverConfig')!.nameservers).toEqual([{ address: '192.168.86.1' }]);
    const v1 = docs[0]!;
    expect(v1.machine.install).toEqual({ disk: '/dev/sda', image: TALOS_INSTALLER, wipe: false });
    expect(v1.machine.kubelet.nodeIP.validSubnets).toEqual(['192.168.86.0/24']);
    expect(v1.cluster.etcd.advertisedSubnets).toEqual(['192.168.86.0/24']);
  });
  it('workers have no VIP, and keep the ballooned memory out of pod allocatable', () => {
    for (const node of talosNodes(s.home.site).filter((n) => n.role === 'worker')) {
      const docs = docsOf(patch(node.name));
      expect(docs.some((d) => d.kind === 'Layer2VIPConfig')).toBe(false);
      expect(docs.find((d) => d.kind === 'LinkConfig')!.addresses).toEqual([{ address: `${node.ip}/24` }]);
      expect(docs[0]!.machine.kubelet.extraConfig.systemReserved.memory).toBe(`${kubeletReservedMiB(node)}Mi`);
      expect(kubeletReservedMiB(node)).toBe(512 + node.memoryMiB - node.balloonMiB);
    }
    expect(kubeletReservedMiB(talosNodes(s.home.site).find((n) => n.name === 'talos-worker-0')!)).toBe(4608);
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
    expect(script).toContain("readonly endpoint=https://192.168.86.100:6443");
    expect(script).toContain('talosctl gen config "${cluster_name}" "${endpoint}" --with-secrets "${secrets}"');
    expect(script).toContain('talosctl apply-config --insecure --nodes "${ip}" --file "${base}" --config-patch "@${patch}"');
    expect(script).toMatch(/^readonly machines=\(.*[( ]talos-worker-2=worker=192\.168\.86\.113[ )]/m);
  });
  it('bootstraps the first control plane once and fetches the kubeconfig', () => {
    expect(script).toContain("readonly bootstrap_node=192.168.86.101");
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
  it('announces the pool .150–.199 in layer 2', () => {
    const pool = docs.find((d) => d.kind === 'IPAddressPool')!;
    expect(pool).toMatchObject({ apiVersion: 'metallb.io/v1beta1', metadata: { name: 'lan', namespace: 'metallb-system' }, spec: { addresses: ['192.168.86.150-192.168.86.199'] } });
    const l2 = docs.find((d) => d.kind === 'L2Advertisement')!;
    expect(l2).toMatchObject({ apiVersion: 'metallb.io/v1beta1', spec: { ipAddressPools: ['lan'] } });
    expect(docs.some((d) => d.kind === 'BGPAdvertisement')).toBe(false);
  });
  it('passes the Kubernetes manifest checks', () => {
    expect(validateArtifact('kubernetes', text, 'metallb-l2.yaml').problems).toEqual([]);
  });
});
