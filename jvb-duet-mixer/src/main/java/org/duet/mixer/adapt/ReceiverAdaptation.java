package org.duet.mixer.adapt;

import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the Opus settings for one receiver from its feedback. The policy, in order:
 *
 * <ul>
 *   <li>Loss: a report with loss at or above {@code loss-on-percent} turns in-band FEC on at once,
 *       with the packet-loss hint set to the smallest configured step at or above the loss, and
 *       lowers the bitrate (3/4 of the clean bitrate at a 5 % hint, 0.6 at 10 %, 1/2 at 20 %, 3/8 above; FEC
 *       needs part of the bits, and loss often means a congested path). Worse loss raises the step
 *       at once; a lower step is taken only after loss stayed below the current one for
 *       {@code recovery-hold}, so one clean report does not undo the protection.</li>
 *   <li>FEC needs SILK or hybrid coding, which {@code restricted-lowdelay} does not have, and
 *       {@code audio} avoids for music at low loss hints: a protected receiver gets the {@code voip}
 *       application (as libwebrtc uses; 4 ms more look-ahead).</li>
 *   <li>Frame size: 10 ms (the tick) on a clean path; 20 ms on a lossy one, where bits are
 *       scarce (half the packets: 40 bytes of IP/UDP/RTP header saved per 20 ms, 16 kb/s) and FEC
 *       is more efficient. Jitter alone changes nothing: it is reported, and the receiver's jitter
 *       buffer deals with it.</li>
 *   <li>DTX on a protected path when the receiver negotiated it.</li>
 *   <li>Congestion (transport-cc only, {@link #onCongestion}): while the delay gradient says a
 *       queue is building, the bitrate steps down (0.75, 0.6, 0.5 of the clean one, at most one
 *       step per 500 ms, 20 ms frames), and steps back up one step per {@code recovery-hold}
 *       without overuse. The bitrate is the lower of what loss and congestion ask for.</li>
 * </ul>
 *
 * <p>The steps are coarse on purpose: receivers in similar conditions get equal settings and so
 * share one encoder (see {@code output/EncodeLane}). Runs on the media loop; a decision that
 * changes the settings is logged, and {@link #snapshot} is safe from any thread.
 */
public final class ReceiverAdaptation {

    private static final Logger LOG = LoggerFactory.getLogger(ReceiverAdaptation.class);
    /** Frames of 20 ms at 48 kHz. */
    private static final int LONG_FRAME = 960;
    /** Bitrate factors of the congestion steps (quantised, so congested receivers still share encoders). */
    private static final double[] CONGESTION_FACTORS = {1.0, 0.75, 0.6, 0.5};
    private static final long CONGESTION_STEP_NANOS = 500_000_000L;

    private final String who;
    private final AdaptationConfig config;
    private final OpusSettings base;
    private final int tickSamples;
    private final boolean canFec;
    private final boolean canDtx;
    private final NetworkConditions conditions = new NetworkConditions();

    private int hint;
    /** Congestion step from transport-cc's delay gradient: 0 none, up to {@link #CONGESTION_FACTORS}.length - 1. */
    private int congestion;
    private long lastCongestionStepNanos = Long.MIN_VALUE;
    private long lastOveruseNanos = Long.MIN_VALUE;
    private long hintConfirmedNanos;
    private double smoothedLoss = Double.NaN;
    private volatile OpusSettings current;
    private volatile long changes;
    private volatile long fecOnNanos = Long.MIN_VALUE;
    /**
     * What the last change was based on, kept as numbers and put into words only when read
     * ({@link #snapshot}, another thread): formatting on the media loop allocated kilobytes per
     * change (String.format, its number formatting). 0: start, 1: loss, 2: congestion.
     */
    private volatile int reasonKind;
    private volatile double reasonA;
    private volatile double reasonB;
    private volatile double reasonC;
    /** The settings of every (loss step, congestion step), built once: a decision picks one, allocating nothing. */
    private final OpusSettings[][] planned;
    /** {@link #describe} of each planned setting, for the log line of a change. */
    private final String[][] plannedText;
    private String currentText;

    /**
     * @param base   the settings this receiver gets on a clean path (its negotiated format applied)
     * @param canFec the receiver negotiated in-band FEC ({@code useinbandfec=1})
     * @param canDtx the receiver accepts DTX
     */
    public ReceiverAdaptation(String who, AdaptationConfig config, OpusSettings base, int tickSamples, boolean canFec,
                              boolean canDtx) {
        this.who = who;
        this.config = config;
        this.base = base.withBitrate(config.clampBitrate(base.bitrate())).withFrameSamples(tickSamples);
        this.tickSamples = tickSamples;
        this.canFec = canFec;
        this.canDtx = canDtx;
        this.current = this.base;
        int[] steps = config.lossSteps();
        planned = new OpusSettings[steps.length + 1][CONGESTION_FACTORS.length];
        plannedText = new String[steps.length + 1][CONGESTION_FACTORS.length];
        int savedCongestion = congestion;
        for (int h = 0; h <= steps.length; h++) {
            for (int c = 0; c < CONGESTION_FACTORS.length; c++) {
                congestion = c;
                planned[h][c] = settingsFor(h == 0 ? 0 : steps[h - 1]);
                plannedText[h][c] = describe(planned[h][c]);
            }
        }
        congestion = savedCongestion;
        currentText = describe(this.base);
        planned[0][0].equals(this.base); // a record's equals links itself on first use (allocating): here, not on the loop
    }

    /** The planned settings for loss hint {@code lossHint} (0 or one of the loss steps) at the current congestion step. */
    private int hintIndex(int lossHint) {
        if (lossHint == 0) {
            return 0;
        }
        int[] steps = config.lossSteps();
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] == lossHint) {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * One RTCP report block about the stream we send this receiver.
     *
     * @param fractionLost   0..255 (RFC 3550 6.4.1)
     * @param jitterSamples  interarrival jitter in 48 kHz timestamp units
     * @param rttMs          round trip from LSR/DLSR, NaN when unknown
     * @return the new settings when the decision changed them, else null
     */
    public OpusSettings onReportBlock(int fractionLost, int cumulativeLost, long jitterSamples, double rttMs,
                                      long nowNanos) {
        conditions.cumulativeLost = cumulativeLost;
        conditions.jitterMs = jitterSamples / 48.0;
        if (!Double.isNaN(rttMs)) {
            conditions.rttMs = rttMs;
        }
        return onLoss(fractionLost * 100.0 / 256.0, nowNanos);
    }

    /**
     * Loss measured over the last interval by other means (transport-wide feedback, or our own
     * reception statistics of a sender, for upstream advice).
     */
    public OpusSettings onLoss(double lossPercent, long nowNanos) {
        conditions.lossPercent = lossPercent;
        conditions.reports++;
        conditions.lastReportNanos = nowNanos;
        return decide(nowNanos);
    }

    /** Interarrival jitter measured by other means, in ms. */
    public void onJitter(double jitterMs) {
        conditions.jitterMs = jitterMs;
    }

    private OpusSettings decide(long now) {
        double loss = conditions.lossPercent;
        // The step follows a smoothed loss (short report intervals are noisy), but any report at or
        // above loss-on turns protection on at once.
        smoothedLoss = Double.isNaN(smoothedLoss) || hint == 0 ? loss : 0.5 * smoothedLoss + 0.5 * loss;
        // Protection stays (at the lowest step) while the smoothed loss is at least half the
        // threshold: a path losing about the threshold crossed it back and forth, and FEC went on
        // and off every few seconds (the upstream advice of a singer at 2 %, UpstreamMeterTest).
        int measured = loss >= config.lossOnPercent() ? stepFor(Math.max(smoothedLoss, config.lossOnPercent()))
                : smoothedLoss >= config.lossOnPercent() && hint > 0 ? stepFor(smoothedLoss)
                : smoothedLoss >= config.lossOnPercent() / 2 && hint > 0 ? config.lossSteps()[0] : 0;
        int newHint = hint;
        if (measured >= hint) {
            newHint = measured;
            hintConfirmedNanos = now;
        } else if (now - hintConfirmedNanos >= config.recoveryHoldMs() * 1_000_000L) {
            newHint = measured; // loss stayed below the current step for the whole hold
            hintConfirmedNanos = now;
        }
        if (newHint == hint) {
            return null;
        }
        hint = newHint;
        return apply(now, 1, loss, conditions.jitterMs, conditions.rttMs);
    }

    /**
     * The delay gradient from transport-wide feedback: {@code overuse} while a queue builds on the
     * path ({@link TransportCcEstimator}). Steps the bitrate down at most once per 500 ms while
     * overused, back up one step per {@code recovery-hold} without overuse.
     *
     * @return the new settings when they changed, else null
     */
    public OpusSettings onCongestion(boolean overuse, double gradient, long now) {
        conditions.delayGradient = gradient;
        int next = congestion;
        if (overuse) {
            lastOveruseNanos = now;
            if (congestion < CONGESTION_FACTORS.length - 1
                    && (lastCongestionStepNanos == Long.MIN_VALUE || now - lastCongestionStepNanos >= CONGESTION_STEP_NANOS)) {
                next = congestion + 1;
            }
        } else if (congestion > 0 && now - Math.max(lastOveruseNanos, lastCongestionStepNanos)
                >= config.recoveryHoldMs() * 1_000_000L) {
            next = congestion - 1;
        }
        if (next == congestion) {
            return null;
        }
        congestion = next;
        lastCongestionStepNanos = now;
        return apply(now, 2, gradient, overuse ? 1 : 0, congestion);
    }

    private OpusSettings apply(long now, int kind, double a, double b, double c) {
        OpusSettings before = current;
        int h = hintIndex(hint);
        OpusSettings next = h < 0 ? settingsFor(hint) : planned[h][congestion];
        if (next.equals(before)) {
            return null;
        }
        current = next;
        changes++;
        if (next.fec() && !before.fec()) {
            fecOnNanos = now;
        }
        reasonA = a;
        reasonB = b;
        reasonC = c;
        reasonKind = kind;
        // The one allocation left on this path: the log line of a change (a few per minute at most,
        // bounded by the recovery hold and the congestion step interval), not per packet.
        String text = h < 0 ? describe(next) : plannedText[h][congestion];
        LOG.info("adapt {}: {} -> {} ({})", who, currentText, text, kind == 1 ? "loss" : "congestion");
        currentText = text;
        return next;
    }

    /** The last change's reason in words (on the reader's thread). */
    private String lastReason() {
        int kind = reasonKind;
        if (kind == 1) {
            return String.format("loss %.1f%% jitter %.1f ms rtt %.1f ms", reasonA, reasonB, reasonC);
        }
        if (kind == 2) {
            return String.format("delay gradient %.3f ms/ms (%s), congestion step %d", reasonA,
                    reasonB != 0 ? "queue building" : "no queue", (int) reasonC);
        }
        return "start";
    }

    /** The congestion step now (0: none). */
    public int congestionStep() {
        return congestion;
    }

    private int stepFor(double loss) {
        int[] steps = config.lossSteps();
        for (int s : steps) {
            if (loss <= s * 1.25) { // 11 % loss stays on the 10 % step
                return s;
            }
        }
        return steps[steps.length - 1];
    }

    /** The settings for a loss step (0 = clean): the whole policy in one place. */
    OpusSettings settingsFor(int lossHint) {
        double congested = CONGESTION_FACTORS[congestion];
        if (lossHint == 0) {
            return congestion == 0 ? base : base.withFrameSamples(Math.max(tickSamples, LONG_FRAME))
                    .withBitrate(config.clampBitrate((int) Math.round(base.bitrate() * congested)));
        }
        OpusSettings s = base.withFrameSamples(Math.max(tickSamples, LONG_FRAME));
        {
            double factor = Math.min(congested,
                    lossHint <= 5 ? 0.75 : lossHint <= 10 ? 0.6 : lossHint <= 20 ? 0.5 : 0.375);
            s = s.withBitrate(config.clampBitrate((int) Math.round(base.bitrate() * factor)))
                    .withFec(canFec, lossHint)
                    .withDtx(base.dtx() || canDtx);
            if (canFec) {
                // LBRR lives in SILK/hybrid frames only: restricted-lowdelay has none, and audio picks
                // CELT for music at a 5 % hint; voip (what libwebrtc uses) codes LBRR at every hint.
                s = s.withApplication(OpusApplication.VOIP);
            }
        }
        return s;
    }

    public static String describe(OpusSettings s) {
        return String.format("%d kb/s, FEC %s, %d ms, DTX %s, %s", s.bitrate() / 1000,
                s.fec() ? "on (loss hint " + s.expectedLossPercent() + "%)" : "off", s.frameSamples() / 48,
                s.dtx() ? "on" : "off", s.application().name().toLowerCase(java.util.Locale.ROOT));
    }

    public OpusSettings current() {
        return current;
    }

    public OpusSettings base() {
        return base;
    }

    public NetworkConditions conditions() {
        return conditions;
    }

    /** When FEC last turned on ({@link System#nanoTime()}), {@link Long#MIN_VALUE} if never. */
    public long fecOnNanos() {
        return fecOnNanos;
    }

    public long changes() {
        return changes;
    }

    /** The decision and what it was based on, for stats and the page. */
    public AdaptationSnapshot snapshot() {
        OpusSettings s = current;
        return new AdaptationSnapshot(s.bitrate(), s.fec(), s.expectedLossPercent(), s.frameSamples() / 48.0,
                s.dtx(), conditions.lossPercent, conditions.cumulativeLost, conditions.jitterMs, conditions.rttMs,
                changes, lastReason());
    }
}
