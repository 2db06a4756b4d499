/** Where Terraform state lives: path-free JSON, the path at init, under the state directory. */
import { describe, expect, it } from 'vitest';
import {
  SetupError, backendFromEnv, backendInitArgs, backendKindOf, buildHomelab, deployStateDir, deployUnitFromSynth,
  serviceCommands, synthesizeSite, terraformStatePath, DEFAULT_TOOLS,
} from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const home = buildHomelab(testSite, entries(proxy, idp, app));

describe('Terraform state location', () => {
  it('defaults to <state dir>/terraform-state/<svc>.tfstate, the state dir beside the deploy records', () => {
    const stateDir = deployStateDir({ HOME: '/home/op' });
    expect(stateDir).toBe('/home/op/.local/state/homelab');
    expect(terraformStatePath(stateDir, 'proxy', {})).toBe('/home/op/.local/state/homelab/terraform-state/proxy.tfstate');
    expect(terraformStatePath(deployStateDir({ XDG_STATE_HOME: '/xdg', HOME: '/home/op' }), 'proxy', {})).toBe('/xdg/homelab/terraform-state/proxy.tfstate');
  });

  it('HOMELAB_TF_STATE_DIR moves it: absolute as given, relative to the state directory', () => {
    expect(terraformStatePath('/s', 'idp', { HOMELAB_TF_STATE_DIR: '/srv/tfstate' })).toBe('/srv/tfstate/idp.tfstate');
    expect(terraformStatePath('/s', 'idp', { HOMELAB_TF_STATE_DIR: 'shared/tf' })).toBe('/s/shared/tf/idp.tfstate');
    expect(terraformStatePath('/s', 'idp', { HOMELAB_TF_STATE_DIR: '  ' })).toBe('/s/terraform-state/idp.tfstate');
  });

  it('init gets the path for the local backend only; pg and http take their settings from their own environment', () => {
    expect(backendInitArgs('local', '/s', 'a', {})).toEqual(['-backend-config=path=/s/terraform-state/a.tfstate']);
    expect(backendInitArgs('pg', '/s', 'a', {})).toEqual([]);
    expect(backendInitArgs('http', '/s', 'a', {})).toEqual([]);
  });

  it('the synthesized JSON holds no path, is the same whatever the state directory, and deploy reads its backend from it', () => {
    const first = synthesizeSite(home).results.find((r) => r.service === 'app')!.files.get('terraform/cdk.tf.json')!;
    const again = synthesizeSite(home).results.find((r) => r.service === 'app')!.files.get('terraform/cdk.tf.json')!;
    expect(first).toBe(again);
    expect(JSON.parse(first).terraform.backend).toEqual({ local: {} });
    expect(first).not.toContain('tfstate');
    expect(backendKindOf(first)).toBe('local');

    const pg = synthesizeSite(home, { backend: backendFromEnv({ HOMELAB_TF_BACKEND: 'pg' }) }).results.find((r) => r.service === 'app')!;
    expect(JSON.parse(pg.files.get('terraform/cdk.tf.json')!).terraform.backend).toEqual({ pg: { schema_name: 'homelab_app' } });
    const unit = deployUnitFromSynth(pg, { home, root: '/ws', distRoot: '/ws/dist' });
    expect(unit.backend).toBe('pg');
    const init = serviceCommands(unit, { tools: DEFAULT_TOOLS, env: {}, stateDir: '/s', root: '/ws', smokeTarget: 't' })[0]!;
    expect(init.args).toEqual(['init', '-input=false', '-no-color']);
  });

  it('an unknown HOMELAB_TF_BACKEND is a SetupError naming the variable, the value and the fix', () => {
    expect(backendFromEnv({})).toEqual({ kind: 'local' });
    expect(backendFromEnv({ HOMELAB_TF_BACKEND: 'http' })).toEqual({ kind: 'http' });
    let error: unknown;
    try {
      backendFromEnv({ HOMELAB_TF_BACKEND: 's3' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SetupError);
    expect((error as SetupError).message).toBe('HOMELAB_TF_BACKEND="s3" (environment) is not a Terraform backend homelab knows; it knows local, pg, http.');
    expect((error as SetupError).fix).toContain('Set HOMELAB_TF_BACKEND to local');
  });
});
