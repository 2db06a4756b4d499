/**
 * The shape of a site, declared once: the types in site.ts are inferred from these schemas,
 * parse-site.ts checks a site module's export against them (keys and shapes only: the values are
 * the policy rules' business, so the schema says "a string", not "an IPv4 address"), and
 * schemas/homelab/site.schema.json is generated from them (`npm run schemas:generate`).
 */
import { z } from 'zod';

const stringList = z.array(z.string());
const protocol = z.enum(['tcp', 'udp']);

/** A hardware fact nobody has measured yet (model/unmeasured.ts): what it is and how to measure it. */
export const unmeasuredSchema = z.strictObject({
  unmeasured: z.string().min(1).meta({ description: 'What the fact is and how to measure it; `npx homelab discover` reads it from the cluster.' }),
}).meta({ id: 'Unmeasured', description: 'A hardware fact not measured yet: synthesis leaves out what needs it, the plan lists it, deploy refuses the services that wait for it.' });

/** A hardware fact: the measured string, or `unmeasured('…')`. */
const measurable = (description: string) => z.union([z.string(), unmeasuredSchema]).meta({ description });

export const nodeDiskSchema = z.strictObject({
  kind: z.enum(['ssd', 'hdd', 'nvme']),
  sizeGiB: z.number(),
  role: z.enum(['system', 'ceph-osd', 'passthrough']).meta({ description: 'What the disk is used for: the node\'s LVM, a Ceph OSD, passthrough to a VM.' }),
  device: measurable('Stable device path (`/dev/disk/by-id/…`), for passthrough and OSD creation, or `unmeasured(\'…\')`.').optional(),
}).meta({ id: 'NodeDisk' });

export const deviceSchema = z.strictObject({
  kind: z.enum(['usb', 'pci', 'dev']),
  id: measurable('USB vendor:product, PCI mapping name, or device node path; or `unmeasured(\'…\')`.'),
  path: measurable('Device node on the node, for passing a `usb` device to an LXC (an LXC takes device nodes, not vendor:product ids): a serial device or a libusb node (`/dev/bus/usb/BBB/DDD`). VMs keep using `id`. Default: `id` (right for `dev` devices, whose id is the node path). Or `unmeasured(\'…\')`.').optional(),
  description: z.string(),
}).meta({ id: 'Device', description: 'A device of a node that can be passed through to a guest.' });

export const proxmoxNodeSchema = z.strictObject({
  name: z.string(),
  alias: z.string().optional().meta({ description: 'The hardware\'s own name, when it differs from the Proxmox node name.' }),
  ip: z.string(),
  hardware: z.string(),
  cores: z.number(),
  memoryMiB: z.number(),
  disks: z.array(nodeDiskSchema),
  devices: z.record(z.string(), deviceSchema).meta({ description: 'Named devices that can be passed through, e.g. `igpu`, `zigbee-coordinator`.' }),
}).meta({ id: 'ProxmoxNode', description: 'A Proxmox VE node.' });

export const externalHostSchema = z.strictObject({
  name: z.string(),
  ip: z.string(),
  hardware: z.string(),
  cores: z.number(),
  memoryMiB: z.number(),
  arch: z.enum(['arm64', 'armhf', 'amd64']),
}).meta({ id: 'ExternalHost', description: 'A host that is not a Proxmox guest (a Raspberry Pi), configured over SSH.' });

export const storageSchema = z.strictObject({
  local: z.string().meta({ description: 'Datastore id of each node\'s local LVM-thin pool.' }),
  ceph: z.strictObject({
    datastore: z.string(), pool: z.string(), size: z.number(), minSize: z.number(),
    monitors: stringList.meta({ description: 'The nodes that run a Ceph monitor and manager.' }),
  }).optional().meta({ description: 'Ceph RBD datastore used for VM disks that must migrate. Optional: a site without Ceph has no `ceph` disks and no Ceph package.' }),
  nfs: z.strictObject({
    datastore: z.string(),
    server: z.string(),
    export: z.string(),
    hostMountPath: z.string().meta({ description: 'Where the share is mounted on the Proxmox host.' }),
  }).meta({ description: 'The NFS share, mounted on every Proxmox host and bind-mounted into containers.' }),
  images: z.string().meta({ description: 'Datastore that holds container templates and ISO images.' }),
}).meta({ id: 'Storage' });

export const placementSchema = z.strictObject({
  node: z.string().optional().meta({ description: 'Proxmox node name; absent for external hosts.' }),
  vmid: z.number().optional(),
  ip: z.string(),
  host: z.string().optional().meta({ description: 'Name of an external host (Raspberry Pi) instead of a Proxmox guest.' }),
}).meta({ id: 'Placement', description: 'Where a service (or unit) runs: node, VMID and address.' });

export const groupPolicySchema = z.strictObject({
  description: z.string(),
  alwaysOn: z.boolean().optional().meta({ description: 'Refuses stop unconditionally.' }),
  hardwareBound: z.boolean().optional().meta({ description: 'Members are bound to hardware: excluded from bulk operations.' }),
}).meta({ id: 'GroupPolicy' });

export const portForwardSchema = z.strictObject({
  port: z.number(),
  protocol,
  service: z.string().meta({ description: 'The service whose address receives the forward.' }),
}).meta({ id: 'PortForward', description: 'A router port forward.' });

export const dnsRecordSchema = z.strictObject({
  name: z.string(),
  type: z.enum(['A', 'AAAA', 'CNAME']),
  content: z.string(),
  proxied: z.boolean(),
  comment: z.string(),
}).meta({ id: 'DnsRecord' });

export const assumptionSchema = z.strictObject({
  path: z.string().meta({ description: 'Where the assumed value lives, e.g. `addressPlan.openclaw.vmid`.' }),
  value: z.unknown(),
  reason: z.string().meta({ description: 'Why this value, and what the seed says or does not say.' }),
}).meta({ id: 'Assumption', description: 'A value chosen where the design is silent.' });

export const overcommitSchema = z.strictObject({
  cpu: z.number().meta({ description: 'Committed vCPUs / physical cores.' }),
  memory: z.number().meta({ description: 'Committed RAM (LXC limits + VM balloon floors) / physical RAM.' }),
}).meta({ id: 'OvercommitLimits' });

export const tierWeightsSchema = z.record(z.string(), z.strictObject({ min: z.number(), max: z.number(), default: z.number() }))
  .meta({ id: 'TierWeights', description: 'Tier name → its CPU weight band and default.' });

export const ipv4RangeSchema = z.strictObject({ start: z.string(), end: z.string() });

export const hstsSchema = z.strictObject({
  maxAgeSeconds: z.number().meta({ description: 'Strict-Transport-Security max-age, in seconds.' }),
  includeSubdomains: z.boolean(),
  preload: z.boolean().meta({ description: 'Ask browsers to preload the domain as HTTPS-only (only once every subdomain, the apex included, is HTTPS for good).' }),
}).meta({ id: 'Hsts', description: 'The Strict-Transport-Security header Traefik sends on every HTTPS response.' });

export const backendCaSchema = z.strictObject({
  pemEnv: z.string().meta({ description: 'Environment variable that holds the CA certificate (PEM) at deploy time. Not a secret, but not a fact of the repository either: nobody measured it.' }),
  description: z.string(),
  serverName: z.string().optional().meta({ description: 'The name the backend\'s certificate is issued to, when it is not the backend\'s address (Traefik checks it against the certificate).' }),
}).meta({ id: 'BackendCa', description: 'The CA that signed a self-signed HTTPS backend\'s certificate, pinned by the ingress instead of skipping verification.' });

export const edgeSchema = z.strictObject({
  acmeEmail: z.string().optional().meta({ description: 'The ACME (Let\'s Encrypt) account address the ingress registers its certificates with. Default: admin@<domain>.' }),
  hsts: hstsSchema.optional().meta({ description: 'Default: one year, includeSubdomains, no preload.' }),
  backendCas: z.record(z.string(), backendCaSchema).optional()
    .meta({ description: 'Service name → the CA its self-signed HTTPS backend is verified with. A route with selfSignedBackend needs one.' }),
}).meta({ id: 'Edge', description: 'How the ingress (Traefik) talks to browsers and to backends.' });

export const identitySchema = z.strictObject({
  adminGroup: z.string().meta({ description: 'The Authentik group whose members may open admin applications (routes with admin: true behind Authentik). Every other Authentik user is refused there.' }),
}).meta({ id: 'Identity', description: 'Who the identity provider (Authentik) lets in where.' });

export const publicWebsiteSchema = z.strictObject({
  names: stringList.meta({ description: 'The DNS names the website answers on, e.g. the apex and `www`: each needs a record.' }),
  proxied: z.boolean().meta({ description: 'Whether their records go through the DNS provider\'s proxy (a CDN in front of the website).' }),
  description: z.string().meta({ description: 'What the website is and where it is hosted.' }),
}).meta({ id: 'PublicWebsite', description: 'A public website on the domain that is not the homelab (served elsewhere): its records are checked, not routed.' });

export const osImageSchema = z.strictObject({
  kind: z.enum(['lxc', 'vm']),
  file: z.string().meta({ description: 'File name inside the images datastore (vztmpl, iso or import content), e.g. `vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst`.' }),
  type: z.string().meta({ description: 'Proxmox OS type: `debian`, `ubuntu`, `alpine`, ... for an LXC; `l26` for a Linux VM.' }),
  firmware: z.enum(['ovmf']).optional().meta({ description: 'VM firmware: `ovmf` (UEFI) for images that boot only that way. Default: SeaBIOS.' }),
  importDisk: z.boolean().optional().meta({ description: 'VM: the file is a disk image imported into the first disk, not an installer ISO. Default: false.' }),
  cloudInitUser: z.string().optional().meta({ description: 'VM cloud images: the user cloud-init gives the deploy SSH key to.' }),
  source: z.strictObject({
    url: z.string().regex(/^https?:\/\//).meta({ description: 'Where the node downloads the file from (http or https; PVE download-url).' }),
    checksumAlgorithm: z.enum(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']).meta({ description: 'The algorithm of the checksum the site pins in imageChecksums.' }),
    checksumsAt: z.string().meta({ description: 'Where the vendor publishes the checksum (shown with the unmeasured input).' }),
    decompression: z.enum(['gz', 'lzo', 'zst', 'bz2']).optional().meta({ description: 'The download is compressed so; the node decompresses it into `file`.' }),
    unpackOnNode: z.enum(['xz']).optional().meta({ description: 'The download is compressed so, which PVE download-url cannot undo: bootstrap downloads it on the node over SSH, checks the pinned checksum of the download and unpacks it into `file`; the hypervisor stack leaves it out.' }),
  }).optional().meta({ description: 'Where the nodes download the image from (the hypervisor stack\'s proxmox_download_file). Default: placed by hand.' }),
  byHand: z.strictObject({
    url: z.string().meta({ description: 'Where the operator downloads the file.' }),
    unpack: z.string().meta({ description: 'The command that turns the download into the file, reading stdin and writing stdout (e.g. `xz -d`).' }),
  }).optional().meta({ description: 'An image the nodes cannot download (no source): where the operator gets it; bootstrap checks it is on every node that needs it.' }),
}).meta({ id: 'OsImage', description: 'An OS a guest may ask for by name, and what it means to Proxmox.' });

export const deploySettingsSchema = z.strictObject({
  parallelism: z.number().int().min(1).optional().meta({ description: 'At most this many services `homelab deploy` deploys at once, each as soon as its dependencies are done; `--parallel <n>` overrides it. Default: 4 (1 when it asks in a terminal, without --yes).' }),
  proxmoxApiParallelism: z.number().int().min(1).optional().meta({ description: 'At most this many Terraform calls (init, plan, apply: what talks to the Proxmox API) at once, across the services deploying together. Default: 2.' }),
});

export const siteSchema = z.strictObject({
  name: z.string(),
  clusterName: z.string().optional().meta({ description: 'The Proxmox VE cluster name `homelab bootstrap` gives `pvecm create` (at most 15 characters: letters, digits, `-`). Needed only to form a new cluster; an existing one keeps its name.' }),
  domain: z.string(),
  network: z.strictObject({ cidr: z.string(), gateway: z.string(), dns: stringList, bridge: z.string() }),
  nodes: z.array(proxmoxNodeSchema),
  externalHosts: z.array(externalHostSchema),
  storage: storageSchema,
  addressPlan: z.record(z.string(), placementSchema).meta({ description: 'Which service gets which VMID, IP and node. Keyed by service (or unit) name.' }),
  kubernetes: z.strictObject({ apiVip: z.string(), metallbPool: ipv4RangeSchema }).optional()
    .meta({ description: 'The Kubernetes cluster\'s API VIP and LoadBalancer pool. Optional: a site without Kubernetes has no Kubernetes package.' }),
  wireguard: z.strictObject({ subnet: z.string(), port: z.number(), endpointHost: z.string() }).optional()
    .meta({ description: 'The remote-management tunnel. Optional: without it there is no VPN package and no `vpn` firewall source.' }),
  portForwards: z.array(portForwardSchema),
  management: z.strictObject({
    sources: stringList.meta({ description: 'Addresses or CIDRs that deploy and operate from (SSH to every guest, the TrueNAS API): the Proxmox guest firewalls let them in on port 22.' }),
  }).meta({ description: 'Where the operator\'s machines are.' }),
  dns: z.strictObject({
    provider: z.string().meta({ description: 'Who serves the zone, e.g. `cloudflare`. A DNS package implements one provider and reports a problem for any other (packages/dns: Cloudflare).' }),
    zone: z.string(),
    records: z.array(dnsRecordSchema),
    publicWebsite: publicWebsiteSchema.optional(),
  }),
  groups: z.record(z.string(), groupPolicySchema),
  serviceGroups: z.record(z.string(), z.string()).optional()
    .meta({ description: 'Service name → the site group it belongs to, where the site groups a package differently from the package\'s own `group`.' }),
  overcommit: overcommitSchema,
  tiers: tierWeightsSchema,
  providerEnv: z.strictObject({
    endpoint: z.string(),
    apiToken: z.string().meta({ description: 'The Terraform token every guest stack uses; deploy fills it from the hypervisor stack\'s output when unset (docs/deploy.md).' }),
    adminApiToken: z.string().meta({ description: 'An administrator token (root@pam) that only the hypervisor stack receives: it creates the Terraform role, user and token.' }),
  }).meta({ description: 'Secrets the site itself needs at deploy (provider tokens), by environment variable name.' }),
  assumptions: z.array(assumptionSchema).meta({ description: 'Every value chosen where the seed is silent.' }),
  edge: edgeSchema.optional(),
  osImages: z.record(z.string(), osImageSchema).optional()
    .meta({ description: 'OS images of this site, by name, merged over the built-in ones (libs/core/src/model/os-images.ts); a name here replaces a built-in of the same name.' }),
  identity: identitySchema.optional(),
  deploy: deploySettingsSchema.optional().meta({ description: 'How `homelab deploy` runs: how many services and Proxmox API calls at once (docs/deploy.md).' }),
  imageChecksums: z.record(z.string(), measurable('The checksum of the image\'s download (its source\'s algorithm, hex), or `unmeasured(\'…\')`.')).optional()
    .meta({ description: 'OS image name → the pinned checksum of its download. An image with a source and no checksum here is an unmeasured input: its guests wait for it.' }),
}).meta({ description: 'The physical facts of one homelab: nodes, network, storage, address plan.' });
