/**
 * Where the fleet commands' Proxmox API settings come from (fleet/pve-access.ts): the exported
 * token, else the one deploy stored; the exported endpoint, else bootstrap's first-node fallback;
 * and what the not-configured message says when there is no token.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PveNotConfiguredError, pveAccessMissing, pveSettingsFromEnv, resolvePveAccess, storeToken } from '../../src/index.ts';
import { testSite } from '../fixtures/test-site.ts';

const TOKEN = 'homelab@pve!fleet=00000000-0000-4000-8000-000000000000';
const state = (): string => mkdtempSync(join(tmpdir(), 'pve-access-'));

describe('resolvePveAccess', () => {
  it('no export: the stored token, and the first node\'s endpoint as bootstrap picks it, each said once', async () => {
    const dir = state();
    await storeToken(dir, TOKEN);
    const access = await resolvePveAccess(testSite, { HOMELAB_STATE_DIR: dir });
    expect(access.configured).toBe(true);
    expect(access.token).toEqual({ kind: 'stored', path: join(dir, 'secrets', 'proxmox-api-token') });
    expect(access.fallbackEndpoint).toBe('https://10.20.0.11:8006/');
    expect(access.notes).toEqual([
      'PROXMOX_VE_ENDPOINT is not set: using https://10.20.0.11:8006/ (n1)',
      `Proxmox API token: the token stored in ${join(dir, 'secrets', 'proxmox-api-token')} by the last deploy of the token's stack`,
    ]);
    expect(access.notes.join('\n')).not.toContain('00000000-0000');
    const settings = pveSettingsFromEnv(access.env, testSite.providerEnv);
    expect([settings.baseUrl.href, settings.token]).toEqual(['https://10.20.0.11:8006/api2/json/', TOKEN]);
  });

  it('the export wins over the stored token; an exported endpoint is kept; whitespace is not an export', async () => {
    const dir = state();
    await storeToken(dir, 'homelab@pve!fleet=stored');
    const exported = await resolvePveAccess(testSite, { HOMELAB_STATE_DIR: dir, PROXMOX_VE_API_TOKEN: TOKEN, PROXMOX_VE_ENDPOINT: 'https://pve.example:8006/' });
    expect(exported.token).toEqual({ kind: 'env', name: 'PROXMOX_VE_API_TOKEN' });
    expect(exported.env.PROXMOX_VE_API_TOKEN).toBe(TOKEN);
    expect(exported.fallbackEndpoint).toBeUndefined();
    expect(exported.notes).toEqual(['Proxmox API token: $PROXMOX_VE_API_TOKEN as exported (it wins over a stored token)']);
    const blank = await resolvePveAccess(testSite, { HOMELAB_STATE_DIR: dir, PROXMOX_VE_API_TOKEN: '  ' });
    expect(blank.token.kind).toBe('stored');
    expect(blank.env.PROXMOX_VE_API_TOKEN).toBe('homelab@pve!fleet=stored');
  });

  it('an exported token with nothing stored says nothing new', async () => {
    const access = await resolvePveAccess(testSite, { HOMELAB_STATE_DIR: state(), PROXMOX_VE_API_TOKEN: TOKEN, PROXMOX_VE_ENDPOINT: 'https://pve.example:8006/' });
    expect([access.configured, access.notes]).toEqual([true, []]);
  });

  it('neither: not configured; the message names the stored path and the service that creates it', async () => {
    const dir = state();
    const access = await resolvePveAccess(testSite, { HOMELAB_STATE_DIR: dir });
    expect(access.configured).toBe(false);
    expect(pveAccessMissing(access, testSite, ['proxmox'])).toBe(`PROXMOX_VE_API_TOKEN is not exported and no token is stored in ${join(dir, 'secrets', 'proxmox-api-token')} (\`homelab deploy --service proxmox\` (or \`homelab bootstrap\`) creates the token and stores it there; or export PROXMOX_VE_API_TOKEN)`);
    expect(pveAccessMissing(access, testSite, [])).toContain('no service of this homelab creates one (none provides the hypervisor): export PROXMOX_VE_API_TOKEN as user@realm!tokenid=secret');
  });

  it('a site without nodes has no endpoint to fall back to: the message says to set it', async () => {
    const dir = state();
    await storeToken(dir, TOKEN);
    const site = { ...testSite, nodes: [] };
    const access = await resolvePveAccess(site, { HOMELAB_STATE_DIR: dir });
    expect(access.configured).toBe(false);
    expect(pveAccessMissing(access, site, ['proxmox'])).toBe('set PROXMOX_VE_ENDPOINT (the site has no node to default to)');
  });

  it('a stored file that is not a token: PveNotConfiguredError naming the file, not the content', async () => {
    const dir = state();
    await storeToken(dir, 'garbage-Qx7');
    const error = await resolvePveAccess(testSite, { HOMELAB_STATE_DIR: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveNotConfiguredError);
    expect(String((error as Error).message)).toContain(`the token stored in ${join(dir, 'secrets', 'proxmox-api-token')} is not of the form`);
    expect(String((error as Error).message)).not.toContain('Qx7');
  });
});
