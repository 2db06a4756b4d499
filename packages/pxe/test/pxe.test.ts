import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { NETBOOT_XYZ_VERSION } from '../src/index.ts';

const p = await synthesizeFor(fixtureSite, 'pxe');
const { home } = p.synthesis;
const here = placementOf(fixtureSite, 'pxe');
/** The site's LAN as dnsmasq's proxy range names it: its network address. */
const proxyRange = `dhcp-range=${fixtureSite.network.cidr.split('/')[0]},proxy`;
const conf = p.text('files/pxe/etc/dnsmasq.d/pxe.conf');

describe('pxe: infrastructure', () => {
  const ct = p.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.pxe;
  it('is its address-plan LXC, not started on boot (provisioning only)', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, start_on_boot: false, cpu: { units: 512 } });
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
  });
  it('has no route and depends on nothing but the stack that creates its Proxmox token', () => {
    const svc = home.byName.get('pxe')!;
    expect(svc.routes).toEqual([]);
    expect(svc.dependsOn).toEqual(['proxmox']);
    expect(svc.tokenFrom).toBe('proxmox');
    expect(home.site.groups[svc.group]!.alwaysOn).toBeFalsy();
  });
});

describe('pxe: dnsmasq', () => {
  it('answers only as proxy-DHCP on the LAN (the router keeps serving addresses) and no DNS', () => {
    expect(conf.split('\n')).toContain(proxyRange);
    expect(conf).toMatch(/^port=0$/m);
    expect(conf).not.toMatch(/^dhcp-range=[^,]+,[0-9.]+,[0-9.]+/m);
  });
  it('serves netboot.xyz over TFTP to BIOS and UEFI clients', () => {
    expect(conf).toMatch(/^enable-tftp$/m);
    expect(conf).toContain('tftp-root=/srv/tftp');
    expect(conf).toContain('pxe-service=tag:bios,x86PC,"netboot.xyz (BIOS)",netboot.xyz.kpxe');
    expect(conf).toContain('pxe-service=tag:efi64,x86-64_EFI,"netboot.xyz (UEFI)",netboot.xyz.efi');
  });
  it('fetches both loaders of the pinned release into the TFTP root, and only once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxe-fetch-'));
    // A curl that records its URL and writes the -o file, so the real script runs offline.
    writeFileSync(join(dir, 'curl'), '#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\necho "$3" >>"$(dirname "$2")/../urls"; : >"$2"\n', { mode: 0o755 });
    const script = p.text('files/pxe/usr/local/sbin/pxe-netboot-fetch.sh').replace('root=/srv/tftp\n', `root=${dir}/tftp\n`);
    const run = () => execFileSync('sh', ['-c', script], { env: { PATH: `${dir}:${process.env.PATH}` }, stdio: 'pipe' });
    run();
    run();
    const base = `https://github.com/netbootxyz/netboot.xyz/releases/download/${NETBOOT_XYZ_VERSION}`;
    expect(readFileSync(join(dir, 'urls'), 'utf8')).toBe(`${base}/netboot.xyz.kpxe\n${base}/netboot.xyz.efi\n`);
    expect(existsSync(join(dir, 'tftp/netboot.xyz.efi'))).toBe(true);
  });
  it('installs dnsmasq, fetches the loaders once, and restarts dnsmasq when its config changes', () => {
    const play = (parse(p.text('ansible/playbook.yml')) as any[])[0];
    expect(play.tasks.find((t: any) => t['ansible.builtin.apt'])['ansible.builtin.apt'].name).toEqual(['curl', 'dnsmasq']);
    expect(play.tasks.find((t: any) => t.name === 'Install /etc/dnsmasq.d/pxe.conf').notify).toEqual(['Restart dnsmasq.service']);
    expect(play.tasks.map((t: any) => t.name)).toEqual(expect.arrayContaining(['Enable and start dnsmasq.service', 'Enable and start pxe-netboot-fetch.service']));
  });
  it.skipIf(!hasDnsmasq())('passes `dnsmasq --test`, and a broken line does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxe-'));
    writeFileSync(join(dir, 'ok.conf'), conf);
    expect(() => execFileSync('dnsmasq', ['--test', `--conf-file=${join(dir, 'ok.conf')}`], { stdio: 'pipe' })).not.toThrow();
    writeFileSync(join(dir, 'bad.conf'), conf.replace(proxyRange, proxyRange.replace(/proxy$/, 'proxi')));
    expect(() => execFileSync('dnsmasq', ['--test', `--conf-file=${join(dir, 'bad.conf')}`], { stdio: 'pipe' })).toThrow();
  });
});

function hasDnsmasq(): boolean {
  try {
    execFileSync('dnsmasq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
