#!/usr/bin/env bash
# Duet's local Jitsi stack without Docker: Prosody 13 with Jitsi's own plugins, JVB 2 and Jicofo
# (stable/jitsi-meet_11146, built from source), on loopback or inside a network namespace.
#
#   jitsi-stack.sh [options] build            build JVB + Jicofo + lib-jitsi-meet into the cache (skipped when cached)
#   jitsi-stack.sh [options] start prosody    Prosody only (accounts registered, components loaded)
#   jitsi-stack.sh [options] start            Prosody + JVB + Jicofo, waits until all are healthy
#   jitsi-stack.sh [options] check            health of what runs (JVB, Jicofo, bridge in the brewery)
#   jitsi-stack.sh [options] stop             stops what start started, by the PID files in the run dir
#   jitsi-stack.sh [options] env              KEY=VALUE lines for clients: addresses, accounts, secret, paths
#   jitsi-stack.sh install-packages           Debian packages the stack needs (Prosody 13 from bookworm-backports)
#   jitsi-stack.sh netns-up [NAME] [ADDR]     network namespace with a veth pair (both ends inside), ADDR/24, no route out
#   jitsi-stack.sh netns-down [NAME]
#
# Options (or environment): --address A (DUET_STACK_ADDRESS, default 127.0.0.1; inside a namespace
# its veth address, e.g. 10.77.0.1), --netns NAME (DUET_NETNS: start every process and check
# inside it), --run-dir DIR (DUET_STACK_RUN, default /tmp/duet-jitsi-stack; Prosody runs as the
# prosody user, so not under /root), DUET_CACHE (default ~/.cache/duet), DUET_SECRET (the bridge's
# bearer secret; default: generated once per run dir), DUET_TRANSLATION_URL (default
# ws://ADDRESS:18765/translate/{{MEETING_ID}}, the Duet front), DUET_TRANSLATION_MODE
# (single-bridge | per-source), START_TIMEOUT (seconds, default 180).
# Ports and names: docs/local-stack.md (the contract is /work/coord/JITSI.md for the developers).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

ADDRESS=${DUET_STACK_ADDRESS:-127.0.0.1}
NETNS=${DUET_NETNS:-}
RUN=${DUET_STACK_RUN:-/tmp/duet-jitsi-stack}
SECRET_FROM_ENV=${DUET_SECRET:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --address) ADDRESS=$2; shift 2 ;;
    --netns) NETNS=$2; shift 2 ;;
    --run-dir) RUN=$2; shift 2 ;;
    *) break ;;
  esac
done

CACHE=${DUET_CACHE:-$HOME/.cache/duet}
DOMAIN=meet.jitsi
AUTH_DOMAIN=auth.$DOMAIN
MUC_DOMAIN=muc.$DOMAIN
INTERNAL_MUC_DOMAIN=internal-muc.$DOMAIN
METADATA_DOMAIN=metadata.$DOMAIN
TRANSLATION_DOMAIN=audiotranslation.$DOMAIN
XMPP_PORT=15222
HTTP_PORT=15280
JVB_PRIVATE_PORT=18080
JVB_PUBLIC_PORT=18443
JVB_UDP_PORT=10000
JICOFO_REST_PORT=18888
FRONT_PORT=18765
TRANSLATION_URL=${DUET_TRANSLATION_URL:-ws://$ADDRESS:$FRONT_PORT/translate/{{MEETING_ID}}}
TRANSLATION_MODE=${DUET_TRANSLATION_MODE:-single-bridge}
JVB_XMX=${JVB_XMX:-768m}
JICOFO_XMX=${JICOFO_XMX:-512m}
START_TIMEOUT=${START_TIMEOUT:-180}
PIDS=$RUN/pids
LOGS=$RUN/logs

log() { echo "[jitsi-stack $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- where upstream things come from -----------------------------------------------------------
# The shared recipe folder (source tarballs, Jitsi's Prosody plugins) when this checkout sits next
# to it; otherwise everything is fetched from GitHub at the pinned commits.
upstream_dir() {
  local d
  for d in "${DUET_UPSTREAM:-}" "$ROOT/../shared/upstream" "$ROOT/../../shared/upstream"; do
    [ -n "$d" ] && [ -d "$d/sources" ] && { (cd "$d" && pwd); return 0; }
  done
  return 1
}

# --- running things inside the namespace (or not) ----------------------------------------------
in_ns() { if [ -n "$NETNS" ]; then ip netns exec "$NETNS" "$@"; else "$@"; fi; }

port_open() { in_ns bash -c "exec 3<>/dev/tcp/$ADDRESS/$1" 2>/dev/null; }

http_code() { in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...   (bounded; polls every 0.5 s)
  local t=$1 what=$2 t0=$SECONDS; shift 2
  until "$@"; do
    [ $((SECONDS - t0)) -lt "$t" ] || { log "timeout after ${t}s waiting for $what"; return 1; }
    sleep 0.5
  done
  log "ok after $((SECONDS - t0))s: $what"
}

start_bg() { # start_bg NAME LOGFILE COMMAND...   (the command execs, so $! is the service's PID)
  local name=$1 logfile=$2; shift 2
  [ -z "$NETNS" ] || set -- ip netns exec "$NETNS" "$@"
  "$@" >"$logfile" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
  log "started $name (pid $!), log: $logfile"
}

running() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

stop_one() { # stop_one NAME: TERM, up to 10 s, then KILL
  local f=$PIDS/$1.pid pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$1 (pid $pid) did not exit in 10 s, sending KILL"; kill -9 "$pid" 2>/dev/null || true
    fi
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}

# --- secrets and configs -----------------------------------------------------------------------
random_word() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'; }

load_secrets() {
  mkdir -p "$RUN"
  if [ ! -f "$RUN/secrets" ]; then
    (umask 077; cat >"$RUN/secrets" <<EOF
FOCUS_PASS=$(random_word)
JVB_PASS=$(random_word)
MIXER_PASS=$(random_word)
COORDINATOR_PASS=$(random_word)
DUET_SECRET=${DUET_SECRET:-$(random_word)}
EOF
    )
  fi
  # shellcheck disable=SC1091
  . "$RUN/secrets"
  [ -z "$SECRET_FROM_ENV" ] || DUET_SECRET=$SECRET_FROM_ENV
}

ice_address() { # ice4j never harvests loopback: on 127.0.0.1 use this host's first global IPv4
  if [[ $ADDRESS == 127.* ]]; then
    local a
    a=$(ip -4 -o addr show scope global 2>/dev/null | awk '{split($4,x,"/"); print x[1]; exit}')
    [ -n "$a" ] || die "no global IPv4 address for the bridge's ICE harvester; use a network namespace (netns-up)"
    echo "$a"
  else
    echo "$ADDRESS"
  fi
}

render() { # render TEMPLATE OUT   (replaces @NAME@ with the shell variable NAME)
  local text name
  text=$(cat "$1")
  for name in RUN ADDRESS DOMAIN AUTH_DOMAIN MUC_DOMAIN INTERNAL_MUC_DOMAIN METADATA_DOMAIN TRANSLATION_DOMAIN \
              XMPP_PORT HTTP_PORT JVB_PRIVATE_PORT JVB_PUBLIC_PORT JVB_UDP_PORT JICOFO_REST_PORT ICE_ADDRESS \
              TRANSLATION_URL TRANSLATION_MODE DUET_SECRET FOCUS_PASS JVB_PASS; do
    text=${text//@$name@/${!name:-}}
  done
  printf '%s\n' "$text" >"$2"
}

# --- Prosody -----------------------------------------------------------------------------------
# Jitsi's own Prosody plugins (jitsi-meet resources/prosody-plugins) at the commits in
# prosody-plugins/PINS, plus Duet's helper util.lib.lua (written here).
install_plugins() {
  local dest=$RUN/prosody/plugins up file commit upstream_name cached
  mkdir -p "$dest" "$CACHE/prosody-plugins"
  up=$(upstream_dir || true)
  while read -r file commit upstream_name; do
    case "$file" in ''|'#'*) continue ;; esac
    cached=$CACHE/prosody-plugins/${commit:0:12}-$file
    if [ ! -s "$cached" ]; then
      if [ -n "$up" ] && [ -f "$up/prosody-plugins-jitsi/$file" ]; then
        cp "$up/prosody-plugins-jitsi/$file" "$cached.tmp"
      else
        curl -fsSL --max-time 60 -o "$cached.tmp" \
          "https://raw.githubusercontent.com/jitsi/jitsi-meet/$commit/resources/prosody-plugins/$upstream_name" \
          || die "cannot get $upstream_name @ $commit (no shared recipe folder, no GitHub)"
      fi
      mv "$cached.tmp" "$cached"
    fi
    install -m 644 "$cached" "$dest/$file"
  done <"$HERE/prosody-plugins/PINS"
  install -m 644 "$HERE/prosody-plugins/util.lib.lua" "$dest/util.lib.lua"
}

prosodyctl_as_prosody() {
  setpriv --reuid=prosody --regid=prosody --init-groups prosodyctl --config "$RUN/prosody/prosody.cfg.lua" "$@"
}

start_prosody() {
  command -v prosody >/dev/null || die "prosody not installed (./duet test installs Prosody 13 from bookworm-backports)"
  local v
  v=$(dpkg-query -W -f='${Version}' prosody 2>/dev/null || true)
  [[ $v == 13* ]] || die "Prosody 13 required (have '${v:-none}'): apt-get install -t bookworm-backports prosody"
  id prosody >/dev/null 2>&1 || die "no 'prosody' user (it comes with the Debian package)"
  running prosody && { log "prosody already running (pid $(cat "$PIDS/prosody.pid"))"; return 0; }
  local p
  for p in $XMPP_PORT $HTTP_PORT; do ! port_open "$p" || die "port $ADDRESS:$p already in use"; done
  mkdir -p "$RUN"/prosody/{data,certs} "$PIDS" "$LOGS"
  chmod 755 "$RUN"
  load_secrets
  install_plugins
  render "$HERE/prosody.cfg.lua.in" "$RUN/prosody/prosody.cfg.lua"
  # Prosody refuses to run as root: it runs as the prosody user and owns its own folders.
  touch "$LOGS/prosody.log"
  chown -R prosody:prosody "$RUN/prosody" "$LOGS/prosody.log"
  local user pass
  for user in focus jvb duet-mixer duet-coordinator; do
    case $user in
      focus) pass=$FOCUS_PASS ;; jvb) pass=$JVB_PASS ;;
      duet-mixer) pass=$MIXER_PASS ;; duet-coordinator) pass=$COORDINATOR_PASS ;;
    esac
    prosodyctl_as_prosody register "$user" "$AUTH_DOMAIN" "$pass" >/dev/null 2>&1 \
      || die "prosodyctl register $user@$AUTH_DOMAIN failed"
  done
  # Jitsi's components advertise themselves (disco identities, through features_identity) when the
  # main host activates. With the pinned util.lib.lua they could do so before the main host had
  # loaded features_identity (equal-priority 'host-activated' handlers run in no fixed order) and an
  # identity was lost in 3 of 10 starts (room_metadata: Jicofo then never read the duet's requests).
  # Our util.lib.lua waits at a lower priority (prosody-plugins/util.lib.lua: 25 of 25 starts had
  # both); starting again until both are there stays as the safety net.
  local attempt from
  for attempt in 1 2 3; do
    from=$(wc -l < "$LOGS/prosody.log")
    start_bg prosody "$LOGS/prosody.stdout" \
      setpriv --reuid=prosody --regid=prosody --init-groups prosody -F --config "$RUN/prosody/prosody.cfg.lua"
    wait_for 30 "prosody c2s on $ADDRESS:$XMPP_PORT" port_open "$XMPP_PORT" \
      && wait_for 30 "prosody http (xmpp-websocket) on $ADDRESS:$HTTP_PORT" port_open "$HTTP_PORT" \
      || { tail -20 "$LOGS/prosody.log" "$LOGS/prosody.stdout" >&2; die "prosody did not start"; }
    if tail -n "+$((from + 1))" "$LOGS/prosody.log" | grep -E "error|Failed to load" | grep -v "lua-unbound" >&2; then
      die "prosody logged errors (above; full log $LOGS/prosody.log)"
    fi
    wait_for 5 "prosody advertises the room_metadata and audio-translation components" \
      identities_advertised "$from" && return 0
    log "prosody lost a component's identity at start (attempt $attempt): starting it again"
    stop_one prosody
  done
  die "prosody did not advertise both components after 3 starts (log $LOGS/prosody.log)"
}

identities_advertised() { # identities_advertised FROM_LINE: both identities logged since that line
  local since
  since=$(tail -n "+$(($1 + 1))" "$LOGS/prosody.log")
  grep -q "Adding identity room_metadata" <<<"$since" && grep -q "Adding identity audio-translation" <<<"$since"
}

# --- JVB + Jicofo ------------------------------------------------------------------------------
start_jitsi() {
  local dist
  # DUET_NO_BUILD=1 (the end-to-end test, inside a namespace without network): use the cache or fail
  dist=$("$HERE/build-jitsi.sh" jitsi ${DUET_NO_BUILD:+--print} | sed -n 's/^JITSI_DIST=//p') || die "build failed"
  [ -x "$dist/jvb/jvb.sh" ] && [ -x "$dist/jicofo/jicofo.sh" ] || die "no JVB/Jicofo in $dist"
  local p
  for p in $JVB_PRIVATE_PORT $JVB_PUBLIC_PORT $JICOFO_REST_PORT; do
    running jvb || running jicofo || ! port_open "$p" || die "port $ADDRESS:$p already in use"
  done
  load_secrets
  ICE_ADDRESS=$(ice_address)
  mkdir -p "$RUN"/{jvb,jicofo}
  render "$HERE/jvb.conf.in" "$RUN/jvb/jvb.conf"
  render "$HERE/jicofo.conf.in" "$RUN/jicofo/jicofo.conf"
  chmod 600 "$RUN/jvb/jvb.conf" "$RUN/jicofo/jicofo.conf"
  running jvb || start_bg jvb "$LOGS/jvb.log" env VIDEOBRIDGE_MAX_MEMORY="$JVB_XMX" \
    JAVA_SYS_PROPS="-Dconfig.file=$RUN/jvb/jvb.conf -Djava.io.tmpdir=$RUN/jvb" "$dist/jvb/jvb.sh"
  running jicofo || start_bg jicofo "$LOGS/jicofo.log" env JICOFO_MAX_MEMORY="$JICOFO_XMX" \
    JAVA_SYS_PROPS="-Dconfig.file=$RUN/jicofo/jicofo.conf -Djava.io.tmpdir=$RUN/jicofo" "$dist/jicofo/jicofo.sh"
}

# alive NAME COMMAND...: COMMAND's result, but gives up at once (exit 1) when NAME's process has died
alive() {
  local name=$1; shift
  running "$name" || { tail -25 "$LOGS/$name.log" >&2 2>/dev/null; die "$name exited (log: $LOGS/$name.log)"; }
  "$@"
}

bridge_in_brewery() { # Jicofo's /stats counts at least one operational bridge
  in_ns curl -s --max-time 5 "http://$ADDRESS:$JICOFO_REST_PORT/stats" 2>/dev/null \
    | grep -Eq '"operational_bridge_count" *: *[1-9]'
}

check() {
  local t=${1:-30} rc=0
  running prosody || { log "prosody is not running"; return 1; }
  wait_for "$t" "prosody c2s on $ADDRESS:$XMPP_PORT" port_open "$XMPP_PORT" || rc=1
  if [ -f "$PIDS/jvb.pid" ] || [ -f "$PIDS/jicofo.pid" ]; then
    wait_for "$t" "JVB /about/health" alive jvb \
      eval '[ "$(http_code "http://$ADDRESS:$JVB_PRIVATE_PORT/about/health")" = 200 ]' || rc=1
    wait_for "$t" "Jicofo /about/health" alive jicofo \
      eval '[ "$(http_code "http://$ADDRESS:$JICOFO_REST_PORT/about/health")" = 200 ]' || rc=1
    wait_for "$t" "the bridge joined jvbbrewery (Jicofo sees an operational bridge)" alive jvb bridge_in_brewery || rc=1
  fi
  return $rc
}

# --- system packages (Debian; ./duet test calls this) -------------------------------------------
# Prosody 13 is in bookworm-backports (bookworm itself has 0.12, too old for Jitsi's 2026 plugins).
install_packages() {
  local missing=() p suite_file=/etc/apt/sources.list.d/bookworm-backports.list
  for p in curl iproute2 util-linux git python3 unzip; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  command -v npm >/dev/null || missing+=(nodejs npm)
  local have_prosody
  have_prosody=$(dpkg-query -W -f='${Version}' prosody 2>/dev/null || true)
  if [ ${#missing[@]} -eq 0 ] && [[ $have_prosody == 13* ]]; then return 0; fi
  local apt=(apt-get) ; [ "$(id -u)" = 0 ] || apt=(sudo apt-get)
  if [[ $have_prosody != 13* ]] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding the Debian bookworm-backports suite ($suite_file)"
    if [ "$(id -u)" = 0 ]; then tee_=(tee); else tee_=(sudo tee); fi
    echo "deb http://deb.debian.org/debian bookworm-backports main" | "${tee_[@]}" "$suite_file" >/dev/null
  fi
  log "installing: ${missing[*]} ${have_prosody:+(prosody $have_prosody -> 13)}"
  "${apt[@]}" update -qq >/dev/null
  [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [[ $have_prosody == 13* ]] || DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends \
    -t bookworm-backports prosody >/dev/null
  # the Debian package starts a system-wide Prosody on 5222/5280; the stack runs its own instance
  if command -v systemctl >/dev/null && systemctl is-active -q prosody 2>/dev/null; then systemctl stop prosody || true
  elif [ -x /etc/init.d/prosody ]; then /etc/init.d/prosody stop >/dev/null 2>&1 || true; fi
}

# --- the network namespace ---------------------------------------------------------------------
netns_up() { # a namespace with a veth pair whose both ends are inside: ADDR/24 on one end, no route out
  local name=${1:-duet} addr=${2:-10.77.0.1}
  if ! ip netns list | grep -qw "^$name"; then
    ip netns add "$name"
  fi
  ip netns exec "$name" ip link set lo up
  if ! ip netns exec "$name" ip link show dv0 >/dev/null 2>&1; then
    ip netns exec "$name" ip link add dv0 type veth peer name dv1
  fi
  ip netns exec "$name" ip addr replace "$addr/24" dev dv0
  ip netns exec "$name" ip link set dv1 up
  ip netns exec "$name" ip link set dv0 up
  log "network namespace $name: $addr/24 on dv0 (veth dv0-dv1 inside, no route out)"
}

netns_down() { local name=${1:-duet}; ip netns del "$name" 2>/dev/null || true; log "network namespace $name removed"; }

env_lines() {
  load_secrets
  cat <<EOF
DUET_STACK_RUN=$RUN
DUET_STACK_ADDRESS=$ADDRESS
DUET_NETNS=$NETNS
XMPP_HOST=$ADDRESS
XMPP_PORT=$XMPP_PORT
XMPP_WEBSOCKET=ws://$ADDRESS:$HTTP_PORT/xmpp-websocket
XMPP_DOMAIN=$DOMAIN
AUTH_DOMAIN=$AUTH_DOMAIN
MUC_DOMAIN=$MUC_DOMAIN
INTERNAL_MUC_DOMAIN=$INTERNAL_MUC_DOMAIN
METADATA_DOMAIN=$METADATA_DOMAIN
TRANSLATION_DOMAIN=$TRANSLATION_DOMAIN
MIXER_USER=duet-mixer
MIXER_PASS=$MIXER_PASS
COORDINATOR_USER=duet-coordinator
COORDINATOR_PASS=$COORDINATOR_PASS
DUET_SECRET=$DUET_SECRET
TRANSLATION_URL=$TRANSLATION_URL
JVB_PRIVATE_URL=http://$ADDRESS:$JVB_PRIVATE_PORT
JICOFO_REST_URL=http://$ADDRESS:$JICOFO_REST_PORT
EOF
  "$HERE/build-jitsi.sh" --print
}

cmd=${1:-help}
shift || true
case "$cmd" in
  build) "$HERE/build-jitsi.sh" "$@" ;;
  start)
    mkdir -p "$PIDS" "$LOGS"
    t0=$SECONDS
    start_prosody
    if [ "${1:-all}" != prosody ]; then
      start_jitsi
      check "$START_TIMEOUT" || { tail -15 "$LOGS/jvb.log" "$LOGS/jicofo.log" >&2; die "stack not healthy"; }
    fi
    log "started in $((SECONDS - t0)) s"
    ;;
  check) check "${1:-10}" ;;
  stop) for name in jicofo jvb prosody; do stop_one "$name"; done ;;
  env) env_lines ;;
  install-packages) install_packages ;;
  netns-up) netns_up "$@" ;;
  netns-down) netns_down "$@" ;;
  *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; [ "$cmd" = help ] || exit 2 ;;
esac
