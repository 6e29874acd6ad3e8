package org.duet.mixer.session;

import com.typesafe.config.Config;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.engine.CodecMeter;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.input.VoiceInput;
import org.duet.mixer.jitter.JitterBuffer;
import org.duet.mixer.jitter.JitterBufferConfig;
import org.duet.mixer.mix.PlayoutCursor;
import org.duet.mixer.mix.SoftLimiter;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.output.EncoderSource;
import org.duet.mixer.output.MixOutput;
import org.duet.mixer.adapt.AdaptationConfig;
import org.duet.mixer.adapt.ReceiverAdaptation;

/**
 * Builds the per-participant media parts from configuration. Runs on signaling threads (codec
 * state is allocated here, never on the media loop).
 */
public final class MediaFactory {

    private final DuetConfig config;
    /** What the media path refused, by stage and reason, for every room this factory builds. */
    private final org.duet.mixer.engine.MediaDrops drops = new org.duet.mixer.engine.MediaDrops();
    private final ServerClock clock;
    private final int tickSamples;
    private final int timelineSamples;
    private final long reanchorSamples;
    private final long staleSamples;
    private final OpusSettings mixSettings;
    private final int mixMinusComplexity;
    private final JitterBufferConfig jitterConfig;
    private final double limiterThresholdDb;
    private final double limiterReleaseMs;
    private final boolean meterCodecs;
    private final OpusBackend backend;
    private final AdaptationConfig adaptation;
    /** Builds encoders for new encoder classes, so the media loop never allocates codec state. */
    private final java.util.concurrent.ExecutorService codecThread = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "duet-codec-factory");
                t.setDaemon(true);
                return t;
            });

    /** SSRCs, first sequence numbers and timestamps, report intervals (see RtpRandomness). */
    private final java.util.random.RandomGenerator random;

    public MediaFactory(DuetConfig config, ServerClock clock) {
        this(config, clock, org.duet.mixer.rtp.RtpRandomness.perThread());
    }

    /** @param random the rooms' RTP randomness: per thread when running, one seeded source in a simulation */
    public MediaFactory(DuetConfig config, ServerClock clock, java.util.random.RandomGenerator random) {
        this.config = config;
        this.clock = clock;
        this.random = random;
        Config raw = config.raw();
        this.tickSamples = config.tickSamples();
        this.timelineSamples = (int) ServerClock.nanosToSamples(config.timelineLength().toNanos());
        this.reanchorSamples = ServerClock.nanosToSamples(config.reanchorThreshold().toNanos());
        Config jitter = raw.getConfig("duet.jitter");
        this.jitterConfig = JitterBufferConfig.defaults()
                .withDelayRange(millis(jitter, "min-delay"), millis(jitter, "max-delay"), millis(jitter, "initial-delay"))
                .withGlitchTarget(jitter.getDouble("glitch-target"));
        this.staleSamples = 48L * (jitterConfig.maxDelayMs() + 100);
        Config opus = raw.getConfig("duet.opus");
        this.mixSettings = new OpusSettings(1, opus.getInt("bitrate"), opus.getInt("complexity"),
                opus.getBoolean("fec"), opus.getInt("expected-loss-percent"), opus.getBoolean("dtx"),
                application(opus.getString("application")), tickSamples);
        this.mixMinusComplexity = opus.hasPath("mix-minus-complexity") ? opus.getInt("mix-minus-complexity")
                : opus.getInt("complexity");
        if (mixMinusComplexity < 0 || mixMinusComplexity > 10) {
            throw new IllegalArgumentException("duet.opus.mix-minus-complexity must be 0 to 10");
        }
        this.meterCodecs = opus.getBoolean("meter-allocation");
        this.backend = OpusBackend.parse(opus.getString("backend"));
        this.limiterThresholdDb = raw.getDouble("duet.limiter.threshold-db");
        this.limiterReleaseMs = raw.getDuration("duet.limiter.release").toNanos() / 1e6;
        this.adaptation = AdaptationConfig.from(raw);
    }

    private static int millis(Config c, String key) {
        return (int) c.getDuration(key).toMillis();
    }

    private static OpusApplication application(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "restricted-lowdelay" -> OpusApplication.RESTRICTED_LOWDELAY;
            case "audio" -> OpusApplication.AUDIO;
            case "voip" -> OpusApplication.VOIP;
            default -> throw new IllegalArgumentException(
                    "duet.opus.application must be restricted-lowdelay, audio or voip, got '" + name + "'");
        };
    }

    public VoiceInput newVoiceInput(MediaFormat format) {
        JitterBuffer jb = new JitterBuffer(jitterConfig, decoder(format.channels()));
        return new VoiceInput(jb, clock, timelineSamples, reanchorSamples, staleSamples,
                format.absCaptureTimeExtensionId(), format.relayed());
    }

    /** An output for receivers that negotiated {@code format} (null: the shared listener mix). */
    public MixOutput newOutput(String name, MediaFormat format) {
        OpusSettings s = format == null ? outputSettings(null) : mixMinusSettings(format);
        // Windows of 50 ticks. The listener mix keeps a history of 8: delay is given back once it
        // stayed spare for 4 s (at 10 ms ticks), so a path that stalls now and then (a loaded bridge
        // or machine) is covered instead of chased back and forth, each step a skip the listener
        // hears. A singer's mix-minus (mixing when a backing track or beat plays) gives spare delay
        // back after one window: a singer feels every ms of delay, a listener does not
        // (docs/mixing.md).
        int historyWindows = format == null ? 8 : 1;
        PlayoutCursor cursor = new PlayoutCursor(tickSamples, 48 /* 1 ms margin */, 48 * 2, 50, historyWindows);
        return new MixOutput(name, clock, tickSamples, encoder(s), s,
                new SoftLimiter(limiterThresholdDb, limiterReleaseMs), cursor, staleSamples, random);
    }

    private OpusSettings outputSettings(MediaFormat format) {
        OpusSettings s = mixSettings;
        if (format != null) {
            s = s.withFec(s.fec() && format.inbandFec(), s.expectedLossPercent()).withDtx(s.dtx() && format.dtx());
            if (format.channels() == 2) {
                // The receiver negotiated stereo (Opus fmtp stereo=1): its own encoder class, stereo,
                // at 1.5 times the mono bitrate within the configured bounds (docs/adaptation.md).
                s = s.withChannels(2).withBitrate(adaptation.clampBitrate(s.bitrate() * 3 / 2));
            }
        }
        return s;
    }

    /**
     * A singer's own mix-minus (one receiver, low delay) is an encoder class of its own: its
     * complexity is set apart from the shared listener mix's (duet.opus.mix-minus-complexity).
     */
    private OpusSettings mixMinusSettings(MediaFormat format) {
        return outputSettings(format).withComplexity(mixMinusComplexity);
    }

    /** Per-receiver adaptation for a participant that negotiated {@code format}; null when disabled. */
    ReceiverAdaptation newAdaptation(String who, MediaFormat format) {
        return newAdaptation(who, format, false);
    }

    /** @param singer whether the participant hears their own mix-minus (else the listener mix) */
    ReceiverAdaptation newAdaptation(String who, MediaFormat format, boolean singer) {
        if (!adaptation.enabled()) {
            return null;
        }
        return new ReceiverAdaptation(who, adaptation, singer ? mixMinusSettings(format) : outputSettings(format),
                tickSamples, format.inbandFec(), format.dtx());
    }

    /** Echo detection and howl suppression for a singer's voice; null when both are off. */
    org.duet.mixer.echo.EchoControl newEchoControl(String who) {
        Config echo = config.raw().getConfig("duet.echo");
        boolean howl = echo.getBoolean("howl.enabled");
        if (!echo.getBoolean("enabled") && !howl) {
            return null;
        }
        return new org.duet.mixer.echo.EchoControl(who, org.duet.mixer.echo.EchoPolicy.parse(echo.getString("policy")),
                echo.getBoolean("enabled"), howl ? new org.duet.mixer.echo.HowlSuppressor(echo.getDuration("howl.hold").toMillis()) : null);
    }

    /** Upstream advice for a singer: the same policy, fed with what we measure of their stream. */
    ReceiverAdaptation newUpstreamAdvice(String who, MediaFormat format) {
        OpusSettings sender = mixSettings.withBitrate(adaptation.maxBitrate()).withFec(format.inbandFec(), 0)
                .withApplication(OpusApplication.AUDIO);
        return new ReceiverAdaptation(who + " (upstream)", adaptation, sender, tickSamples, format.inbandFec(), false);
    }

    /**
     * Adaptation of what we send {@code pm}, and for a singer upstream advice, echo detection and
     * encoder classes for their mix (docs/adaptation.md). Before {@code pm} reaches the loop.
     */
    public void attachAdaptation(ParticipantMedia pm, java.util.concurrent.Executor loop) {
        if (pm.singer && pm.output != null) {
            pm.output.setEncoderSource(encoderSource(loop));
            pm.upstream = adaptation.enabled() ? newUpstreamAdvice(pm.id, pm.format) : null; // duet.adapt.enabled: no advice either
            pm.echo = newEchoControl(pm.id);
            if (pm.echo != null && pm.input != null) {
                pm.input.setFilter(pm.echo);
            }
        }
        pm.adaptation = newAdaptation(pm.id, pm.format, pm.singer && pm.output != null);
        pm.joinSettings = pm.singer && pm.output != null ? mixMinusSettings(pm.format) : outputSettings(pm.format);
    }

    /** Builds encoders for new encoder classes on the codec thread and hands them to the loop. */
    public EncoderSource encoderSource(java.util.concurrent.Executor loop) {
        return (out, settings) -> codecThread.execute(() -> {
            OpusEncoder e = encoder(settings);
            try {
                loop.execute(() -> out.addLane(settings, e));
            } catch (RuntimeException full) {
                e.close(); // the loop is gone or overloaded; the receiver keeps its current class
            }
        });
    }

    private OpusDecoder decoder(int channels) {
        OpusDecoder d = OpusCodecs.newDecoder(channels, backend);
        return meterCodecs ? CodecMeter.global().wrap(d) : d;
    }

    private OpusEncoder encoder(OpusSettings s) {
        OpusEncoder e = OpusCodecs.newEncoder(s, backend);
        return meterCodecs ? CodecMeter.global().wrap(e) : e;
    }

    public ServerClock clock() {
        return clock;
    }

    /** The RTP randomness of the rooms this factory builds (see RtpRandomness). */
    public java.util.random.RandomGenerator random() {
        return random;
    }

    /** The mixer's per-reason counts of refused packets. */
    public org.duet.mixer.engine.MediaDrops drops() {
        return drops;
    }

    public DuetConfig config() {
        return config;
    }
}
