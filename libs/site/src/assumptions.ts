import type { Assumption } from '@homelab/core';

/**
 * Every value this site chose where the seed document is silent. One place, so that each choice
 * is visible and easy to correct: change the value where it is used, then its line here.
 * `npm start` prints the count; `npx homelab assumptions` lists them.
 */
export const ASSUMPTIONS: readonly Assumption[] = [
  { path: 'nodes.tower1.cores', value: 12, reason: 'The seed says "i7 (6c+)". Proxmox counts logical CPUs; a 6-core i7 with Hyper-Threading has 12.' },
  { path: 'nodes.zotac.cores', value: 12, reason: 'The seed says "Ryzen 5"; ZBOX Ryzen 5 models have 6 cores / 12 threads.' },
  { path: 'nodes.*.disks (Ceph OSDs)', value: 'SSD OSDs on pve2, pve3, zotac; HDD OSDs on tower1', reason: 'The seed says six OSDs (three SSD, three HDD) "across multiple nodes" without naming them. SSDs on three hosts let the SSD-class rule keep 3 replicas on 3 hosts for the Kubernetes pool.' },
  { path: 'nodes.tower1.disks (TrueNAS)', value: '2 × HDD passed through raw', reason: 'The seed says "1 TB SSD + HDDs" and raw disk passthrough for TrueNAS; the count is not given.' },
  { path: 'storage.ceph.datastore', value: 'ceph-rbd', reason: 'The seed does not name the Proxmox storage id of the Ceph pool.' },
  { path: 'storage.nfs', value: 'truenas:/mnt/tank/media mounted at /mnt/pve/truenas-media', reason: 'The seed names the /media export but not the dataset path or the host mount point.' },
  { path: 'addressPlan.recipe-site.node', value: 'pve3', reason: 'The seed gives LXC 201 and .21 but no node.' },
  { path: 'addressPlan.plex.node', value: 'pve3', reason: 'The seed gives LXC 203 and .23 but no node; the ThinkCentres have Intel iGPUs (Quick Sync).' },
  { path: 'addressPlan.jellyfin.node', value: 'tower1', reason: 'The seed gives LXC 204 and .24 but no node; tower1 has an Intel iGPU and the most RAM.' },
  { path: 'addressPlan.monitoring.node', value: 'pve1', reason: 'The seed gives LXC 205 and .25 but no node; pve1 is the management node.' },
  { path: 'addressPlan.wireguard.node', value: 'pve1', reason: 'The seed gives LXC 208 and .39 but no node.' },
  { path: 'addressPlan.kanboard.node', value: 'pve3', reason: 'The seed gives LXC 211 and .33 but no node.' },
  { path: 'addressPlan.mailcow.node', value: 'tower1', reason: 'The seed gives LXC 212 and .34 but no node; Mailcow with ClamAV needs several GB of RAM.' },
  { path: 'addressPlan.pxe.node', value: 'pve1', reason: 'The seed gives LXC 213 and .35 but no node.' },
  { path: 'addressPlan.openclaw', value: 'LXC 215, .37, pve2', reason: 'The seed names OpenClaw only in the CPU weight table (LXC, weight 800).' },
  { path: 'addressPlan.libby-alert', value: 'LXC 216, .38, pve2', reason: 'The seed names Libby Alert only in the CPU weight table (LXC, weight 512).' },
  { path: 'addressPlan.pwnagotchi', value: 'VM 302, .42, pve3, USB Wi-Fi adapter passed through', reason: 'The seed says only "Pwnagotchi" on pve3; it needs a Wi-Fi adapter in monitor mode.' },
  { path: 'addressPlan.talos-*.vmid', value: '400 (control plane), 411–413 (workers)', reason: 'The seed gives the Kubernetes IPs and nodes but no VMIDs.' },
  { path: 'externalHosts.klipper-1/2.ip', value: '192.168.86.132, 192.168.86.133', reason: 'The seed lists two Klipper Pis without addresses.' },
  { path: 'nodes.tower1.devices.ha-usb', value: 'USB 10c4:ea60', reason: 'The seed says Home Assistant has USB passthrough but not which device; a Silicon Labs CP210x radio stick is assumed.' },
  { path: 'nodes.zotac.devices.zigbee-coordinator', value: 'USB 1a86:55d4 (Sonoff ZBDongle-E)', reason: 'The seed says the Zigbee coordinator is on zotac but not which stick.' },
  { path: 'dns.records', value: 'wildcard and wg. → ${var.public_ip}; apex and www → CNAME woodhead-tech.pages.dev', reason: 'The seed says what is proxied, not the targets; the WAN address is dynamic, so it is a Terraform variable.' },
  { path: 'wireguard.endpointHost', value: 'wg.woodhead.tech', reason: 'The seed names the wg. record; clients use it as their endpoint.' },
  { path: 'network.dns', value: '192.168.86.1', reason: 'The seed says the Nest router does DNS forwarding; its address is taken to be the gateway .1.' },
  { path: 'network.gateway', value: '192.168.86.1', reason: 'The seed names the Nest router as NAT/DHCP but not its address.' },
];
