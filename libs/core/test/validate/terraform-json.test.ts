import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/model/problem.ts';
import { validateArtifact } from '../../src/validate/index.ts';
import { FIXTURES, fixture, registry } from './helpers.ts';

const DIR = 'bpg-proxmox-v0.111.1';
const CT = '/resource/proxmox_virtual_environment_container/dns';
const VM = '/resource/proxmox_virtual_environment_vm/talos';
const FILE = '/resource/proxmox_virtual_environment_download_file/debian12';

/** Every invalid fixture: where the schema must point, and what it must say. */
const INVALID: readonly (readonly [fixture: string, path: string, message: string])[] = [
  ['invalid.checksum-alone.tf.json', FILE, 'must have property "checksum_algorithm" when property "checksum" is present'],
  ['invalid.computed-only.tf.json', `${CT}/ipv4`, 'must NOT have additional properties: "ipv4"'],
  ['invalid.content-type.tf.json', `${FILE}/content_type`, 'must be equal to one of the allowed values: "iso", "vztmpl", "import"'],
  ['invalid.cores-too-many.tf.json', `${CT}/cpu/cores`, 'must be <= 128'],
  ['invalid.cpu-two-blocks.tf.json', `${CT}/cpu`, 'must NOT have more than 1 items'],
  ['invalid.firewall-no-rule.tf.json', '/resource/proxmox_virtual_environment_firewall_rules/kanboard/rule', 'must NOT have fewer than 1 items'],
  ['invalid.firewall-policy.tf.json', '/resource/proxmox_virtual_environment_firewall_options/kanboard/input_policy', 'must be equal to one of the allowed values: "ACCEPT", "REJECT", "DROP"'],
  ['invalid.features-in-vm.tf.json', `${VM}/features`, 'must NOT have additional properties: "features"'],
  ['invalid.ha-id.tf.json', '/resource/proxmox_virtual_environment_haresource/dns/resource_id', 'must match pattern "^(vm|ct):'],
  ['invalid.missing-node.tf.json', CT, 'must have required property "node_name"'],
  ['invalid.mp-novolume.tf.json', `${CT}/mount_point/0`, 'must have required property "volume"'],
  ['invalid.netdev-object.tf.json', `${VM}/network_device`, 'must be array, string or null'],
  ['invalid.netdev-partial.tf.json', `${VM}/network_device/0`, 'must have required property "model"'],
  ['invalid.os-type.tf.json', `${CT}/operating_system/type`, 'must be equal to one of the allowed values: "alpine"'],
  ['invalid.unknown-attr.tf.json', `${CT}/hostname`, 'must NOT have additional properties: "hostname"'],
  ['invalid.vm-memory-balloon-typo.tf.json', `${VM}/memory/ballooning`, 'must NOT have additional properties: "ballooning"'],
  ['invalid.vmid-string.tf.json', `${CT}/vm_id`, 'must be integer'],
];

const check = (name: string) => validateArtifact('terraform-json', fixture(DIR, name), `terraform/${name}`, { registry });

describe('terraform-json against bpg-proxmox-v0.111.1.tf-json', () => {
  it('accepts the valid homelab fixture', () => {
    const result = check('valid.homelab.tf.json');
    expect(result).toEqual({ file: 'terraform/valid.homelab.tf.json', format: 'terraform-json', check: 'schema bpg-proxmox-v0.111.1.tf-json', ok: true, problems: [] });
  });

  it('has a row for every invalid fixture on disk', () => {
    const onDisk = readdirSync(path.join(FIXTURES, DIR)).filter((f) => f.startsWith('invalid.')).sort();
    expect(INVALID.map(([name]) => name).sort()).toEqual(onDisk);
  });

  it.each(INVALID)('SchemaViolation: rejects %s at %s', (name, pointer, message) => {
    const result = check(name);
    expect(result.ok).toBe(false);
    const problem = result.problems.find((p) => p.path === pointer && p.message.includes(message));
    expect(problem, `no "${message}" at ${pointer}; got ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`).toBeDefined();
    expect(problem).toMatchObject({ source: `terraform/${name}`, code: 'SchemaViolation' });
    expect(problem!.message).toContain(message);
    expect(problem!.fix).not.toBe('');
  });

  it('reports one problem per mistake, not every alternative of a union', () => {
    for (const [name] of INVALID.filter(([n]) => n !== 'invalid.netdev-partial.tf.json')) {
      expect(check(name).problems, name).toHaveLength(1);
    }
  });

  it('says what each alternative wants when a value fits none, and shows the value received', () => {
    const [problem] = check('invalid.vmid-string.tf.json').problems;
    expect(problem).toMatchObject({
      path: `${CT}/vm_id`,
      message: 'must be integer; or must match pattern "\\$\\{"; or must be null',
      received: '101',
      fix: 'Change the value to one of the allowed forms.',
    });
    const line = formatProblem(problem!);
    expect(line.startsWith(`terraform/invalid.vmid-string.tf.json: ${CT}/vm_id: SchemaViolation: must be integer;`)).toBe(true);
    expect(line).toContain('Received "101".');
  });
});
