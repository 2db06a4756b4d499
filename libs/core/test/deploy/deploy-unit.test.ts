/** Deploy units from a real synthesis of the core test site (any homelab, not only ours). */
import { describe, expect, it } from 'vitest';
import { buildHomelab, deployUnitFromSynth, ensureProxmoxProvider, requiredTerraformVariables, serviceCommands, synthesizeSite, DEFAULT_TOOLS, type ServiceProps } from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

/** The token stack: provides the hypervisor and uses the provider without a guest. */
const hypervisor: ServiceProps = {
  name: 'hv', description: 'the cluster', kind: 'none', tier: 'critical', group: 'core', provides: ['hypervisor'],
  terraform: (scope) => { ensureProxmoxProvider(scope); },
};
const home = buildHomelab(testSite, entries(proxy, idp, app, hypervisor));
const synthesis = synthesizeSite(home);
const unit = (name: string) => deployUnitFromSynth(synthesis.results.find((r) => r.service === name)!, { home, root: '/ws', distRoot: '/ws/dist' });

describe('deployUnitFromSynth', () => {
  it('needs the provider env, every secret, and the Terraform variables without default, each with what it is', () => {
    const u = unit('app');
    expect(u.env.map((e) => `${e.name} ${e.step}`)).toEqual([
      'APP_TOKEN config',
      'PROXMOX_VE_API_TOKEN infra',
      'PROXMOX_VE_ENDPOINT infra',
      'TF_VAR_ssh_public_key infra',
    ]);
    expect(u.env.find((e) => e.name === 'APP_TOKEN')!.description).toBe('secret: api token');
    expect(u).toMatchObject({ service: 'app', distDir: '/ws/dist/app', infra: true, talos: false });
    expect(u.smokeDir).toBeUndefined();
  });

  it('the token stack reads the administrator token (as the provider\'s token); the others the token it creates, which deploy supplies', () => {
    const hv = unit('hv');
    expect(hv.env.map((e) => e.name)).toEqual(['PROXMOX_VE_ADMIN_API_TOKEN', 'PROXMOX_VE_ENDPOINT']);
    expect(hv.providerToken).toEqual({ role: 'issues', tokenEnv: 'PROXMOX_VE_API_TOKEN', adminEnv: 'PROXMOX_VE_ADMIN_API_TOKEN', output: 'terraform_api_token' });
    const calls = serviceCommands(hv, { tools: DEFAULT_TOOLS, env: {}, stateDir: '/state', root: '/ws', smokeTarget: 'test-lab' });
    expect(calls.map((c) => `${c.action} ${c.readsEnv.join(',')}${c.stream === false ? ' (not streamed)' : ''}`)).toEqual([
      'init PROXMOX_VE_API_TOKEN,PROXMOX_VE_ENDPOINT',
      'plan PROXMOX_VE_API_TOKEN,PROXMOX_VE_ENDPOINT',
      'apply PROXMOX_VE_API_TOKEN,PROXMOX_VE_ENDPOINT',
      'token PROXMOX_VE_API_TOKEN,PROXMOX_VE_ENDPOINT (not streamed)',
    ]);
    const a = unit('app');
    expect(a.providerToken).toEqual({ role: 'uses', tokenEnv: 'PROXMOX_VE_API_TOKEN', adminEnv: 'PROXMOX_VE_ADMIN_API_TOKEN', issuer: 'hv' });
    expect(a.env.find((e) => e.name === 'PROXMOX_VE_API_TOKEN')).toMatchObject({ supplied: 'provider-token', description: 'Proxmox API token (provider), created by hv' });
    for (const u of [hv, a, unit('proxy')]) expect(u.withheldEnv).toEqual(['PROXMOX_VE_ADMIN_API_TOKEN']);
  });

  it('requiredTerraformVariables: only variables without a default', () => {
    const tf = JSON.stringify({ variable: { a: { description: 'the a' }, b: { default: 'x' } } });
    expect(requiredTerraformVariables(tf)).toEqual([{ name: 'TF_VAR_a', description: 'Terraform variable a: the a', step: 'infra' }]);
  });

  it('serviceCommands: infra and config steps of a synthesized service, cwd inside its dist directory', () => {
    const calls = serviceCommands(unit('proxy'), { tools: DEFAULT_TOOLS, env: {}, stateDir: '/state', root: '/ws', smokeTarget: 'test-lab' });
    expect(calls.map((c) => `${c.step} ${c.cwd} ${[c.file, ...c.args].join(' ')}`)).toEqual([
      'infra /ws/dist/proxy/terraform tofu init -input=false -no-color -backend-config=path=/state/terraform-state/proxy.tfstate',
      'infra /ws/dist/proxy/terraform tofu plan -input=false -no-color -detailed-exitcode -out=/state/plans/proxy.tfplan',
      'infra /ws/dist/proxy/terraform tofu apply -input=false -no-color /state/plans/proxy.tfplan',
      'config /ws/dist/proxy/ansible ansible-playbook -i inventory.yml playbook.yml',
    ]);
    expect(calls[0]!.setEnv.TF_DATA_DIR).toBe('/state/terraform/proxy');
  });
});
