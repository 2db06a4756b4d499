#!/bin/sh
set -eu
vmid=@vmid@
current=$(@tool@ config "$vmid")
changed=0
# want KEY VALUE [prefix]: set KEY unless `config` already shows that value.
want() {
  if [ "${3:-}" = prefix ]; then
    found=$(printf '%s\n' "$current" | awk -v k="$1: $2" 'index($0, k) == 1 && (length($0) == length(k) || substr($0, length(k) + 1, 1) == ",") { print "yes" }')
  else
    found=$(printf '%s\n' "$current" | awk -v k="$1: $2" '$0 == k { print "yes" }')
  fi
  if [ "$found" != yes ]; then
    @tool@ set "$vmid" "--$1" "$2"
    changed=1
  fi
}
want @settings@
if [ "$changed" = 1 ]; then
  if @tool@ status "$vmid" | grep -q 'status: running'; then @tool@ reboot "$vmid"; fi
  echo 'homelab: changed'
fi
