#!/usr/bin/env bash
# Real offline validators the tests run (see docs/validation.md). Installed from Debian.
set -euo pipefail
# ansible-core + openssh-client: deploy's config step, and the real playbook runs against the LXC test host.
PACKAGES=(openssl ansible-core openssh-client)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install as root: apt-get install -y ${missing[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "system tools present: ${PACKAGES[*]}"
