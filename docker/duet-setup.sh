#!/usr/bin/env bash
# Creates the Duet XMPP accounts in docker-jitsi-meet's running Prosody (the image's own
# register-setup only knows Jitsi's accounts). Run from the docker-jitsi-meet directory after
# "docker compose ... up -d"; safe to run again (an existing account just gets its password set).
#   <duet>/docker/duet-setup.sh [compose args, e.g. -f docker-compose.yml -f <duet>/docker/duet.yml]
set -euo pipefail
[ -f .env ] || { echo "run this in the docker-jitsi-meet directory (no .env here)" >&2; exit 1; }
value() { sed -n "s/^$1=//p" .env | tail -n1; }
auth_domain=$(value XMPP_AUTH_DOMAIN); auth_domain=${auth_domain:-auth.meet.jitsi}
mixer_user=$(value DUET_MIXER_XMPP_USER); mixer_user=${mixer_user:-duet-mixer}
coord_user=$(value DUET_COORDINATOR_XMPP_USER); coord_user=${coord_user:-duet-coordinator}
mixer_pw=$(value DUET_MIXER_XMPP_PASSWORD); coord_pw=$(value DUET_COORDINATOR_XMPP_PASSWORD)
[ -n "$mixer_pw" ] && [ -n "$coord_pw" ] || { echo "set the passwords first: duet-gen-passwords.sh .env" >&2; exit 1; }
compose=(docker compose "$@")
cfg=/run/prosody/config/prosody.cfg.lua
for pair in "$mixer_user:$mixer_pw" "$coord_user:$coord_pw"; do
  user=${pair%%:*}; pw=${pair#*:}
  # Prosody 13's shell: user:create fails for an existing account, then set the password instead.
  "${compose[@]}" exec -T prosody prosodyctl --config "$cfg" shell user create "$user@$auth_domain" "$pw" \
    || "${compose[@]}" exec -T prosody prosodyctl --config "$cfg" shell user password "$user@$auth_domain" "$pw"
done
echo "Duet accounts ready: $mixer_user@$auth_domain, $coord_user@$auth_domain"
