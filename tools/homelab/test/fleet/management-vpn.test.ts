/**
 * Which service is the management VPN: the one listening on the site's WireGuard port (UDP), a
 * property of the model, not a name. On this repository's site it is wireguard, in the security
 * group; a site whose tunnel port nobody listens on has none, and `group stop` asks nothing.
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

  it('a tunnel port nobody listens on: no management VPN', async () => {
    const home = await loadHomelab(root, { ...site, wireguard: { ...site.wireguard!, port: 51821 } });
    expect(managementVpnServices(home)).toEqual([]);
  }, 120_000);
});
