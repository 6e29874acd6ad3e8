package org.duet.mixer.echo;

/**
 * Breaks a feedback loop between two singers on speakers before it howls. The loop runs A's voice
 * -> B's mix -> B's speakers and microphone -> B's voice -> A's mix -> A's speakers and microphone
 * -> A's voice; the mixer sees both halves (what it sent each singer and what came back,
 * {@link EchoPathSpectrum}), so its gain at each frequency is known: |H_A| |H_B| times the gains
 * at which each voice goes into the other's mix. Where that reaches {@link #ENGAGE} (1) a notch
 * goes into the voice of the singer whose leg is the louder there ({@link EchoControl#breakLoopAt}),
 * which takes that band 40 dB down and the loop with it; it comes out once the measured loop gain
 * there has stayed under {@link #RELEASE} for {@link #HOLD_MS} (a singer turned down, moved), or a
 * leg has had no echo for {@link #UNKNOWN_RELEASE_MS} (a singer put headphones on).
 *
 * <p>Why not wait for the howl: a loop through a network has a round trip of 60 to 800 ms, so gain
 * 1.2 grows 1.6 dB per round trip, in steps, as a cluster of modes, riding on two voices; a howl
 * detector on one input (the {@link HowlSuppressor}) takes that for singing for seconds. The
 * measured gain needs nothing to grow: only that what circulates correlates from leg to leg.
 *
 * <p>The measurement is of the acoustic paths, taken before the notch in the voice, so the notch
 * does not make the loop look broken; what it lowers is what is sent in that band, so the estimate
 * there changes slowly while it is in (both averages shrink together) and is held.
 *
 * <p>Media loop only; no allocation after construction. Every 100 ms of ticks per pair.
 */
public final class LoopGainGuard {

    /**
     * Loop gain at which a band is cut. A loop under 1 does not grow; the estimate reads high rather
     * than low (a singer's held notes that come back correlate a little by chance: a 0.49 loop read
     * up to 0.68 in LoopGainGuardTest), so 1 cuts no stable loop and every growing one.
     */
    static final double ENGAGE = 1.0;
    /** A cut band is released once the loop there stays under this... */
    static final double RELEASE = 0.6;
    /** ...for this long. */
    static final long HOLD_MS = 3_000;
    /** A cut also goes once a leg has had no established echo this long. */
    static final long UNKNOWN_RELEASE_MS = 10_000;
    private static final long EVERY_MS = 100;
    /** A notch covers this much either side of its frequency (Q 8 at 2 kHz: 40 dB at the centre, 10 dB at 60 Hz). */
    private static final double NOTCH_SPAN_HZ = 60;
    private static final int MAX_CUTS = 4;

    private final double[] cutHz = new double[MAX_CUTS];
    private final EchoControl[] cutOn = new EchoControl[MAX_CUTS];
    private final long[] quietSinceMs = new long[MAX_CUTS];
    private long nextMs = Long.MIN_VALUE;
    private long unknownSinceMs = Long.MIN_VALUE;
    private volatile double lastLoopGain;
    private volatile double highestLoopGain;
    private volatile double lastLoopHz = Double.NaN;
    private volatile long cuts;

    /**
     * One check of the loop between singers {@code a} and {@code b}, at {@code nowMs} (server time);
     * {@code gainAToB} is the gain at which a's voice goes into b's mix, {@code gainBToA} the other.
     * Runs at most every 100 ms (cheaper calls return at once).
     */
    public void check(EchoControl a, float gainAToB, EchoControl b, float gainBToA, long nowMs) {
        if (nextMs != Long.MIN_VALUE && nowMs < nextMs) {
            return;
        }
        nextMs = nowMs + EVERY_MS;
        EchoPathSpectrum pa = a.pathSpectrum();
        EchoPathSpectrum pb = b.pathSpectrum();
        if (pa == null || pb == null) {
            return;
        }
        // a leg counts once its singer's echo detector has found the echo (and its delay): a
        // singer's own held notes come back through their partner's room and correlate by chance
        boolean ready = pa.analyse(legDelayMs(a)) & pb.analyse(legDelayMs(b));
        double mix2 = (double) gainAToB * gainAToB * gainBToA * gainBToA;
        double worst = 0;
        int worstBin = -1;
        for (int k = 0; ready && k < EchoPathSpectrum.BINS; k++) {
            double loop2 = pa.gain2(k) * (double) pb.gain2(k) * mix2;
            if (loop2 > worst) {
                worst = loop2;
                worstBin = k;
            }
        }
        lastLoopGain = Math.sqrt(worst);
        highestLoopGain = Math.max(highestLoopGain, lastLoopGain);
        lastLoopHz = worstBin < 0 ? Double.NaN : EchoPathSpectrum.hz(worstBin);
        // cuts in: release those whose loop stayed low
        // A leg whose echo the detector lost for a moment (a playout that moved it) is held, not
        // taken as a loop that went away: cuts go when the loop is measured low for 3 s, or when a
        // leg has had no echo for 10 s (a singer put headphones on).
        if (ready) {
            unknownSinceMs = Long.MIN_VALUE;
        } else if (unknownSinceMs == Long.MIN_VALUE) {
            unknownSinceMs = nowMs;
        }
        boolean gone = !ready && nowMs - unknownSinceMs >= UNKNOWN_RELEASE_MS;
        for (int c = 0; c < MAX_CUTS; c++) {
            if (cutOn[c] == null) {
                continue;
            }
            double there = ready ? Math.sqrt(loopGain2Near(pa, pb, mix2, cutHz[c])) : ENGAGE;
            if (there >= RELEASE && !gone) {
                quietSinceMs[c] = Long.MIN_VALUE;
            } else if (quietSinceMs[c] == Long.MIN_VALUE && !gone) {
                quietSinceMs[c] = nowMs;
            } else if (gone || nowMs - quietSinceMs[c] >= HOLD_MS) {
                cutOn[c].releaseLoopCut(cutHz[c]);
                cutOn[c] = null;
            }
        }
        if (!ready) {
            return;
        }
        if (worstBin < 0 || worst < ENGAGE * ENGAGE || coveredByACut(EchoPathSpectrum.hz(worstBin))) {
            return;
        }
        double hz = peakHz(pa, pb, worstBin);
        // into the voice of the louder leg there: the one whose room makes the loop
        EchoControl target = pa.gain2(worstBin) >= pb.gain2(worstBin) ? a : b;
        int slot = -1;
        for (int c = 0; c < MAX_CUTS && slot < 0; c++) {
            if (cutOn[c] == null) {
                slot = c;
            }
        }
        if (slot < 0) {
            return; // four bands cut already: a loop this broad is the page's to fix (headphones)
        }
        if (target.breakLoopAt(hz, Math.sqrt(worst))) {
            cutOn[slot] = target;
            cutHz[slot] = hz;
            quietSinceMs[slot] = Long.MIN_VALUE;
            cuts++;
        }
    }

    private static double legDelayMs(EchoControl c) {
        EchoDetector d = c.detector();
        return d.echo() ? d.delayMs() : Double.NaN;
    }

    private boolean coveredByACut(double hz) {
        for (int c = 0; c < MAX_CUTS; c++) {
            if (cutOn[c] != null && Math.abs(cutHz[c] - hz) <= NOTCH_SPAN_HZ) {
                return true;
            }
        }
        return false;
    }

    /** The largest loop gain^2 within a notch's span of {@code hz}. */
    private static double loopGain2Near(EchoPathSpectrum pa, EchoPathSpectrum pb, double mix2, double hz) {
        double m = 0;
        for (int k = 0; k < EchoPathSpectrum.BINS; k++) {
            if (Math.abs(EchoPathSpectrum.hz(k) - hz) <= NOTCH_SPAN_HZ) {
                m = Math.max(m, pa.gain2(k) * (double) pb.gain2(k) * mix2);
            }
        }
        return m;
    }

    /** The loop's peak frequency near bin k, by parabolic interpolation of its gain. */
    private static double peakHz(EchoPathSpectrum pa, EchoPathSpectrum pb, int k) {
        if (k == 0 || k == EchoPathSpectrum.BINS - 1) {
            return EchoPathSpectrum.hz(k);
        }
        double a = pa.gain2(k - 1) * (double) pb.gain2(k - 1);
        double b = pa.gain2(k) * (double) pb.gain2(k);
        double c = pa.gain2(k + 1) * (double) pb.gain2(k + 1);
        double d = a - 2 * b + c;
        double delta = d == 0 ? 0 : Math.max(-0.5, Math.min(0.5, 0.5 * (a - c) / d));
        return EchoPathSpectrum.hz(k) + delta * EchoPathSpectrum.RATE / EchoPathSpectrum.N;
    }

    /** The largest loop gain over all bands at the last check (cuts not counted: the rooms' own). */
    public double lastLoopGain() {
        return lastLoopGain;
    }

    /** The largest loop gain measured so far. */
    public double highestLoopGain() {
        return highestLoopGain;
    }

    /** Its frequency, NaN before the first check. */
    public double lastLoopHz() {
        return lastLoopHz;
    }

    /** Bands cut so far. */
    public long cuts() {
        return cuts;
    }
}
