#!/usr/bin/env bash
# Idempotent: checks /etc/pve/storage.cfg (through the API) before adding or changing anything.
# Prints "homelab: changed: ..." for every change, which the playbook reports as changed.

readonly storage_id=@storage_id@
readonly pool=@pool@
readonly content='images'
readonly nodes=@nodes@

for tool in pvesh pvesm jq; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing on $(hostname); this runs on a Proxmox VE node"
done

# The RBD storage of the hyperconverged Ceph cluster (no monhost: Proxmox reads /etc/pve/ceph.conf).
# Defining it before the ceph package has created the pool is harmless: the storage reports
# inactive until the pool exists.
if current="$(pvesh get "/storage/${storage_id}" --output-format json 2>/dev/null)"; then
  have="$(jq -r '[.type, .pool, .content, ((.krbd // 0) | tostring), ((.nodes // "") | split(",") | sort | join(","))] | join(" ")' <<<"${current}")"
  want="rbd ${pool} ${content} 0 ${nodes}"
  if [[ "${have}" != "${want}" ]]; then
    pvesm set "${storage_id}" --pool "${pool}" --content "${content}" --krbd 0 --nodes "${nodes}"
    changed "storage ${storage_id} updated (was: ${have})"
  fi
else
  pvesm add rbd "${storage_id}" --pool "${pool}" --content "${content}" --krbd 0 --nodes "${nodes}"
  changed "storage ${storage_id} added"
fi
