/**
 * Which service is the management VPN: the one listening on the site's WireGuard port (UDP), a
 * property of the model, not a name. On this repository's site it is wireguard, in the security
 * group; the server follows the site's tunnel port; a site without a tunnel has none, and
 * `group stop` asks nothing.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadHomelab, managementVpnServices } from '@homelab/core';
import { site } from '@homelab/site';

const root = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

describe('the management VPN of the real site', () => {
  it('is wireguard, in the security group', async () => {
    const home = await loadHomelab(root, site);
    const vpn = managementVpnServices(home);
    expect(vpn).toEqual(['wireguard']);
    expect(vpn.map((s) => home.byName.get(s)!.group)).toEqual(['security']);
  }, 120_000);

  it('the server follows the site\'s tunnel port: on another port wireguard listens there and is still the VPN', async () => {
    const home = await loadHomelab(root, { ...site, wireguard: { ...site.wireguard!, port: 51821 } });
    expect(managementVpnServices(home)).toEqual(['wireguard']);
    expect(home.byName.get('wireguard')!.ports.filter((p) => p.protocol === 'udp').map((p) => p.port)).toEqual([51821]);
  }, 120_000);

  it('a site without a tunnel: no management VPN (the wireguard package reports the missing site.wireguard)', async () => {
    const { wireguard: _w, ...withoutTunnel } = site;
    const home = await loadHomelab(root, withoutTunnel);
    expect(managementVpnServices(home)).toEqual([]);
    expect(home.problems.filter((p) => p.source === 'packages/wireguard').map((p) => p.code)).toEqual(['MissingSiteFeature']);
  }, 120_000);
});
