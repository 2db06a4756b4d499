#!/bin/sh
set -u
mount_point=@mount_point@
out_dir=@out_dir@
stat_timeout=@stat_timeout@
responsive_metric=@responsive_metric@
last_check_metric=@last_check_metric@
tmp="$out_dir/.nfs-mount.prom.$$"
# A stalled hard NFS mount blocks stat(2); -k sends SIGKILL if SIGTERM is not enough.
if timeout -k 5 "$stat_timeout" stat -t "$mount_point" >/dev/null 2>&1; then responsive=1; else responsive=0; fi
mkdir -p "$out_dir"
{
  echo "# HELP $responsive_metric 1 when stat of the NFS mount point answered within $stat_timeout seconds."
  echo "# TYPE $responsive_metric gauge"
  echo "$responsive_metric{mountpoint=\"$mount_point\"} $responsive"
  echo "# HELP $last_check_metric Unix time the NFS mount check last finished."
  echo "# TYPE $last_check_metric gauge"
  echo "$last_check_metric{mountpoint=\"$mount_point\"} $(date +%s)"
} > "$tmp"
mv "$tmp" "$out_dir/nfs-mount.prom"
