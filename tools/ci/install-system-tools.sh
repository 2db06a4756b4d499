#!/usr/bin/env bash
# Real offline validators the tests and `homelab validate` run (see docs/validation.md). Installed from Debian.
set -euo pipefail
# ansible-core + openssh-client: deploy's config step, and the real playbook runs against the LXC test host.
# The validators of `homelab validate` (docs/validation.md): ansible-lint, promtool (prometheus),
# amtool (prometheus-alertmanager), nginx -t, wg (wireguard-tools), shellcheck, systemd-analyze (systemd).
# dnsmasq-base: packages/pxe's `dnsmasq --test`. openssl: the PVE client test. curl + xz-utils: the script
# bootstrap runs on a node to fetch and unpack an xz image (run for real in its test). Terraform is not in Debian:
# `homelab validate` needs terraform or tofu on PATH (CI fails without it).
PACKAGES=(openssl curl xz-utils ansible-core openssh-client ansible-lint prometheus prometheus-alertmanager nginx wireguard-tools shellcheck systemd dnsmasq-base)
# Packages that ship a daemon Debian would start on install; only their validators are wanted here.
declare -A DAEMON_OF=([nginx]=nginx.service [prometheus]=prometheus.service [prometheus-alertmanager]=prometheus-alertmanager.service)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install as root: apt-get install -y ${missing[*]}" >&2; exit 1; fi
  # invoke-rc.d and deb-systemd-invoke ask policy-rc.d before starting a service: 101 = do not start.
  # (Docker images ship one already; it is left alone.)
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# tools/ci/install-system-tools.sh: no daemon starts during this install\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Under systemd the units are still enabled (they would start at the next boot): disable and stop
  # the ones this run installed. Without systemd (containers) there is nothing to disable.
  if [ -d /run/systemd/system ]; then
    for p in "${missing[@]}"; do
      unit=${DAEMON_OF[$p]:-}
      if [ -n "$unit" ]; then systemctl disable --now "$unit" >/dev/null 2>&1 || true; fi
    done
  fi
fi
echo "system tools present: ${PACKAGES[*]}"
