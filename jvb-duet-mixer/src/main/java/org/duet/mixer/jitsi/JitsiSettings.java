package org.duet.mixer.jitsi;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code duet.jitsi { ... }} block: where the bridge's media export connects, the shared
 * secret it must present, and the limits that protect the mixer from a misbehaving peer.
 */
public record JitsiSettings(String host, int port, String secret, Duration pongDelay, Duration reconnectGrace,
                            int maxMessageBytes, int sendQueue, String roomPrefix) {

    public JitsiSettings {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("duet.jitsi.port must be 0..65535, got " + port);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("duet.jitsi.max-message-bytes must be at least 1024");
        }
        if (sendQueue < 1) {
            throw new IllegalArgumentException("duet.jitsi.send-queue must be at least 1");
        }
    }

    public static JitsiSettings from(Config raw) {
        Config c = raw.getConfig("duet.jitsi");
        return new JitsiSettings(c.getString("host"), c.getInt("port"), c.getString("secret"),
                c.getDuration("pong-delay"), c.getDuration("reconnect-grace"), c.getInt("max-message-bytes"),
                c.getInt("send-queue"), c.getString("room-prefix"));
    }

    public JitsiSettings withPort(int newPort) {
        return new JitsiSettings(host, newPort, secret, pongDelay, reconnectGrace, maxMessageBytes, sendQueue, roomPrefix);
    }
}
