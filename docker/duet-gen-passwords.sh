#!/usr/bin/env bash
# Fills the Duet secrets in a docker-jitsi-meet .env (like its gen-passwords.sh): DUET_SECRET and
# the two XMPP passwords, each 32 random hex digits from /dev/urandom. Keeps values already set.
#   docker/duet-gen-passwords.sh [path/to/.env]
set -euo pipefail
env_file=${1:-.env}
[ -f "$env_file" ] || { echo "no such file: $env_file" >&2; exit 1; }
gen() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
for var in DUET_SECRET DUET_MIXER_XMPP_PASSWORD DUET_COORDINATOR_XMPP_PASSWORD; do
  if grep -Eq "^${var}=.+" "$env_file"; then
    continue
  elif grep -Eq "^${var}=$" "$env_file"; then
    sed -i "s/^${var}=\$/${var}=$(gen)/" "$env_file"
  else
    echo "${var}=$(gen)" >> "$env_file"
  fi
done
echo "Duet secrets set in $env_file"
