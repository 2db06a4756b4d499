/**
 * The lab site is a real site: the whole workspace synthesizes for it with no more problems than
 * for the embedded site, and nothing it produces carries an address, subnet or name of the real
 * homelab (its LAN, its VPN, its domain).
 */
import { describe, expect, it } from 'vitest';
import { labFits, unmeasured, isUnmeasured } from '@homelab/core';
import { synthesizeWorkspace } from '@homelab/core/testing';
import { site as embedded } from '@homelab/site';
import { WORKSPACE_ROOT } from '@homelab/site/testing';
import { EMBEDDED_FACTS, LAB_DOMAIN, LAB_NETWORK, site } from '../src/index.ts';
import { readdress } from '../src/readdress.ts';

describe('readdress', () => {
  it('replaces in every string at any depth, keys included, and leaves the source and unmeasured inputs as they are', () => {
    const source = { ip: '192.168.86.20', list: ['a.example.org', { deep: 'x 192.168.86.1 y' }], n: 3, flag: true, disk: unmeasured('lsblk on pve2'), 'host.example.org': 1 };
    const out = readdress(source, { replace: [['192.168.86.', '10.77.1.'], ['example.org', 'lab.home.arpa']] });
    expect(out).toEqual({ ip: '10.77.1.20', list: ['a.lab.home.arpa', { deep: 'x 10.77.1.1 y' }], n: 3, flag: true, disk: { unmeasured: 'lsblk on pve2' }, 'host.lab.home.arpa': 1 });
    expect(isUnmeasured(out.disk)).toBe(true);
    expect(source.ip).toBe('192.168.86.20');
  });
});

describe('the lab site', () => {
  it('sits on its own bridge and subnet, with the host as gateway', () => {
    expect(site.network).toEqual({ cidr: LAB_NETWORK.cidr, gateway: LAB_NETWORK.hostAddress, dns: [LAB_NETWORK.hostAddress], bridge: LAB_NETWORK.bridge });
    expect(site.domain).toBe(LAB_DOMAIN);
    expect(site.wireguard?.subnet).toBe(LAB_NETWORK.vpnSubnet);
    expect(Object.keys(site.addressPlan).sort()).toEqual(Object.keys(embedded.addressPlan).sort());
  });

  it('synthesizes every package with the same problems as the embedded site, and no artifact names the real LAN, VPN or domain', async () => {
    const [lab, real] = await Promise.all([synthesizeWorkspace(site, WORKSPACE_ROOT), synthesizeWorkspace(embedded, WORKSPACE_ROOT)]);
    expect(lab.problems.map((p) => `${p.source} ${p.code}`).sort()).toEqual(real.problems.map((p) => `${p.source} ${p.code}`).sort());
    expect(lab.results.map((r) => r.service).sort()).toEqual(real.results.map((r) => r.service).sort());
    const leaks: string[] = [];
    for (const result of lab.results) {
      for (const [path, content] of result.files) {
        for (const fact of [EMBEDDED_FACTS.lanPrefix, EMBEDDED_FACTS.vpnPrefix, EMBEDDED_FACTS.domain]) {
          if (content.includes(fact)) leaks.push(`${result.service} ${path}: ${fact}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    // The same control catches a leak: the embedded site's artifacts do name its LAN and domain.
    const realText = real.results.flatMap((r) => [...r.files.values()]).join('\n');
    expect(realText).toContain(EMBEDDED_FACTS.lanPrefix);
    expect(realText).toContain(EMBEDDED_FACTS.domain);
    // What the lab can deploy does not depend on the addresses.
    const fits = (s: typeof lab) => labFits(s.home, s.results).filter((f) => f.fits).map((f) => f.service);
    expect(fits(lab)).toEqual(fits(real));
    expect(fits(lab)).toEqual(['pxe', 'recipe-site', 'wireguard']);
  }, 120_000);
});
