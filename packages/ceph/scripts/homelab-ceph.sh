#!/usr/bin/env bash
#
# Every node runs this on every deploy. Each step checks before it creates, so a second run
# changes nothing; "homelab: changed: ..." lines tell the playbook what did change. The
# cluster-wide steps (manager module, CRUSH rules, pool) run on every node: whichever node runs
# after the OSDs of a device class exist creates that class's rule, so one deploy converges.

readonly node=@node@
readonly public_network=@public_network@
readonly monitor=@monitor@
# The nodes that run a monitor, for the message when none answers.
readonly monitor_names=@monitor_names@
# OSD disks of this node (libs/site, role ceph-osd) as device=class.
readonly osd_disks=(@osd_disks@)
readonly pool=@pool@
readonly pool_size=@pool_size@
readonly pool_min_size=@pool_min_size@
readonly pool_rule=@pool_rule@
readonly osd_memory_target=@osd_memory_target@

# Never wait for ever on a cluster without quorum.
ceph_() { ceph --connect-timeout 30 "$@"; }

[[ "$(hostname)" == "${node}" ]] || die "this script is for ${node}, but this is $(hostname)"
for tool in pveceph pvesh ceph jq; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} is missing on ${node}"
done
command -v ceph-osd >/dev/null 2>&1 \
  || die "the Ceph packages are not installed on ${node}: run 'pveceph install --repository no-subscription' once (packages/ceph/README.md)"

# 1. The cluster configuration (/etc/pve is shared: the first node to run creates it).
if [[ ! -e /etc/pve/ceph.conf ]]; then
  pveceph init --network "${public_network}"
  changed "ceph initialised for ${public_network}"
fi

# 2. Monitor and manager on the designated nodes.
if (( monitor )); then
  if [[ ! -d "/var/lib/ceph/mon/ceph-${node}" ]]; then
    pveceph mon create
    changed "monitor on ${node}"
  fi
  if [[ ! -d "/var/lib/ceph/mgr/ceph-${node}" ]]; then
    pveceph mgr create
    changed "manager on ${node}"
  fi
fi
ceph_ status >/dev/null || die "no Ceph monitor answers: deploy the monitor nodes (${monitor_names}) first"

# 3. This node's OSDs, with the device class set explicitly (not guessed from the rotational flag).
for entry in "${osd_disks[@]}"; do
  disk="${entry%%=*}"
  class="${entry##*=}"
  [[ -b "${disk}" ]] || die "OSD disk ${disk} is not a block device on ${node}"
  dev="$(readlink -f "${disk}")"
  osdid="$(pvesh get "/nodes/${node}/disks/list" --output-format json \
    | jq -r --arg d "${dev}" '.[] | select(.devpath == $d) | (.osdid // -1)')"
  [[ -n "${osdid}" ]] || die "${dev} is not in the disk list of ${node}"
  if (( osdid < 0 )); then
    pveceph osd create "${dev}" --crush-device-class "${class}"
    changed "OSD on ${dev} (${class})"
  fi
done

# 4. Cluster-wide settings.
if ! ceph_ mgr module ls --format json | jq -e '.enabled_modules | index("prometheus")' >/dev/null; then
  ceph_ mgr module enable prometheus
  changed "manager prometheus module enabled"
fi
set_config() {
  local current
  current="$(ceph_ config get "$1" "$2" 2>/dev/null || true)"
  if [[ "${current}" != "$3" ]]; then
    ceph_ config set "$1" "$2" "$3"
    changed "config $1 $2 = $3"
  fi
}
# Standby managers answer scrapes with an error instead of an HTML page.
set_config mgr mgr/prometheus/standby_behaviour error
set_config osd osd_memory_target "${osd_memory_target}"

# 5. One CRUSH rule per device class, created once the class has an OSD.
ensure_rule() {
  local rule="$1" class="$2" domain="$3"
  if ceph_ osd crush rule ls | grep -qxF "${rule}"; then return 0; fi
  if ! ceph_ osd crush class ls --format json | jq -e --arg c "${class}" 'index($c)' >/dev/null; then
    echo "CRUSH rule ${rule} waits for the first ${class} OSD"
    return 0
  fi
  ceph_ osd crush rule create-replicated "${rule}" default "${domain}" "${class}"
  changed "CRUSH rule ${rule} (${class}, failure domain ${domain})"
}
ensure_rule @crush_rules@

# 6. The RBD pool for the Kubernetes VM disks, on the SSD rule, and its settings kept as declared.
ensure_pool_value() {
  local name="$1" key="$2" want="$3" have
  have="$(ceph_ osd pool get "${name}" "${key}" --format json | jq -r --arg k "${key}" '.[$k]')"
  if [[ "${have}" != "${want}" ]]; then
    ceph_ osd pool set "${name}" "${key}" "${want}"
    changed "pool ${name} ${key} = ${want} (was ${have})"
  fi
}
if ceph_ osd crush rule ls | grep -qxF "${pool_rule}"; then
  if ! ceph_ osd pool ls | grep -qxF "${pool}"; then
    pveceph pool create "${pool}" --size "${pool_size}" --min_size "${pool_min_size}" \
      --crush_rule "${pool_rule}" --application rbd --pg_autoscale_mode on
    changed "pool ${pool} (size ${pool_size}, min_size ${pool_min_size}, rule ${pool_rule})"
  fi
  ensure_pool_value "${pool}" size "${pool_size}"
  ensure_pool_value "${pool}" min_size "${pool_min_size}"
  ensure_pool_value "${pool}" crush_rule "${pool_rule}"
  # The manager's own pool would otherwise use the class-less default rule; a mix of class rules
  # and the default rule gives overlapping roots, and the PG autoscaler then does nothing.
  if ceph_ osd pool ls | grep -qxF .mgr; then
    ensure_pool_value .mgr crush_rule "${pool_rule}"
  fi
else
  echo "pool ${pool} waits for CRUSH rule ${pool_rule}"
fi
