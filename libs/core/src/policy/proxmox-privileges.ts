/**
 * Which Proxmox VE privileges each bpg/proxmox Terraform resource type needs, privilege by
 * privilege. Site-agnostic: the rule `terraform-token` reads the resource types present in the
 * synthesized stacks, derives the privileges they need from this table, and compares them with the
 * role the hypervisor package declares (`facts.terraformRole`).
 *
 * Quoted permission texts are from the Proxmox VE API documentation (POST /nodes/{node}/lxc,
 * /nodes/{node}/qemu, .../config, /access/*, /storage). A stack that starts using a resource type
 * missing here gets `UnknownProxmoxResourceType` until its needs are added.
 */
export const PROXMOX_RESOURCE_TYPES = {
  container: 'proxmox_virtual_environment_container',
  vm: 'proxmox_virtual_environment_vm',
  pool: 'proxmox_virtual_environment_pool',
  downloadFile: 'proxmox_download_file',
  haResource: 'proxmox_haresource',
  role: 'proxmox_virtual_environment_role',
  user: 'proxmox_virtual_environment_user',
  userToken: 'proxmox_user_token',
  acl: 'proxmox_acl',
  lvmThin: 'proxmox_storage_lvmthin',
  firewallOptions: 'proxmox_virtual_environment_firewall_options',
  firewallRules: 'proxmox_virtual_environment_firewall_rules',
} as const;

const { container: CT, vm: VM, pool, downloadFile, haResource, role, user, userToken, acl, lvmThin, firewallOptions: FWO, firewallRules: FWR } = PROXMOX_RESOURCE_TYPES;

export interface PrivilegeNeed {
  /** The resource (or data source) types whose create, read, update or delete calls need it. */
  readonly resourceTypes: readonly string[];
  /** Why, in one sentence, with the API's own words where it has them. */
  readonly why: string;
}

/** Privilege → what needs it. Sorted by privilege. */
export const PROXMOX_PRIVILEGE_NEEDS: Readonly<Record<string, PrivilegeNeed>> = {
  'Datastore.Allocate': { resourceTypes: [lvmThin], why: 'create and change storage definitions (/storage); an administrator grant, never a service token\'s' },
  'Datastore.AllocateSpace': { resourceTypes: [CT, VM], why: 'root disks, mount-point volumes and VM disks ("You also need \'Datastore.AllocateSpace\' permissions on the storage")' },
  'Datastore.AllocateTemplate': { resourceTypes: [downloadFile], why: 'download an ISO or container template into a storage (download-url)' },
  'Datastore.Audit': { resourceTypes: [CT, VM, downloadFile], why: 'list storage content (the LXC template, the installer ISO) and read datastore status before allocating' },
  'Permissions.Modify': { resourceTypes: [acl], why: 'grant roles on paths (/access/acl); whoever holds it can grant itself anything' },
  'Pool.Allocate': { resourceTypes: [pool], why: 'create and change resource pools' },
  'Realm.AllocateUser': { resourceTypes: [user], why: 'create a user in a realm' },
  'SDN.Use': { resourceTypes: [CT, VM], why: 'attach NICs to a bridge ("If you use a bridge/vlan, you need \'SDN.Use\' on any used bridge/vlan")' },
  'Sys.AccessNetwork': { resourceTypes: [downloadFile], why: 'make the node fetch a URL (download-url; releases before Sys.AccessNetwork ask for Sys.Modify on / instead: to be confirmed on the cluster)' },
  'Sys.Audit': { resourceTypes: [CT, VM, downloadFile], why: 'node and cluster reads (/nodes, /cluster/resources, node status) the provider makes to place and refresh guests' },
  'Sys.Console': { resourceTypes: [haResource], why: 'manage HA resources (/cluster/ha/resources; to be confirmed on the cluster)' },
  'Sys.Modify': { resourceTypes: [role], why: 'create and change roles (/access/roles); an administrator grant, never a service token\'s' },
  'User.Modify': { resourceTypes: [user, userToken], why: 'create and change users and their API tokens' },
  'VM.Allocate': { resourceTypes: [CT, VM], why: 'create and destroy the guest on /vms/{vmid} ("You need \'VM.Allocate\' permission")' },
  'VM.Audit': { resourceTypes: [CT, VM, haResource, FWO, FWR], why: 'read the guest\'s configuration and status, and its firewall options and rules (GET .../firewall/options, .../firewall/rules), on every refresh' },
  'VM.Config.CDROM': { resourceTypes: [VM], why: 'the installer ISO in the ide2 CD-ROM' },
  'VM.Config.Cloudinit': { resourceTypes: [VM], why: 'the initialization block: the cloud-init drive with the static IP and DNS' },
  'VM.Config.CPU': { resourceTypes: [CT, VM], why: 'cores, CPU type and cpuunits (the tier\'s CPU weight)' },
  'VM.Config.Disk': { resourceTypes: [CT, VM], why: 'disks, their size, and volume mount points' },
  'VM.Config.HWType': { resourceTypes: [VM], why: 'machine type, SCSI controller, USB and PCI devices' },
  'VM.Config.Memory': { resourceTypes: [CT, VM], why: 'memory limit, swap, VM balloon floor' },
  'VM.Config.Network': { resourceTypes: [CT, VM, FWO, FWR], why: 'network devices, the container\'s IP configuration, and the guest firewall (PUT .../firewall/options, POST/PUT/DELETE .../firewall/rules on /vms/{vmid})' },
  'VM.Config.Options': { resourceTypes: [CT, VM], why: 'name, description, tags, start on boot, startup order, OS type, agent flag, the nesting feature' },
  'VM.Monitor': { resourceTypes: [VM], why: 'QEMU guest agent queries made when agent.enabled is set, to learn the VM\'s addresses (VM.GuestAgent.Audit on Proxmox VE 9)' },
  'VM.PowerMgmt': { resourceTypes: [CT, VM], why: 'start after create, shutdown before destroy, reboots' },
};

/**
 * Grants that let a leaked token rewrite permissions, users, storage or the hosts themselves, or
 * that are whole built-in roles. A token holds one only where a resource type needs it.
 */
export const BROAD_PROXMOX_GRANTS: readonly string[] = [
  'Administrator', 'PVEAdmin', 'PVEVMAdmin', 'PVESysAdmin', 'PVEUserAdmin', 'PVEDatastoreAdmin', 'PVESDNAdmin', 'PVEPoolAdmin', 'PVEMappingAdmin',
  'Permissions.Modify', 'Realm.Allocate', 'Realm.AllocateUser', 'User.Modify', 'Group.Allocate',
  'Sys.Modify', 'Sys.Console', 'Sys.PowerMgmt', 'Sys.Incoming', 'Datastore.Allocate', 'SDN.Allocate', 'Mapping.Modify',
];

/** Every resource type the table knows. */
export function knownProxmoxResourceTypes(): Set<string> {
  return new Set(Object.values(PROXMOX_PRIVILEGE_NEEDS).flatMap((n) => n.resourceTypes));
}

/** The privileges the given resource types need, sorted. */
export function privilegesNeeded(resourceTypes: Iterable<string>): string[] {
  const types = new Set(resourceTypes);
  return Object.keys(PROXMOX_PRIVILEGE_NEEDS).filter((p) => PROXMOX_PRIVILEGE_NEEDS[p]!.resourceTypes.some((t) => types.has(t))).sort();
}
