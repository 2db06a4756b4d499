#!/usr/bin/env bash
# A real test host for the deploy tests: a Debian bookworm LXC container on a private bridge of
# its own (labbr0, 10.77.0.1/24; the container is 10.77.0.11), reachable over SSH with a key kept
# outside the repository. No NAT and no forwarding: the container reaches only this machine.
#
#   tools/ci/lxc-test-host.sh up        create (if absent) and start, wait for SSH  (the default)
#   tools/ci/lxc-test-host.sh create    install lxc/debootstrap/ansible, bridge, container, key
#   tools/ci/lxc-test-host.sh start     start the container and wait for SSH
#   tools/ci/lxc-test-host.sh stop      stop the container (kept, so the next start is quick)
#   tools/ci/lxc-test-host.sh destroy   stop and destroy the container, remove the bridge
#   tools/ci/lxc-test-host.sh status    print state and the env the tests read
#   tools/ci/lxc-test-host.sh reset     destroy and create again (fresh files for a first run)
#
# Idempotent: every step checks before it changes anything. Needs root. Timings on the CI machine:
# first create about 45 s (debootstrap fills /var/cache/lxc), later creates about 7 s (cached).
# The tests read HOMELAB_TEST_HOST (the address) and HOMELAB_TEST_SSH_KEY (the private key);
# .ci/run exports them only when `up` succeeded.
set -euo pipefail

NAME=${HOMELAB_TEST_CT:-homelab-test}
BRIDGE=${HOMELAB_TEST_BRIDGE:-labbr0}
HOST_ADDR=10.77.0.1
CT_ADDR=${HOMELAB_TEST_HOST_ADDR:-10.77.0.11}
KEY_DIR=${HOMELAB_TEST_KEY_DIR:-/var/lib/homelab-test-host}
KEY="$KEY_DIR/id_ed25519"
CT_DIR=/var/lib/lxc/$NAME
SSH_OPTS=(-i "$KEY" -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)

log() { printf '[lxc-test-host] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (it creates a bridge and an LXC container)"; }

install_tools() {
  # distro-info: the debian template needs debian-distro-info to name bookworm-security; without it
  # apt inside the new rootfs fails and --packages (python3) is silently not installed.
  local pkgs=(lxc lxc-templates debootstrap distro-info ansible-core openssh-client rsync) missing=()
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    log "bridge $BRIDGE $HOST_ADDR/24"
    ip link add "$BRIDGE" type bridge
  fi
  ip -4 addr show dev "$BRIDGE" | grep -q "inet $HOST_ADDR/24" || ip addr add "$HOST_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

ensure_key() {
  mkdir -p "$KEY_DIR"
  chmod 700 "$KEY_DIR"
  [ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C homelab-test-host -f "$KEY"
}

exists() { [ -f "$CT_DIR/config" ] && [ -d "$CT_DIR/rootfs" ]; }
running() { lxc-info -n "$NAME" -s 2>/dev/null | grep -q RUNNING; }

create() {
  need_root
  local t0; t0=$(now)
  install_tools
  ensure_bridge
  ensure_key
  if ! exists; then
    local conf; conf=$(mktemp)
    # Our own config rather than /etc/lxc/default.conf: no lxcbr0, no DHCP, a static address.
    cat >"$conf" <<EOF
lxc.net.0.type = veth
lxc.net.0.link = $BRIDGE
lxc.net.0.flags = up
lxc.net.0.ipv4.address = $CT_ADDR/24 ${CT_ADDR%.*}.255
lxc.net.0.ipv4.gateway = $HOST_ADDR
lxc.apparmor.profile = unconfined
EOF
    log "lxc-create $NAME (debian bookworm, openssh-server + python3)"
    local t1; t1=$(now)
    lxc-create -n "$NAME" -t debian -f "$conf" -- -r bookworm --packages=openssh-server,python3 >/tmp/lxc-create-"$NAME".log 2>&1 \
      || { tail -20 /tmp/lxc-create-"$NAME".log >&2; rm -f "$conf"; die "lxc-create failed (log: /tmp/lxc-create-$NAME.log)"; }
    rm -f "$conf"
    log "lxc-create took $(since "$t1") s"
  fi
  [ -x "$CT_DIR/rootfs/usr/bin/python3" ] && [ -x "$CT_DIR/rootfs/usr/sbin/sshd" ] \
    || die "$NAME has no python3 or sshd (apt inside lxc-create failed; see /tmp/lxc-create-$NAME.log). Run '$0 reset'."
  # The LXC config assigns the address: without this, ifupdown waits for DHCP forever and
  # network.target (so sshd) never starts.
  sed -i 's/iface eth0 inet dhcp/iface eth0 inet manual/' "$CT_DIR/rootfs/etc/network/interfaces"
  install -d -m 700 "$CT_DIR/rootfs/root/.ssh"
  install -m 600 "$KEY.pub" "$CT_DIR/rootfs/root/.ssh/authorized_keys"
  log "create done in $(since "$t0") s"
}

wait_ssh() {
  local deadline=$(( $(date +%s) + ${HOMELAB_TEST_SSH_WAIT:-60} ))
  until ssh "${SSH_OPTS[@]}" "root@$CT_ADDR" true 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "no SSH on $CT_ADDR after ${HOMELAB_TEST_SSH_WAIT:-60} s (lxc-info: $(lxc-info -n "$NAME" -s 2>&1))"
    sleep 1
  done
}

start() {
  need_root
  exists || die "container $NAME does not exist: run '$0 create' first"
  ensure_bridge
  local t0; t0=$(now)
  running || lxc-start -n "$NAME"
  wait_ssh
  log "$NAME running, SSH answers on $CT_ADDR (start took $(since "$t0") s)"
}

stop() {
  need_root
  if exists && running; then lxc-stop -n "$NAME" -t 10 || lxc-stop -n "$NAME" -k; fi
  log "$NAME stopped"
}

destroy() {
  need_root
  if exists; then
    running && { lxc-stop -n "$NAME" -t 10 || lxc-stop -n "$NAME" -k; }
    lxc-destroy -n "$NAME"
  fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
  log "$NAME destroyed, bridge $BRIDGE removed (key kept in $KEY_DIR; the debootstrap cache stays in /var/cache/lxc)"
}

status() {
  if exists; then log "$NAME: $(lxc-info -n "$NAME" -s 2>/dev/null | awk '{print $2}')"; else log "$NAME: absent"; fi
  echo "HOMELAB_TEST_HOST=$CT_ADDR"
  echo "HOMELAB_TEST_SSH_KEY=$KEY"
}

case "${1:-up}" in
  up) t0=$(now); create; start; log "up in $(since "$t0") s"; status ;;
  create) create ;;
  start) start ;;
  stop) stop ;;
  destroy) destroy ;;
  reset) destroy; create; start ;;
  status) status ;;
  *) die "unknown command ${1}: use up | create | start | stop | destroy | reset | status" ;;
esac
