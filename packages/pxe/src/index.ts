import { defineService, renderScript, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { generatedHeader, systemdUnit } from '@homelab/core/render';

/** netboot.xyz boot loaders, fetched at a pinned release (assumption: the seed names no version). */
export const NETBOOT_XYZ_VERSION = '2.0.87';
export const TFTP_ROOT = '/srv/tftp';
export const BOOT_FILES = { bios: 'netboot.xyz.kpxe', uefi: 'netboot.xyz.efi' } as const;
const FETCH_UNIT = 'pxe-netboot-fetch.service';
/** The fetch script's source beside this package (found from the module, so it ships with it). */
const FETCH_SCRIPT_SOURCE = new URL('../scripts/pxe-netboot-fetch.sh', import.meta.url);

function dnsmasqConf(ctx: RenderContext): string {
  const header = generatedHeader(ctx.service.pkg, 'dnsmasq as proxy-DHCP + TFTP: the Nest router keeps handing out addresses; this only adds the boot information.');
  const network = ctx.site.network.cidr.split('/')[0]!;
  return `${header.map((l) => `# ${l}`).join('\n')}
# No DNS: the router does DNS forwarding.
port=0
interface=eth0
bind-interfaces
# Proxy mode: answer PXE clients' DHCP requests with boot information only, never an address.
dhcp-range=${network},proxy
log-dhcp

enable-tftp
tftp-root=${TFTP_ROOT}

# Client architecture (option 93): 0 = BIOS, 7 and 9 = x86-64 UEFI.
dhcp-match=set:bios,option:client-arch,0
dhcp-match=set:efi64,option:client-arch,7
dhcp-match=set:efi64,option:client-arch,9
pxe-prompt="netboot.xyz (Proxmox VE installer and others)",3
pxe-service=tag:bios,x86PC,"netboot.xyz (BIOS)",${BOOT_FILES.bios}
pxe-service=tag:efi64,x86-64_EFI,"netboot.xyz (UEFI)",${BOOT_FILES.uefi}
`;
}

function fetchScript(ctx: RenderContext): string {
  return renderScript(FETCH_SCRIPT_SOURCE, {
    header: generatedHeader(ctx.service.pkg, `Fetches the netboot.xyz ${NETBOOT_XYZ_VERSION} boot loaders into the TFTP root once.`),
    values: { root: TFTP_ROOT, version: NETBOOT_XYZ_VERSION, bios_loader: BOOT_FILES.bios, uefi_loader: BOOT_FILES.uefi },
  });
}

function files(ctx: RenderContext): ConfigFile[] {
  const header = (what: string) => generatedHeader(ctx.service.pkg, what);
  return [
    { path: '/etc/dnsmasq.d/pxe.conf', mode: '0644', format: 'text', content: dnsmasqConf(ctx), restarts: ['dnsmasq.service'] },
    { path: '/usr/local/sbin/pxe-netboot-fetch.sh', mode: '0755', format: 'shell', content: fetchScript(ctx), restarts: [FETCH_UNIT] },
    {
      path: `/etc/systemd/system/${FETCH_UNIT}`, mode: '0644', format: 'systemd',
      content: systemdUnit({
        Unit: { Description: 'Fetch the netboot.xyz boot loaders for TFTP', Before: 'dnsmasq.service', After: 'network-online.target', Wants: 'network-online.target' },
        Service: { Type: 'oneshot', RemainAfterExit: true, ExecStart: '/usr/local/sbin/pxe-netboot-fetch.sh' },
        Install: { WantedBy: 'multi-user.target' },
      }, header('One-shot download of the boot loaders (kept across boots).')),
    },
  ];
}

export default defineService({
  name: 'pxe',
  description: 'PXE server: network boot for bare-metal provisioning (dnsmasq proxy-DHCP + TFTP serving netboot.xyz)',
  kind: 'lxc',
  // Not in the seed's weight table (assumption: minimal, 512).
  tier: 'minimal',
  // Not always on: started for a provisioning session, then stopped (apps may be stopped).
  group: 'apps',
  startOnBoot: false,
  resources: { cores: 1, memoryMiB: 256, disks: [{ storage: 'local', sizeGiB: 4 }] },
  ports: [
    { port: 67, protocol: 'udp', description: 'proxy-DHCP (boot information only)', from: ['lan'] },
    { port: 4011, protocol: 'udp', description: 'PXE boot server discovery', from: ['lan'] },
    { port: 69, protocol: 'udp', description: 'TFTP (boot loaders)', from: ['lan'] },
  ],
  hostPackages: { pxe: ['curl', 'dnsmasq'] },
  files,
});
