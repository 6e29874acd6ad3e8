#!/usr/bin/env bash
# Builds what the local Jitsi stack runs, once, into a cache keyed by the pins:
#   $DUET_CACHE/jitsi-<hash>/{jvb,jicofo}            JVB 2 + Jicofo, stable/jitsi-meet_11146, from source
#   $DUET_CACHE/lib-jitsi-meet-<hash>/lib-jitsi-meet.min.js   the browser library (npm)
# and prints JITSI_DIST=... and LIB_JITSI_MEET=... (logs go to stderr). A second run finds both and
# returns at once.
#
#   build-jitsi.sh [all|jitsi|lib-jitsi-meet] [--print]   (--print: only print the paths, build nothing)
#
# Sources: the shared recipe folder's pristine tarballs when it is next to this checkout
# (../shared/upstream/sources), otherwise a clone of the same commits from GitHub. Dependencies come
# from Maven Central and npm only. What must be patched is in patches/ (written for Duet): an
# API-only stand-in for the JNI library jitsi-dcsctp (SCTP off), the jitsi-xmpp-extensions API of
# 1.0-116 on top of 1.0-113, and pom pins (stock Smack 4.4.8 from Central, jicoco built here).
# A dist built by the shared recipe (~/.cache/jitsi-stack/dist, or $DUET_JITSI_SEED) seeds the cache
# when its BUILD-INFO.txt names the same four commits.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${DUET_CACHE:-$HOME/.cache/duet}
MAVEN_REPO=${MAVEN_REPO:-$HOME/.m2/repository}
WHAT=${1:-all}
PRINT_ONLY=false
[ "${2:-}" = --print ] || [ "${1:-}" = --print ] && PRINT_ONLY=true
[ "$WHAT" = --print ] && WHAT=all

# --- pins ---------------------------------------------------------------------------------------
#     name                  GitHub repo                  commit                                     (tag)
PINS=(
  "jitsi-videobridge     jitsi/jitsi-videobridge     4bb0aead1420ad9832c7e5ee09602e5de6eee951"  # stable/jitsi-meet_11146
  "jicofo                jitsi/jicofo                a595d0bc586c8b0a1c8a43c686c259b77c31a36e"  # stable/jitsi-meet_11146
  "jicoco                jitsi/jicoco                e8384e28bca350e60815e4dcc3afe55ccefd87e8"  # 1.1-176-ge8384e2, JVB's pin
  "jitsi-xmpp-extensions jitsi/jitsi-xmpp-extensions 4281255cb6d2a2be3c8df53fd1ec8233562f3d16"  # 1.0-113 (+ patches/xmpp-extensions-api.py)
)
JICOCO_VERSION=1.1-176-ge8384e2     # what JVB's pom asks for
JICOFO_JICOCO_PIN=1.1-171-gb3b9e1f  # what Jicofo's pom asks for (replaced by the one built here)
XMPPEXT_VERSION=1.0-116-gc47d314    # what both poms ask for (not obtainable; reconstructed on 1.0-113)
SMACK_VERSION=4.4.8                 # stock Smack from Central instead of Jitsi's fork 4.4.8-jitsi-4
DCSCTP_VERSION=1.0-7-gb548df2       # patches/jitsi-dcsctp-stub
LJM_PIN="lib-jitsi-meet jitsi/lib-jitsi-meet f9c1a4368119"   # jitsi-meet_11146
STROPHE_PIN="strophejs jitsi/strophejs 208a89888fe1"          # v1.5-jitsi-3, lib-jitsi-meet's strophe.js fork
RECIPE=2   # bump when the way of building changes

log() { echo "[build-jitsi $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

hash_of() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }
JITSI_KEY=$(hash_of "recipe $RECIPE" "${PINS[@]}" "$JICOCO_VERSION $XMPPEXT_VERSION $SMACK_VERSION $DCSCTP_VERSION" \
  "$(cat "$HERE/patches/xmpp-extensions-api.py" | sha256sum)")
JITSI_DIST=$CACHE/jitsi-$JITSI_KEY
LJM_KEY=$(hash_of "recipe $RECIPE" "$LJM_PIN" "$STROPHE_PIN")
LJM_DIR=$CACHE/lib-jitsi-meet-$LJM_KEY

upstream_dir() {
  local d
  for d in "${DUET_UPSTREAM:-}" "$ROOT/../shared/upstream" "$ROOT/../../shared/upstream"; do
    [ -n "$d" ] && [ -d "$d/sources" ] && { (cd "$d" && pwd); return 0; }
  done
  return 1
}
UPSTREAM=$(upstream_dir || true)

step() { # step NAME LOGFILE COMMAND...   (records wall time; shows the log's tail on failure)
  local name=$1 logfile=$2 t0=$SECONDS; shift 2
  log "$name ... (log: $logfile)"
  "$@" >"$logfile" 2>&1 || { tail -40 "$logfile" >&2; die "$name failed"; }
  echo "$name $((SECONDS - t0)) s" | tee -a "$WORK/timings.txt" >&2
}

get_source() { # get_source NAME REPO COMMIT DEST_PARENT: a fresh tree DEST_PARENT/NAME
  local name=$1 repo=$2 commit=$3 dest=$4 tarball
  rm -rf "${dest:?}/$name"
  mkdir -p "$dest"
  tarball=$(ls "${UPSTREAM:-/nonexistent}/sources/$name-${commit:0:12}".tar.gz 2>/dev/null | head -1 || true)
  if [ -n "$tarball" ]; then
    tar -C "$dest" -xzf "$tarball"
  else
    log "cloning github.com/$repo at $commit"
    git clone -q "https://github.com/$repo.git" "$dest/$name" && git -C "$dest/$name" checkout -q "$commit" \
      || die "cannot get $repo at $commit (no shared sources, no GitHub)"
    rm -rf "$dest/$name/.git"
  fi
}

# --- JVB + Jicofo -------------------------------------------------------------------------------
seed_from_shared() { # the shared recipe's warm dist, if it was built from the same commits
  local seed=${DUET_JITSI_SEED:-$HOME/.cache/jitsi-stack/dist} pin commit
  [ -f "$seed/BUILD-INFO.txt" ] && [ -x "$seed/jvb/jvb.sh" ] && [ -x "$seed/jicofo/jicofo.sh" ] || return 1
  for pin in "${PINS[@]}"; do
    commit=$(awk '{print $3}' <<<"$pin")
    grep -q "$commit" "$seed/BUILD-INFO.txt" || { log "seed $seed: other pins ($commit missing)"; return 1; }
  done
  rm -rf "$JITSI_DIST.tmp"
  mkdir -p "$JITSI_DIST.tmp"
  cp -a "$seed/jvb" "$seed/jicofo" "$JITSI_DIST.tmp/"
  { echo "Seeded $(date -u +%FT%TZ) from $seed (same commits), which says:"; sed 's/^/  /' "$seed/BUILD-INFO.txt"; } \
    >"$JITSI_DIST.tmp/BUILD-INFO.txt"
  mv "$JITSI_DIST.tmp" "$JITSI_DIST"
  log "seeded $JITSI_DIST from $seed"
}

build_jitsi() {
  WORK=$CACHE/jitsi-build
  local src=$WORK/src t_all=$SECONDS pin
  mkdir -p "$src" "$WORK/logs"
  : >"$WORK/timings.txt"
  # Upstream's lint, static-analysis, coverage and doc plugins change nothing that runs; they are
  # skipped (faster, and ktlint refuses the 1.0-116 API added by patches/xmpp-extensions-api.py).
  local mvn=(mvn -B -s "$HERE/patches/maven-settings.xml" -Dmaven.repo.local="$MAVEN_REPO" -Dkotlin.compiler.daemon=false
    -Dktlint.skip=true -Dcheckstyle.skip=true -Dspotbugs.skip=true -Djacoco.skip=true -Ddokka.skip=true
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true)
  for pin in "${PINS[@]}"; do
    # shellcheck disable=SC2086
    get_source $pin "$src"
  done

  # 1. jitsi-dcsctp: API-only stand-in (JVB runs with SCTP off)
  rm -rf "$src/jitsi-dcsctp-stub" && cp -r "$HERE/patches/jitsi-dcsctp-stub" "$src/"
  step dcsctp-stub "$WORK/logs/dcsctp-stub.log" "${mvn[@]}" -f "$src/jitsi-dcsctp-stub/pom.xml" install -DskipTests

  # 2. jicoco at JVB's pin, with stock Smack
  find "$src/jicoco" -name pom.xml -exec sed -i "s#<version>1.1-SNAPSHOT</version>#<version>$JICOCO_VERSION</version>#" {} +
  sed -i "s#<smack.version>4.4.8-jitsi-4</smack.version>#<smack.version>$SMACK_VERSION</smack.version>#" "$src/jicoco/pom.xml"
  step jicoco "$WORK/logs/jicoco.log" "${mvn[@]}" -f "$src/jicoco/pom.xml" install -Dmaven.test.skip=true

  # 3. jitsi-xmpp-extensions 1.0-113 + the 1.0-116 API, installed as 1.0-116-gc47d314
  sed -i "0,/<version>1.0-SNAPSHOT<\/version>/s##<version>$XMPPEXT_VERSION</version>#" "$src/jitsi-xmpp-extensions/pom.xml"
  sed -i "s#<smack.version>4.4.8-jitsi-4</smack.version>#<smack.version>$SMACK_VERSION</smack.version>#" "$src/jitsi-xmpp-extensions/pom.xml"
  python3 "$HERE/patches/xmpp-extensions-api.py" "$src/jitsi-xmpp-extensions" >&2
  step jitsi-xmpp-extensions "$WORK/logs/xmpp-extensions.log" \
    "${mvn[@]}" -f "$src/jitsi-xmpp-extensions/pom.xml" install -Dmaven.test.skip=true

  # 4. JVB, unmodified sources
  step jitsi-videobridge "$WORK/logs/jvb.log" "${mvn[@]}" -f "$src/jitsi-videobridge/pom.xml" package -Dmaven.test.skip=true

  # 5. Jicofo (pom pins only). -DskipTests, not -Dmaven.test.skip: a module needs another's test jar.
  sed -i -e "s#<smack.version>4.4.8-jitsi-4</smack.version>#<smack.version>$SMACK_VERSION</smack.version>#" \
         -e "s#<jicoco.version>$JICOFO_JICOCO_PIN</jicoco.version>#<jicoco.version>$JICOCO_VERSION</jicoco.version>#" \
         "$src/jicofo/pom.xml"
  step jicofo "$WORK/logs/jicofo.log" "${mvn[@]}" -f "$src/jicofo/pom.xml" package -DskipTests

  # 6. the dist
  rm -rf "$JITSI_DIST.tmp" && mkdir -p "$JITSI_DIST.tmp/x"
  unzip -q "$src"/jitsi-videobridge/jvb/target/jitsi-videobridge-*-archive.zip -d "$JITSI_DIST.tmp/x"
  unzip -q "$src"/jicofo/jicofo/target/jicofo-*-archive.zip -d "$JITSI_DIST.tmp/x"
  mv "$JITSI_DIST.tmp"/x/jitsi-videobridge-* "$JITSI_DIST.tmp/jvb"
  mv "$JITSI_DIST.tmp"/x/jicofo-* "$JITSI_DIST.tmp/jicofo"
  rmdir "$JITSI_DIST.tmp/x"
  {
    echo "Built $(date -u +%FT%TZ) on $(nproc) cores in $((SECONDS - t_all)) s by docker/local-stack/build-jitsi.sh"
    echo "Source pins:"; printf '  %s\n' "${PINS[@]}"
    echo "Installed into $MAVEN_REPO: jitsi-dcsctp $DCSCTP_VERSION (stand-in), jicoco $JICOCO_VERSION,"
    echo "  jitsi-xmpp-extensions $XMPPEXT_VERSION (1.0-113 + patches/xmpp-extensions-api.py); Smack $SMACK_VERSION"
    echo "Step timings:"; sed 's/^/  /' "$WORK/timings.txt"
  } >"$JITSI_DIST.tmp/BUILD-INFO.txt"
  mv "$JITSI_DIST.tmp" "$JITSI_DIST"
  rm -rf "$src"
  log "built $JITSI_DIST in $((SECONDS - t_all)) s"
}

# --- lib-jitsi-meet -----------------------------------------------------------------------------
build_ljm() {
  WORK=$CACHE/ljm-build
  local t0=$SECONDS strophe_tgz=""
  mkdir -p "$WORK/logs"
  : >"$WORK/timings.txt"
  command -v npm >/dev/null || die "npm missing (jitsi-stack.sh install-packages)"
  # shellcheck disable=SC2086
  get_source $LJM_PIN "$WORK"
  # lib-jitsi-meet depends on Jitsi's strophe.js fork as a GitHub release tarball. The shared folder has
  # that package built from the fork's source; otherwise npm fetches the release itself.
  if [ -n "$UPSTREAM" ] && [ -f "$UPSTREAM/sources/strophe.js-1.5.0-jitsi-3.tgz" ]; then
    strophe_tgz=$UPSTREAM/sources/strophe.js-1.5.0-jitsi-3.tgz
    sed -i "s#\"strophe.js\": \"https://[^\"]*\"#\"strophe.js\": \"file:$strophe_tgz\"#" "$WORK/lib-jitsi-meet/package.json"
  fi
  step npm-install "$WORK/logs/npm-install.log" \
    bash -c 'cd "$0" && npm install --ignore-scripts --no-audit --no-fund' "$WORK/lib-jitsi-meet"
  step npm-build "$WORK/logs/npm-build.log" bash -c 'cd "$0" && npm run build' "$WORK/lib-jitsi-meet"
  rm -rf "$LJM_DIR.tmp" && mkdir -p "$LJM_DIR.tmp"
  cp "$WORK/lib-jitsi-meet/dist/umd/lib-jitsi-meet.min.js" "$LJM_DIR.tmp/"
  {
    echo "Built $(date -u +%FT%TZ) in $((SECONDS - t0)) s by docker/local-stack/build-jitsi.sh, node $(node -v)"
    echo "Pins: $LJM_PIN; $STROPHE_PIN (${strophe_tgz:-from npm/GitHub})"
    sed 's/^/  /' "$WORK/timings.txt"
  } >"$LJM_DIR.tmp/BUILD-INFO.txt"
  mv "$LJM_DIR.tmp" "$LJM_DIR"
  rm -rf "$WORK/lib-jitsi-meet"
  log "built $LJM_DIR in $((SECONDS - t0)) s"
}

# (re-checked under the lock: a parallel run may have finished it meanwhile)
ensure_jitsi() { [ -x "$JITSI_DIST/jvb/jvb.sh" ] || seed_from_shared || build_jitsi; }
ensure_ljm() { [ -f "$LJM_DIR/lib-jitsi-meet.min.js" ] || build_ljm; }

with_lock() { # one build at a time per cache (parallel test JVMs, two developers' shells)
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.build.lock"
  flock -w 3600 9 || die "another build holds $CACHE/.build.lock for an hour"
  "$@"
  flock -u 9
}

if ! $PRINT_ONLY; then
  case "$WHAT" in
    all|jitsi)
      [ -x "$JITSI_DIST/jvb/jvb.sh" ] || with_lock ensure_jitsi ;;&
    all|lib-jitsi-meet)
      [ -f "$LJM_DIR/lib-jitsi-meet.min.js" ] || with_lock ensure_ljm ;;
    jitsi) ;;
    *) die "usage: build-jitsi.sh [all|jitsi|lib-jitsi-meet] [--print]" ;;
  esac
fi
echo "JITSI_DIST=$JITSI_DIST"
echo "LIB_JITSI_MEET=$LJM_DIR/lib-jitsi-meet.min.js"
