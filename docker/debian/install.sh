#!/usr/bin/env bash
# Builds Duet from this checkout and installs the mixer and the coordinator on a Debian host that
# runs Jitsi from the Debian packages (docs/deploy.md, "Debian"). Run as root from the repository:
#   docker/debian/install.sh
# Installs: /opt/duet/{mixer,coordinator}/lib/*.jar, /opt/duet/web (the duet page), /opt/duet/docs,
# the systemd units, a "duet" system user, and /etc/duet/{mixer,coordinator}.conf when absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
apt-get install -y --no-install-recommends openjdk-17-jre-headless libopus0 maven
mvn -B -q -pl jvb-duet-mixer,jicofo-extension -am -DskipTests package \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
id duet >/dev/null 2>&1 || useradd --system --home-dir /opt/duet --shell /usr/sbin/nologin duet
install -d /opt/duet/mixer/lib /opt/duet/coordinator/lib /opt/duet/docs /etc/duet
rm -f /opt/duet/mixer/lib/*.jar /opt/duet/coordinator/lib/*.jar
cp jvb-duet-mixer/target/lib/*.jar jvb-duet-mixer/target/jvb-duet-mixer-*.jar /opt/duet/mixer/lib/
cp jicofo-extension/target/lib/*.jar jicofo-extension/target/jicofo-extension-*.jar /opt/duet/coordinator/lib/
rm -rf /opt/duet/web && cp -r jitsi-meet-ui/web /opt/duet/web
cp docs/deploy.md /opt/duet/docs/
for f in mixer.conf coordinator.conf; do
  [ -e /etc/duet/$f ] || install -m 0640 -g duet docker/debian/$f /etc/duet/$f
done
cp docker/debian/duet-mixer.service docker/debian/duet-mixer@.service docker/debian/duet-coordinator.service /etc/systemd/system/
systemctl daemon-reload
echo "Installed. Edit /etc/duet/mixer.conf and /etc/duet/coordinator.conf (secret, XMPP passwords), then:"
echo "  systemctl enable --now duet-coordinator duet-mixer"
