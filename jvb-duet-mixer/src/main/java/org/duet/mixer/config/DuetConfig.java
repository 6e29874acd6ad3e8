package org.duet.mixer.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * Duet's configuration: the {@code duet { ... }} block, Jitsi style (HOCON). Defaults live in
 * {@code reference.conf}, so nothing needs a config file. Typesafe Config is used directly rather
 * than jicoco-config: it is what jicoco-config wraps, and it is one small jar.
 *
 * <p>The engine's own values are read once here and validated; other parts (web, webrtc) read
 * their keys from {@link #raw()}.
 */
public final class DuetConfig {

    private final Config raw;
    private final Duration tick;
    private final int loops;
    private final Duration timelineLength;
    private final Duration reanchorThreshold;
    private final int inboundQueue;
    private final boolean forwardSingleSource;
    private final int maxSingers;
    private final Duration rtcpInterval;

    private DuetConfig(Config raw) {
        this.raw = raw;
        Config mixer = raw.getConfig("duet.mixer");
        this.tick = mixer.getDuration("tick");
        long tickMicros = tick.toNanos() / 1000;
        if (tickMicros != 5_000 && tickMicros != 10_000 && tickMicros != 20_000) {
            throw new IllegalArgumentException("duet.mixer.tick must be 5, 10 or 20 ms, got " + tick.toMillis() + " ms");
        }
        int configuredLoops = mixer.getInt("loops");
        this.loops = configuredLoops > 0 ? configuredLoops : Runtime.getRuntime().availableProcessors();
        this.timelineLength = mixer.getDuration("timeline-length");
        this.reanchorThreshold = mixer.getDuration("reanchor-threshold");
        this.inboundQueue = mixer.getInt("inbound-queue");
        this.forwardSingleSource = mixer.getBoolean("forward-single-source");
        this.maxSingers = raw.getInt("duet.rooms.max-singers");
        this.rtcpInterval = raw.getDuration("duet.rtcp.interval");
        if (inboundQueue < 16) {
            throw new IllegalArgumentException("duet.mixer.inbound-queue must be at least 16");
        }
    }

    /** reference.conf, then application.conf, -Dconfig.file and system properties on top. */
    public static DuetConfig load() {
        ConfigFactory.invalidateCaches();
        return new DuetConfig(ConfigFactory.load());
    }

    /** Defaults with the given HOCON text on top, e.g. {@code "duet.mixer.tick = 20ms"}. */
    public static DuetConfig withOverrides(String hocon) {
        return from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve());
    }

    public static DuetConfig from(Config config) {
        return new DuetConfig(config.withFallback(ConfigFactory.defaultReference()).resolve());
    }

    public Config raw() {
        return raw;
    }

    public Duration tick() {
        return tick;
    }

    /** Samples per channel in one tick at 48 kHz. */
    public int tickSamples() {
        return (int) (tick.toNanos() * 48 / 1_000_000);
    }

    public int loops() {
        return loops;
    }

    public Duration timelineLength() {
        return timelineLength;
    }

    public Duration reanchorThreshold() {
        return reanchorThreshold;
    }

    public int inboundQueue() {
        return inboundQueue;
    }

    /** {@code duet.rooms.max-singers}: singer roles per room. */
    public int maxSingers() {
        return maxSingers;
    }

    /** {@code duet.rtcp.interval}: how often each participant gets RTCP reports. */
    public Duration rtcpInterval() {
        return rtcpInterval;
    }

    public boolean forwardSingleSource() {
        return forwardSingleSource;
    }
}
