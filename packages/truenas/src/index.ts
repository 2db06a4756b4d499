/**
 * TrueNAS SCALE as a VM on tower1 with its data disks passed through raw, so ZFS sees the real
 * disks (checksums, SMART). Its ZFS datasets and NFS exports are applied through the TrueNAS REST
 * API from the deploy machine: a desired-state JSON file and an idempotent apply script, which
 * reads the API key from the environment and never writes it anywhere.
 *
 * The NFS export clients are derived, never listed: NFS is mounted on the Proxmox hosts and
 * bind-mounted into containers, so the clients are the nodes that host a service declaring
 * nfsMounts (the same derivation decides where the proxmox package mounts the share).
 */
import { defineService, DEPLOY_MACHINE, generatedHeader, nfsConsumers, type ConfigFile, type RenderContext, type Site } from '@homelab/core';

export const API_KEY_ENV = 'TRUENAS_API_KEY';
export const APPLY_DIR = '/truenas';
export const DESIRED_STATE_FILE = `${APPLY_DIR}/truenas-desired-state.json`;
export const APPLY_SCRIPT = `${APPLY_DIR}/truenas-apply.sh`;
/**
 * One dataset for the whole media tree, no child datasets: downloads and library must be one
 * filesystem, or the ARR stack's import (a rename from downloads/ to media/) fails with EXDEV and
 * becomes a copy over NFS, the seed's failure path (docs/decisions.md, "The ARR stack mounts the
 * whole NFS export once"). The directories inside it belong to the services that mount it.
 */
export const MEDIA_CHILDREN: readonly string[] = [];
/** ZFS properties for media: large sequential files, never read-time updates. */
export const MEDIA_PROPERTIES = { compression: 'LZ4', atime: 'OFF', recordsize: '1M' } as const;

export interface NfsShare {
  readonly path: string;
  readonly comment: string;
  /** IP addresses allowed to mount; an empty list would allow every host, so it is never sent enabled. */
  readonly hosts: readonly string[];
  readonly ro: boolean;
  readonly maproot_user: string;
  readonly maproot_group: string;
  readonly enabled: boolean;
}

export interface DesiredState {
  readonly api: string;
  readonly pool: { readonly name: string; readonly importIfMissing: boolean };
  readonly datasets: readonly { readonly name: string; readonly properties: Readonly<Record<string, string>> }[];
  readonly nfs: { readonly serviceEnabled: boolean; readonly shares: readonly NfsShare[] };
  /** Why each client is there: the service and the node that mounts the share for it. */
  readonly clientsFrom: readonly { readonly service: string; readonly node: string; readonly ip: string }[];
}

/** `/mnt/tank/media` → pool `tank`, dataset `tank/media`. */
export function exportDataset(site: Site): { pool: string; dataset: string } {
  const m = /^\/mnt\/([^/]+)\/(.+)$/.exec(site.storage.nfs.export);
  if (!m) throw new Error(`the NFS export ${site.storage.nfs.export} is not a TrueNAS dataset path (/mnt/<pool>/<dataset>)`);
  return { pool: m[1]!, dataset: `${m[1]}/${m[2]}` };
}

export function desiredState(ctx: RenderContext): DesiredState {
  const { site } = ctx;
  const { pool, dataset } = exportDataset(site);
  const consumers = nfsConsumers(ctx.services);
  const hosts = [...new Set(consumers.map((c) => c.node.ip))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const datasets = [dataset, ...MEDIA_CHILDREN.map((c) => `${dataset}/${c}`)];
  return {
    api: `https://${ctx.service.ip}/api/v2.0`,
    pool: { name: pool, importIfMissing: true },
    datasets: datasets.map((name) => ({ name, properties: { ...MEDIA_PROPERTIES } })),
    nfs: {
      serviceEnabled: hosts.length > 0,
      // Every dataset of the tree is exported to the same clients (should child datasets come
      // back, an NFSv4 client then crosses into them instead of seeing empty directories).
      shares: datasets.map((name) => ({
        path: `/mnt/${name}`,
        comment: `homelab: mounted on the Proxmox hosts of ${[...new Set(consumers.map((c) => c.service.name))].sort().join(', ') || 'no service yet'}`,
        hosts,
        ro: false,
        // The hosts mount as root and bind-mount into unprivileged containers.
        maproot_user: 'root',
        maproot_group: 'root',
        enabled: hosts.length > 0,
      })),
    },
    clientsFrom: consumers.map((c) => ({ service: c.service.name, node: c.node.name, ip: c.node.ip })),
  };
}

export function applyScript(ctx: RenderContext): string {
  const caPemEnv = ctx.site.edge?.backendCas?.[ctx.service.name]?.pemEnv;
  const header = generatedHeader(ctx.service.pkg, 'Applies truenas-desired-state.json through the TrueNAS REST API (v2.0).');
  return `#!/usr/bin/env bash
${header.map((l) => `# ${l}`).join('\n')}
#
# Runs on the deploy machine. Idempotent: reads before it writes, and prints "homelab: changed: ..."
# for each change. Never creates a pool (that would wipe its disks): a missing pool is imported if
# its disks carry one, otherwise the script stops and says what to do. The API key comes from
# ${API_KEY_ENV} and is handed to curl on a file descriptor, never on its command line.
set -euo pipefail

here="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
readonly state="\${here}/truenas-desired-state.json"
: "\${${API_KEY_ENV}:?${API_KEY_ENV} must hold a TrueNAS API key (Credentials > API Keys)}"
for tool in curl jq; do
  command -v "\${tool}" >/dev/null 2>&1 || { echo "error: \${tool} is needed on the deploy machine" >&2; exit 1; }
done
api="$(jq -r '.api' "\${state}")"
readonly api
# The appliance's certificate is self-signed: it is verified against the CA the site pins
# (site.edge.backendCas.truenas), never skipped. The PEM comes from the environment.
${caPemEnv ? `: "\${${caPemEnv}:?${caPemEnv} must hold the PEM of the CA that signed the TrueNAS certificate (System > Certificates)}"
ca_file="$(mktemp)"
trap 'rm -f "\${ca_file}"' EXIT
printf '%s\\n' "\${${caPemEnv}}" >"\${ca_file}"
tls=(--cacert "\${ca_file}")` : `echo "error: the site pins no CA for TrueNAS (edge.backendCas.truenas); its self-signed certificate cannot be verified" >&2
exit 1`}
readonly tls
if ! curl --silent --output /dev/null --max-time 10 "\${tls[@]}" "\${api}/system/state"; then
  echo "error: TrueNAS does not answer at \${api}. On a new VM, install TrueNAS SCALE from its ISO once and create an API key (packages/truenas/README.md)." >&2
  exit 1
fi

changed() { printf 'homelab: changed: %s\\n' "$*"; }
die() { printf 'error: %s\\n' "$*" >&2; exit 1; }

# call METHOD PATH [JSON-BODY] [extra curl arguments...]
call() {
  local method="$1" path="$2" body="\${3-}"
  shift 3 || shift $#
  local args=(--silent --show-error --fail-with-body --max-time 120 "\${tls[@]}" -X "\${method}"
    -H 'Accept: application/json' -H @<(printf 'Authorization: Bearer %s\\n' "\${${API_KEY_ENV}}"))
  if [[ -n "\${body}" ]]; then args+=(-H 'Content-Type: application/json' --data "\${body}"); fi
  curl "\${args[@]}" "$@" "\${api}\${path}"
}

uri() { jq -rn --arg s "$1" '$s | @uri'; }

wait_job() {
  local id="$1" job status
  for _ in $(seq 1 120); do
    job="$(call GET /core/get_jobs '' -G --data-urlencode "id=\${id}")"
    status="$(jq -r '.[0].state' <<<"\${job}")"
    case "\${status}" in
      SUCCESS) jq -c '.[0].result' <<<"\${job}"; return 0 ;;
      FAILED | ABORTED) die "job \${id}: $(jq -r '.[0].error' <<<"\${job}")" ;;
    esac
    sleep 5
  done
  die "job \${id} did not finish in 10 minutes"
}

# 1. The pool: present, or imported from the passed-through disks.
pool="$(jq -r '.pool.name' "\${state}")"
if [[ "$(call GET /pool '' -G --data-urlencode "name=\${pool}" | jq 'length')" == 0 ]]; then
  found="$(wait_job "$(call POST /pool/import_find '')")"
  guid="$(jq -r --arg p "\${pool}" '.[] | select(.name == $p) | .guid' <<<"\${found}")"
  [[ -n "\${guid}" ]] || die "pool \${pool} is neither imported nor importable. Create it once in the TrueNAS UI (a mirror of the passed-through disks); this script never creates pools."
  wait_job "$(call POST /pool/import_pool "$(jq -cn --arg g "\${guid}" '{guid: $g}')")" >/dev/null
  changed "pool \${pool} imported"
fi

# 2. Datasets, parents first, with their properties.
while IFS= read -r ds; do
  name="$(jq -r '.name' <<<"\${ds}")"
  want="$(jq -cS '.properties' <<<"\${ds}")"
  if current="$(call GET "/pool/dataset/id/$(uri "\${name}")" '' 2>/dev/null)"; then
    have="$(jq -cS --argjson w "\${want}" 'with_entries(select(.key as $k | $w | has($k))) | map_values(.value)' <<<"\${current}")"
    if [[ "\${have}" != "\${want}" ]]; then
      call PUT "/pool/dataset/id/$(uri "\${name}")" "\${want}" >/dev/null
      changed "dataset \${name} properties \${want} (were \${have})"
    fi
  else
    call POST /pool/dataset "$(jq -c '{name: .name, type: "FILESYSTEM"} + .properties' <<<"\${ds}")" >/dev/null
    changed "dataset \${name} created"
  fi
done < <(jq -c '.datasets[]' "\${state}")

# 3. NFS exports, restricted to the derived clients.
while IFS= read -r share; do
  path="$(jq -r '.path' <<<"\${share}")"
  if jq -e '.enabled and (.hosts | length == 0)' <<<"\${share}" >/dev/null; then
    die "refusing to enable the export of \${path} with no hosts: TrueNAS reads an empty list as every host"
  fi
  existing="$(call GET /sharing/nfs '' -G --data-urlencode "path=\${path}")"
  if [[ "$(jq 'length' <<<"\${existing}")" == 0 ]]; then
    call POST /sharing/nfs "\${share}" >/dev/null
    changed "NFS export \${path} to $(jq -r '.hosts | join(", ")' <<<"\${share}")"
  else
    id="$(jq -r '.[0].id' <<<"\${existing}")"
    keys='["path","comment","hosts","ro","maproot_user","maproot_group","enabled"]'
    have="$(jq -cS --argjson k "\${keys}" '.[0] | with_entries(select(.key as $x | $k | index($x))) | .hosts |= sort' <<<"\${existing}")"
    want="$(jq -cS '.hosts |= sort' <<<"\${share}")"
    if [[ "\${have}" != "\${want}" ]]; then
      call PUT "/sharing/nfs/id/\${id}" "\${share}" >/dev/null
      changed "NFS export \${path} updated (was \${have})"
    fi
  fi
done < <(jq -c '.nfs.shares[]' "\${state}")

# 4. The NFS service runs (and starts at boot) once something is exported.
if jq -e '.nfs.serviceEnabled' "\${state}" >/dev/null; then
  svc="$(call GET /service '' -G --data-urlencode 'service=nfs')"
  if [[ "$(jq -r '.[0].enable' <<<"\${svc}")" != true ]]; then
    call PUT "/service/id/$(jq -r '.[0].id' <<<"\${svc}")" '{"enable": true}' >/dev/null
    changed "NFS service enabled at boot"
  fi
  if [[ "$(jq -r '.[0].state' <<<"\${svc}")" != RUNNING ]]; then
    call POST /service/start '{"service": "nfs"}' >/dev/null
    changed "NFS service started"
  fi
fi
`;
}

/** TrueNAS is configured through its API, not over SSH: the apply script runs on the deploy machine. */
const ON_DEPLOY_MACHINE = { reason: 'TrueNAS is configured through its REST API from the deploy machine, not by files on the appliance' };

function files(ctx: RenderContext): ConfigFile[] {
  return [
    { path: DESIRED_STATE_FILE, host: DEPLOY_MACHINE, hostLevel: ON_DEPLOY_MACHINE, mode: '0644', format: 'json', content: `${JSON.stringify(desiredState(ctx), null, 2)}\n` },
    { path: APPLY_SCRIPT, host: DEPLOY_MACHINE, hostLevel: ON_DEPLOY_MACHINE, mode: '0755', format: 'shell', run: true, content: applyScript(ctx) },
  ];
}

export default defineService({
  name: 'truenas',
  description: 'TrueNAS SCALE NAS VM: ZFS on raw passed-through disks, NFS exports of /media to the Proxmox hosts that bind-mount it',
  kind: 'vm',
  tier: 'high',
  cpuWeight: 1500,
  group: 'storage',
  provides: ['nfs'],
  os: 'truenas-scale',
  resources: {
    cores: 4,
    memoryMiB: 8192,
    // No ballooning: ZFS sizes its ARC from the RAM it sees at boot and gives memory back slowly;
    // a balloon inflating under it starves the ARC or pushes the VM into swap, which is the ZFS
    // write stall of the seed's failure chain. The floor is the maximum.
    balloonMiB: 8192,
    disks: [{ storage: 'local', sizeGiB: 32 }],
    passthroughDisks: true,
  },
  routes: [{ name: 'truenas', host: 'truenas', port: 443, scheme: 'https', selfSignedBackend: true, auth: 'authentik', admin: true, probePath: '/ui/' }],
  ports: [
    // The apply script on the deploy machine calls the REST API directly (Authentik would stop it).
    { port: 443, protocol: 'tcp', description: 'Web UI and REST API (self-signed certificate)', from: ['management'] },
    { port: 2049, protocol: 'tcp', description: 'NFSv4', from: ['nfs-clients'] },
  ],
  secrets: [{ env: API_KEY_ENV, description: 'TrueNAS API key (Credentials > API Keys) used by the apply script on the deploy machine; never written to a file' }],
  dependsOn: ['authentik', 'proxmox', 'traefik'],
  files,
});
