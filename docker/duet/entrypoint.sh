#!/bin/sh
# Starts the Duet mixer or coordinator with /etc/duet/<role>.conf, whose values come from the
# container's environment (docker/duet.yml, docker/duet.env.example).
set -eu
role=${1:-mixer}
case "$role" in
  mixer)
    # Each mixer announces the URL the coordinator reaches it at; with --scale every replica
    # has its own address, so derive it from this container's unless one is given.
    if [ -z "${DUET_MIXER_URL:-}" ]; then
      addr=$(hostname -i | awk '{print $1}')
      DUET_MIXER_URL="ws://${addr}:${DUET_MIXER_PORT:-18770}/translate"
    fi
    DUET_MIXER_ID=${DUET_MIXER_ID:-$(hostname)}
    export DUET_MIXER_URL DUET_MIXER_ID
    # AutoBoxCacheMax: keeps the receive path allocation-free past 127 sockets (docs/performance.md)
    exec java -Xmx"${DUET_MIXER_MAX_MEMORY:-512m}" -XX:AutoBoxCacheMax=65536 -Dconfig.file=/etc/duet/mixer.conf \
      -cp '/opt/duet/lib/*' org.duet.mixer.Main mixer
    ;;
  coordinator)
    exec java -Xmx"${DUET_COORDINATOR_MAX_MEMORY:-256m}" -Dconfig.file=/etc/duet/coordinator.conf \
      -cp '/opt/duet/lib/*' org.duet.coordinator.CoordinatorMain
    ;;
  *)
    exec "$@"
    ;;
esac
