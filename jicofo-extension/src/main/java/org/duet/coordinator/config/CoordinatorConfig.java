package org.duet.coordinator.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * The {@code duet-coordinator { ... }} block (HOCON, like Jicofo's {@code jicofo.conf}); defaults in
 * {@code reference.conf}, overrides from {@code -Dconfig.file=...} or single {@code -D} keys.
 */
public record CoordinatorConfig(XmppSettings xmpp, BrewerySettings brewery, FrontSettings front) {

    /** The coordinator's XMPP account (a user of the deployment's auth domain, like focus or jvb). */
    public record XmppSettings(String host, int port, String domain, String username, String password,
                               boolean useTls, boolean disableCertificateVerification, Duration replyTimeout,
                               Duration reconnectDelay) {
    }

    /** The MUC where mixers announce themselves, and how the front weighs them. */
    public record BrewerySettings(String room, String nickname, Duration staleAfter, double conferenceLoad) {
    }

    /** The WebSocket endpoint Jicofo's {@code translation.url-template} points at. */
    public record FrontSettings(String host, int port, String secret, String path, Duration mixerConnectTimeout,
                                Duration retryInterval, int maxInFlight, int maxMessageBytes, Duration pongDelay) {
    }

    /** Loads the application config (system properties, -Dconfig.file, application.conf, reference.conf). */
    public static CoordinatorConfig load() {
        return from(ConfigFactory.load());
    }

    public static CoordinatorConfig from(Config root) {
        Config c = root.withFallback(ConfigFactory.defaultReference()).getConfig("duet-coordinator");
        Config x = c.getConfig("xmpp");
        Config b = c.getConfig("brewery");
        Config f = c.getConfig("front");
        XmppSettings xmpp = new XmppSettings(x.getString("host"), port(x, "port"), x.getString("domain"),
                x.getString("username"), x.getString("password"), x.getBoolean("use-tls"),
                x.getBoolean("disable-certificate-verification"),
                positive(x, "reply-timeout"), positive(x, "reconnect-delay"));
        BrewerySettings brewery = new BrewerySettings(b.getString("room"), b.getString("nickname"),
                positive(b, "stale-after"), b.getDouble("conference-load"));
        String path = f.getString("path");
        if (!path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("duet-coordinator.front.path must start with / and not end with /: " + path);
        }
        FrontSettings front = new FrontSettings(f.getString("host"), port(f, "port"), f.getString("secret"), path,
                positive(f, "mixer-connect-timeout"), positive(f, "retry-interval"), atLeast(f, "max-in-flight", 1),
                atLeast(f, "max-message-bytes", 1024), f.getDuration("pong-delay"));
        return new CoordinatorConfig(xmpp, brewery, front);
    }

    private static int port(Config c, String key) {
        int p = c.getInt(key);
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port out of range: " + key + " = " + p);
        }
        return p;
    }

    private static int atLeast(Config c, String key, int min) {
        int v = c.getInt(key);
        if (v < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ": " + v);
        }
        return v;
    }

    private static Duration positive(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive: " + d);
        }
        return d;
    }
}
