#!/bin/sh
set -eu
dir=@dir@
version=@version@
if [ ! -d "$dir/.git" ]; then
  git clone --branch "$version" --depth 1 @repo@ "$dir.tmp"
  # mailcow.conf was installed by deploy before the clone existed: keep it.
  if [ -f "$dir/mailcow.conf" ]; then cp -p "$dir/mailcow.conf" "$dir.tmp/mailcow.conf"; fi
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
cd "$dir"
if [ "$(git describe --tags --exact-match 2>/dev/null || true)" != "$version" ]; then
  git fetch --depth 1 origin tag "$version"
  git -c advice.detachedHead=false checkout "$version"
fi
ln -sfn mailcow.conf .env
# A self-signed certificate until the open question of mail certificates is settled.
mkdir -p data/assets/ssl
if [ ! -f data/assets/ssl/cert.pem ]; then
  openssl req -x509 -newkey rsa:4096 -sha256 -days 825 -nodes \
    -keyout data/assets/ssl/key.pem -out data/assets/ssl/cert.pem -subj "/CN=$(sed -n 's/^MAILCOW_HOSTNAME=//p' mailcow.conf)"
fi
