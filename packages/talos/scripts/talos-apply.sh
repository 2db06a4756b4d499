#!/usr/bin/env bash
#
# Runs on the deploy machine, where the patches beside it are. Idempotent:
# - the cluster secrets are generated once into the state directory and never overwritten;
# - the machine configurations are regenerated from them on every run (same secrets, same patches);
# - a node still in maintenance mode gets its configuration over the insecure maintenance API,
#   a configured node over the authenticated API (identical configuration: no change, no reboot);
# - etcd is bootstrapped once (an already bootstrapped control plane answers AlreadyExists).
# State directory: $TALOS_STATE_DIR, default ~/.local/state/homelab/talos (outside any repository;
# it holds the PKI and the kubeconfig, mode 0700). Needs talosctl (@talos_release@) and kubectl.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly here
readonly cluster_name=@cluster_name@
readonly endpoint=@endpoint@
readonly talos_version=@talos_version@
readonly bootstrap_node=@bootstrap_node@
readonly control_planes=(@control_planes@)
# name=role=ip for every machine.
readonly machines=(@machines@)
readonly metallb_manifest=@metallb_manifest@

for tool in talosctl kubectl git; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} is needed on the deploy machine"
done

state_dir="$(printenv TALOS_STATE_DIR || true)"
state_dir="${state_dir:-$HOME/.local/state/homelab/talos}"
mkdir -p "${state_dir}"
chmod 0700 "${state_dir}"
if git -C "${state_dir}" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  die "${state_dir} is inside a git work tree; the cluster secrets must never be committed. Set TALOS_STATE_DIR elsewhere."
fi
readonly secrets="${state_dir}/secrets.yaml"
readonly out="${state_dir}/config"
readonly talosconfig="${out}/talosconfig"

# 1. Cluster secrets: generated once, never overwritten (talosctl refuses to overwrite without --force).
if [[ ! -e "${secrets}" ]]; then
  talosctl gen secrets --output-file "${secrets}"
  chmod 0600 "${secrets}"
  changed "cluster secrets generated in ${secrets}"
fi

# 2. Base machine configurations from the secrets (patches are applied per node below).
talosctl gen config "${cluster_name}" "${endpoint}" --with-secrets "${secrets}" \
  --talos-version "${talos_version}" --output "${out}" --force >/dev/null
chmod 0600 "${out}"/*.yaml "${talosconfig}"
# talosctl talks to the control planes' own addresses, not the VIP (which needs a healthy etcd).
talosctl --talosconfig "${talosconfig}" config endpoint "${control_planes[@]}"
talosctl --talosconfig "${talosconfig}" config node "${bootstrap_node}"

configured() { talosctl --talosconfig "${talosconfig}" --endpoints "$1" --nodes "$1" version >/dev/null 2>&1; }

wait_for() {
  local what="$1"; shift
  for _ in $(seq 1 60); do
    if "$@"; then return 0; fi
    sleep 10
  done
  die "timed out after 10 minutes waiting for ${what}"
}

# 3. Every machine gets its base configuration plus its own patch.
for machine in "${machines[@]}"; do
  IFS='=' read -r name role ip <<<"${machine}"
  base="${out}/${role}.yaml"
  patch="${here}/patches/${name}.yaml"
  [[ -f "${patch}" ]] || die "no patch for ${name} at ${patch}"
  if configured "${ip}"; then
    talosctl --talosconfig "${talosconfig}" --endpoints "${ip}" --nodes "${ip}" apply-config \
      --file "${base}" --config-patch "@${patch}" --mode auto
  else
    talosctl apply-config --insecure --nodes "${ip}" --file "${base}" --config-patch "@${patch}"
    changed "${name} (${ip}) configured from maintenance mode; it installs Talos and reboots"
  fi
done

# 4. Bootstrap etcd on the first control plane, once.
wait_for "the Talos API of ${bootstrap_node}" configured "${bootstrap_node}"
bootstrap() {
  local output
  if output="$(talosctl --talosconfig "${talosconfig}" --endpoints "${bootstrap_node}" --nodes "${bootstrap_node}" bootstrap 2>&1)"; then
    changed "etcd bootstrapped on ${bootstrap_node}"
    return 0
  fi
  if grep -q 'AlreadyExists' <<<"${output}"; then return 0; fi
  echo "${output}" >&2
  return 1
}
wait_for "etcd bootstrap on ${bootstrap_node}" bootstrap

# 5. Kubeconfig for the API VIP, into the state directory.
talosctl --talosconfig "${talosconfig}" --endpoints "${bootstrap_node}" --nodes "${bootstrap_node}" \
  kubeconfig "${state_dir}/kubeconfig" --force
chmod 0600 "${state_dir}/kubeconfig"
export KUBECONFIG="${state_dir}/kubeconfig"
wait_for "the Kubernetes API at ${endpoint}" kubectl get --raw /readyz

# 6. MetalLB (upstream manifest, pinned), then the layer 2 pool once its webhook answers.
apply() {
  local output
  output="$(kubectl apply "$@")" || return 1
  printf '%s\n' "${output}"
  if grep -qE ' (created|configured)$' <<<"${output}"; then changed "kubectl apply $*"; fi
}
apply -f "${metallb_manifest}"
kubectl -n metallb-system rollout status deployment/controller --timeout=300s
wait_for "the MetalLB webhook" apply -f "${here}/metallb/metallb-l2.yaml"
