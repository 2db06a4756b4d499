import { describe, expect, it } from 'vitest';
import type { ToolCall, ToolSpawner } from '../../../src/process/run-tool.ts';
import { backendTypes } from '../../../src/validate/index.ts';
import { realTool, tempRoot, toolChecks, writeDist } from './helpers.ts';

const root = tempRoot('terraform');
const terraform = realTool('terraform');
const FILE = 'terraform/cdk.tf.json';

/** The shape synth writes: a local backend without a path (deploy gives it at init), bpg/proxmox, one container. */
function config(patch: (c: Record<string, any>) => void = () => {}): string {
  const c: Record<string, any> = {
    '//': { generated_by: 'homelab synth; do not edit' },
    terraform: {
      backend: { local: {} },
      required_providers: { proxmox: { source: 'bpg/proxmox', version: '0.111.1' } },
    },
    provider: { proxmox: [{}] },
    variable: { ssh_public_key: { type: 'string' } },
    resource: { proxmox_virtual_environment_container: { dns: { node_name: 'pve1', vm_id: 110, depends_on: [] } } },
  };
  patch(c);
  return `${JSON.stringify(c, null, 2)}\n`;
}

const dist = (service: string, content: string): string => writeDist(root, service, { [FILE]: content }, [{ file: FILE, format: 'terraform-json' }]);

describe('backendTypes', () => {
  it.each([
    ['object form', { terraform: { backend: { local: {} } } }, ['local']],
    ['list form', { terraform: [{ backend: [{ s3: {} }] }] }, ['s3']],
    ['none', { terraform: { required_providers: {} } }, []],
  ])('%s', (_name, value, expected) => {
    expect(backendTypes(value)).toEqual(expected);
  });
});

describe('terraform check at the process boundary', () => {
  it('initialises only the local backend, offline, then runs `terraform providers`, with the CLI config disabled', async () => {
    const calls: ToolCall[] = [];
    const spawner: ToolSpawner = async (call) => {
      calls.push(call);
      return { exitCode: 0, stdout: '', stderr: '', durationMs: 1 };
    };
    const dir = dist('argv', config());
    const [check] = await toolChecks(root, dir, 'terraform providers', { spawner, tools: { terraform: '/opt/bin/terraform' } });
    expect(check).toMatchObject({ status: 'passed', problems: [] });
    expect(calls.map((c) => [c.file, c.args.map((a) => a.replace(/=.*\.no-provider-plugins$/, '=<empty dir>')), c.setEnv, c.mutates])).toEqual([
      ['/opt/bin/terraform', ['init', '-input=false', '-no-color', '-get=false', '-backend=true', '-plugin-dir=<empty dir>'], { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, false],
      ['/opt/bin/terraform', ['providers'], { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }, false],
    ]);
    // Runs in the layout's copy of terraform/, never in dist/.
    expect(calls[1]!.cwd).toMatch(/homelab-validate-[^/]+\/argv\/terraform$/);
  });
});

describe.skipIf(terraform.skip)(`terraform providers (real, offline)${terraform.suffix}`, () => {
  it('passes the configuration synth writes (local backend initialised offline)', async () => {
    const [check] = await toolChecks(root, dist('tf-ok', config()), 'terraform providers');
    expect(check).toMatchObject({ status: 'passed', ok: true, problems: [], notes: [] });
  });

  it('fails a meta-argument mistake with Terraform\'s diagnostic and its line', async () => {
    const [check] = await toolChecks(root, dist('tf-count', config((c) => { c.resource.proxmox_virtual_environment_container.dns.count = 1; c.resource.proxmox_virtual_environment_container.dns.for_each = {}; })), 'terraform providers');
    expect(check!.status).toBe('failed');
    expect(check!.problems[0]).toMatchObject({ source: 'dist/tf-count/terraform/cdk.tf.json', code: 'TerraformConfigInvalid' });
    expect(check!.problems[0]!.path).toMatch(/^line \d+$/);
    expect(check!.problems[0]!.message).toContain('Invalid combination of "count" and "for_each"');
  });

  it('fails a bad local backend block with the reason init gave (not just "init required")', async () => {
    const [check] = await toolChecks(root, dist('tf-backend', config((c) => { c.terraform.backend.local = { paht: 'x.tfstate' }; })), 'terraform providers');
    expect(check!.status).toBe('failed');
    expect(check!.problems[0]!.message).toContain('No argument or block type is named "paht"');
    expect(check!.problems[0]!.message).not.toContain('Failed to query available provider packages');
  });

  it('a remote backend is not initialised (it would need the network): checked without it, and a note says so', async () => {
    const [check] = await toolChecks(root, dist('tf-s3', config((c) => { c.terraform.backend = { s3: { bucket: 'b', key: 'k', region: 'eu-west-1' } }; })), 'terraform providers');
    expect(check).toMatchObject({ status: 'passed', problems: [] });
    expect(check!.notes).toEqual(['backend "s3" would contact its server on init: Terraform loaded a copy without the backend block (its settings were not checked)']);
  });
});
