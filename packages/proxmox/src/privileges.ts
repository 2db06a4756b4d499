/**
 * What the Terraform API token may do, privilege by privilege, and which bpg/proxmox resource
 * type needs each one. The token serves every service stack (LXCs and VMs); it is deliberately
 * not Administrator, PVEAdmin or PVEVMAdmin. Permission texts quoted below are from the Proxmox
 * VE API documentation (POST /nodes/{node}/lxc, /nodes/{node}/qemu, .../config).
 *
 * Resource types the token is for are the ones service stacks emit today; a stack that starts
 * using another type (proxmox_download_file, pools, HA) adds what that type needs here, so a
 * policy rule can compare this table with the synthesized stacks.
 */
export const CONTAINER = 'proxmox_virtual_environment_container';
export const VM = 'proxmox_virtual_environment_vm';

export type GuestResourceType = typeof CONTAINER | typeof VM;

export const TERRAFORM_PRIVILEGE_NEEDS = {
  // container, vm: root disks, mount-point volumes and VM disks on local-lvm and ceph-rbd
  // ("You also need 'Datastore.AllocateSpace' permissions on the storage").
  'Datastore.AllocateSpace': [CONTAINER, VM],
  // container, vm: the provider lists storage content (the LXC template, the installer ISO it
  // references) and reads datastore status before allocating.
  'Datastore.Audit': [CONTAINER, VM],
  // container, vm: every NIC is attached to the vmbr0 bridge ("If you use a bridge/vlan, you need
  // 'SDN.Use' on any used bridge/vlan").
  'SDN.Use': [CONTAINER, VM],
  // container, vm: node and cluster reads (/nodes, /cluster/resources, node status) the provider
  // makes to place and refresh guests.
  'Sys.Audit': [CONTAINER, VM],
  // container, vm: create and destroy the guest on /vms/{vmid} ("You need 'VM.Allocate' permission").
  'VM.Allocate': [CONTAINER, VM],
  // container, vm: read the guest's configuration and status on every refresh.
  'VM.Audit': [CONTAINER, VM],
  // vm: the installer ISO in the ide2 CD-ROM (TrueNAS, Talos, HAOS).
  'VM.Config.CDROM': [VM],
  // vm: the initialization block, i.e. the cloud-init drive with the static IP and DNS (Talos reads
  // it in maintenance mode through its nocloud platform).
  'VM.Config.Cloudinit': [VM],
  // container, vm: cores, CPU type and cpuunits (the tier's CPU weight).
  'VM.Config.CPU': [CONTAINER, VM],
  // container, vm: disks, their size, and volume mount points.
  'VM.Config.Disk': [CONTAINER, VM],
  // vm: machine type (q35), SCSI controller, USB and PCI devices.
  'VM.Config.HWType': [VM],
  // container, vm: memory limit, swap, VM balloon floor.
  'VM.Config.Memory': [CONTAINER, VM],
  // container, vm: network devices and the container's IP configuration.
  'VM.Config.Network': [CONTAINER, VM],
  // container, vm: name, description, tags, start on boot, startup order, OS type, guest agent
  // flag, the container feature nesting (keyctl is root@pam's: see ROOT_ONLY_GUEST_SETTINGS).
  'VM.Config.Options': [CONTAINER, VM],
  // vm: QEMU guest agent queries bpg makes when agent.enabled is set, to learn the VM's addresses
  // (Proxmox VE 8, which the seed runs; on Proxmox VE 9 the privilege is VM.GuestAgent.Audit).
  'VM.Monitor': [VM],
  // container, vm: start after create (started = true), shutdown before destroy and reboots.
  'VM.PowerMgmt': [CONTAINER, VM],
} as const satisfies Readonly<Record<string, readonly GuestResourceType[]>>;

/** The privileges of the Terraform role, sorted. */
export const TERRAFORM_PRIVILEGES: readonly string[] = Object.keys(TERRAFORM_PRIVILEGE_NEEDS).sort();

/**
 * Privileges the role must never get: they would let a leaked token rewrite permissions, users,
 * storage or the hosts themselves.
 */
export const FORBIDDEN_TERRAFORM_PRIVILEGES: readonly string[] = [
  'Permissions.Modify', 'Realm.Allocate', 'Realm.AllocateUser', 'User.Modify', 'Group.Allocate',
  'Sys.Modify', 'Sys.Console', 'Sys.PowerMgmt', 'Datastore.Allocate', 'SDN.Allocate', 'Mapping.Modify',
];

/**
 * Guest settings Proxmox VE reserves for root@pam, whatever the role (docs/decisions.md, "Known
 * gap: what a Proxmox API token may not do"). An API token, even one of root@pam, is not root@pam,
 * so stacks that use them need the provider's username/password login (PROXMOX_VE_USERNAME=root@pam,
 * PROXMOX_VE_PASSWORD), a hardware mapping, or a root step on the node: no privilege added to the
 * role below can grant them.
 */
export const ROOT_ONLY_GUEST_SETTINGS: readonly { readonly setting: string; readonly usedFor: string; readonly source: string }[] = [
  {
    setting: 'container mount point with a host path (mp[n] bind mount)',
    usedFor: 'services with nfsMounts (the host NFS mount bind-mounted into the LXC)',
    source: 'Proxmox VE API, PUT /nodes/{node}/lxc/{vmid}/config: "non-volume mount points in rootfs and mp[n] are restricted to root@pam"',
  },
  {
    setting: 'container features other than nesting (keyctl)',
    usedFor: 'every LXC that runs Docker (docker: true)',
    source: 'pve-container check_ct_modify_config_perm (docs/decisions.md)',
  },
  {
    setting: 'container device passthrough (dev[n])',
    usedFor: 'services with devices of kind dev (iGPU for Plex and Jellyfin)',
    source: 'Proxmox VE permission checks for LXC device entries; to be confirmed on the cluster with the token',
  },
  {
    setting: 'VM disk given by host path (raw disk passthrough)',
    usedFor: 'TrueNAS (resources.passthroughDisks)',
    source: 'Proxmox VE permission checks for volumes that are not storage volumes; to be confirmed on the cluster with the token',
  },
  {
    setting: 'VM USB device by host vendor:product id (not a resource mapping)',
    usedFor: 'Home Assistant, Pwnagotchi',
    source: 'Proxmox VE permission checks for usb[n] without a mapping (a mapping needs Mapping.Use instead); to be confirmed on the cluster with the token',
  },
];
