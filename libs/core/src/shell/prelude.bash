#!/usr/bin/env bash
# The shared prelude of every generated bash script (libs/core/src/shell/render-script.ts copies
# the lines below this comment into each one, after its header). Strict mode, so a failed step
# stops the script; `changed` prints the line the playbook reads to report a task as changed
# (anything else a script prints is only shown); `die` stops with a message on stderr.
set -euo pipefail
changed() { printf 'homelab: changed: %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
