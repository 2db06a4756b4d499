#!/usr/bin/env bash
#
# Runs on the deploy machine. Idempotent: reads before it writes, and prints "homelab: changed: ..."
# for each change. Never creates a pool (that would wipe its disks): a missing pool is imported if
# its disks carry one, otherwise the script stops and says what to do. The API key comes from
# TRUENAS_API_KEY and is handed to curl on a file descriptor, never on its command line.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly state="${here}/truenas-desired-state.json"
: "${TRUENAS_API_KEY:?TRUENAS_API_KEY must hold a TrueNAS API key (Credentials > API Keys)}"
for tool in curl jq; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} is needed on the deploy machine"
done
api="$(jq -r '.api' "${state}")"
readonly api
# The appliance's certificate is self-signed: it is verified against the CA the site pins
# (site.edge.backendCas.truenas), never skipped. The PEM comes from the environment variable
# ca_pem_env names (empty: the site pins no CA).
readonly ca_pem_env=@ca_pem_env@
[[ -n "${ca_pem_env}" ]] || die "the site pins no CA for TrueNAS (edge.backendCas.truenas); its self-signed certificate cannot be verified"
[[ -n "${!ca_pem_env:-}" ]] || die "${ca_pem_env} must hold the PEM of the CA that signed the TrueNAS certificate (System > Certificates)"
ca_file="$(mktemp)"
trap 'rm -f "${ca_file}"' EXIT
printf '%s\n' "${!ca_pem_env}" >"${ca_file}"
tls=(--cacert "${ca_file}")
readonly tls
if ! curl --silent --output /dev/null --max-time 10 "${tls[@]}" "${api}/system/state"; then
  die "TrueNAS does not answer at ${api}. On a new VM, install TrueNAS SCALE from its ISO once and create an API key (packages/truenas/README.md)."
fi

# call METHOD PATH [JSON-BODY] [extra curl arguments...]
call() {
  local method="$1" path="$2" body="${3-}"
  shift 3 || shift $#
  local args=(--silent --show-error --fail-with-body --max-time 120 "${tls[@]}" -X "${method}"
    -H 'Accept: application/json' -H @<(printf 'Authorization: Bearer %s\n' "${TRUENAS_API_KEY}"))
  if [[ -n "${body}" ]]; then args+=(-H 'Content-Type: application/json' --data "${body}"); fi
  curl "${args[@]}" "$@" "${api}${path}"
}

uri() { jq -rn --arg s "$1" '$s | @uri'; }

wait_job() {
  local id="$1" job status
  for _ in $(seq 1 120); do
    job="$(call GET /core/get_jobs '' -G --data-urlencode "id=${id}")"
    status="$(jq -r '.[0].state' <<<"${job}")"
    case "${status}" in
      SUCCESS) jq -c '.[0].result' <<<"${job}"; return 0 ;;
      FAILED | ABORTED) die "job ${id}: $(jq -r '.[0].error' <<<"${job}")" ;;
    esac
    sleep 5
  done
  die "job ${id} did not finish in 10 minutes"
}

# 1. The pool: present, or imported from the passed-through disks.
pool="$(jq -r '.pool.name' "${state}")"
if [[ "$(call GET /pool '' -G --data-urlencode "name=${pool}" | jq 'length')" == 0 ]]; then
  found="$(wait_job "$(call POST /pool/import_find '')")"
  guid="$(jq -r --arg p "${pool}" '.[] | select(.name == $p) | .guid' <<<"${found}")"
  [[ -n "${guid}" ]] || die "pool ${pool} is neither imported nor importable. Create it once in the TrueNAS UI (a mirror of the passed-through disks); this script never creates pools."
  wait_job "$(call POST /pool/import_pool "$(jq -cn --arg g "${guid}" '{guid: $g}')")" >/dev/null
  changed "pool ${pool} imported"
fi

# 2. Datasets, parents first, with their properties.
while IFS= read -r ds; do
  name="$(jq -r '.name' <<<"${ds}")"
  want="$(jq -cS '.properties' <<<"${ds}")"
  if current="$(call GET "/pool/dataset/id/$(uri "${name}")" '' 2>/dev/null)"; then
    have="$(jq -cS --argjson w "${want}" 'with_entries(select(.key as $k | $w | has($k))) | map_values(.value)' <<<"${current}")"
    if [[ "${have}" != "${want}" ]]; then
      call PUT "/pool/dataset/id/$(uri "${name}")" "${want}" >/dev/null
      changed "dataset ${name} properties ${want} (were ${have})"
    fi
  else
    call POST /pool/dataset "$(jq -c '{name: .name, type: "FILESYSTEM"} + .properties' <<<"${ds}")" >/dev/null
    changed "dataset ${name} created"
  fi
done < <(jq -c '.datasets[]' "${state}")

# 3. NFS exports, restricted to the derived clients.
while IFS= read -r share; do
  path="$(jq -r '.path' <<<"${share}")"
  if jq -e '.enabled and (.hosts | length == 0)' <<<"${share}" >/dev/null; then
    die "refusing to enable the export of ${path} with no hosts: TrueNAS reads an empty list as every host"
  fi
  existing="$(call GET /sharing/nfs '' -G --data-urlencode "path=${path}")"
  if [[ "$(jq 'length' <<<"${existing}")" == 0 ]]; then
    call POST /sharing/nfs "${share}" >/dev/null
    changed "NFS export ${path} to $(jq -r '.hosts | join(", ")' <<<"${share}")"
  else
    id="$(jq -r '.[0].id' <<<"${existing}")"
    keys='["path","comment","hosts","ro","maproot_user","maproot_group","enabled"]'
    have="$(jq -cS --argjson k "${keys}" '.[0] | with_entries(select(.key as $x | $k | index($x))) | .hosts |= sort' <<<"${existing}")"
    want="$(jq -cS '.hosts |= sort' <<<"${share}")"
    if [[ "${have}" != "${want}" ]]; then
      call PUT "/sharing/nfs/id/${id}" "${share}" >/dev/null
      changed "NFS export ${path} updated (was ${have})"
    fi
  fi
done < <(jq -c '.nfs.shares[]' "${state}")

# 4. The NFS service runs (and starts at boot) once something is exported.
if jq -e '.nfs.serviceEnabled' "${state}" >/dev/null; then
  svc="$(call GET /service '' -G --data-urlencode 'service=nfs')"
  if [[ "$(jq -r '.[0].enable' <<<"${svc}")" != true ]]; then
    call PUT "/service/id/$(jq -r '.[0].id' <<<"${svc}")" '{"enable": true}' >/dev/null
    changed "NFS service enabled at boot"
  fi
  if [[ "$(jq -r '.[0].state' <<<"${svc}")" != RUNNING ]]; then
    call POST /service/start '{"service": "nfs"}' >/dev/null
    changed "NFS service started"
  fi
fi
