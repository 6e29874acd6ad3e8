package org.duet.mixer.jitsi.brewery;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Duration;

/**
 * {@code duet.jitsi.brewery { ... }}: the XMPP account the mixer logs in with, the brewery MUC it
 * joins, and what it announces there (its id and the URL the coordinator reaches it at).
 *
 * @param advertisedUrl empty: derived from the Jitsi endpoint's own address
 */
public record BrewerySettings(boolean enabled, String xmppHost, int xmppPort, String domain, String username,
                              String password, String mucJid, String nickname, String advertisedUrl,
                              Duration refresh, Duration reconnectDelay, boolean requireTls) {

    public static BrewerySettings from(Config raw) {
        Config c = raw.getConfig("duet.jitsi.brewery");
        return new BrewerySettings(c.getBoolean("enabled"), c.getString("xmpp-host"), c.getInt("xmpp-port"),
                c.getString("domain"), c.getString("username"), c.getString("password"), c.getString("muc-jid"),
                c.getString("nickname"), c.getString("advertised-url"), c.getDuration("refresh"),
                c.getDuration("reconnect-delay"), c.getBoolean("require-tls"));
    }

    /** The mixer id: the nickname, or the host name when none is configured. */
    public String mixerId() {
        if (!nickname.isBlank()) {
            return nickname;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "duet-mixer";
        }
    }

    /** The URL announced: {@code advertised-url}, else the endpoint's own {@code ws://host:port/translate}. */
    public URI urlFor(URI endpoint) {
        return advertisedUrl.isBlank() ? endpoint : URI.create(advertisedUrl);
    }
}
