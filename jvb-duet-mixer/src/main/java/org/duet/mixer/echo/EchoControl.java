package org.duet.mixer.echo;

import org.duet.mixer.input.VoiceFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo and feedback control for one singer's voice, as a {@link VoiceFilter} on their input.
 * First the {@link HowlSuppressor} (when on) notches a growing feedback tone out of the voice, so
 * every mix gets it clean; then the echo detector compares what they send back with what we sent
 * them (fed by the room every tick, {@link #onSent}). A change is logged, and the report tells
 * their page, which applies the policy (ask for headphones, or switch their capture to the
 * browser's echo cancellation, or under {@code duck} take the echo out of their voice here,
 * {@link EchoDucker}). While a notch is in or the echo is taken out, {@link #altersVoice} is true: the room then
 * mixes this voice instead of forwarding its packets untouched.
 *
 * <p>Media loop only, except the report, which is safe from any thread.
 */
public final class EchoControl implements VoiceFilter {

    private static final Logger LOG = LoggerFactory.getLogger(EchoControl.class);

    private final String who;
    private final EchoPolicy policy;
    private final EchoDetector detector = new EchoDetector();
    private final boolean detect;
    private final HowlSuppressor howl;
    private final EchoDucker ducker;
    /** The echo path per frequency, one leg of a loop between two singers (with feedback control on). */
    private final EchoPathSpectrum path;
    private final LoopNotches loopCuts = new LoopNotches();
    private volatile int loopCutsActive;
    private volatile long loopCutsMade;
    private volatile double lastLoopCutHz = Double.NaN;
    private boolean reported;
    private long howlsLogged;
    /**
     * The echo path the duck policy keeps taking out after the detector lost it (delay in samples,
     * -1 for none), its gain, and the capture position until which it is held.
     */
    private long duckDelay = -1;
    private float duckGain;
    private long duckUntil;
    /**
     * How long the duck policy keeps taking an echo out after the detector stopped reporting it: 10 s.
     * A detector loses a steady echo for a moment now and then (in real-time room runs 5 % of the
     * polls: a run of analyses whose peak missed one of its tests), and every such moment let the
     * whole echo through (the voice was even forwarded untouched again): at -10 dB, 5 % of the time
     * is an echo only 13 dB down on average. A singer who put headphones on keeps a ducker that
     * finds little to take out for 10 s (it compares the voice with what we sent, bin by bin).
     */
    static final long DUCK_HOLD_SAMPLES = 10 * 48_000L;

    /**
     * @param detect whether to look for an echo at all ({@code duet.echo.enabled})
     * @param howl   feedback suppression on this voice, null for none
     */
    public EchoControl(String who, EchoPolicy policy, boolean detect, HowlSuppressor howl) {
        this.who = who;
        this.policy = policy;
        this.detect = detect;
        this.howl = howl;
        this.ducker = detect && policy == EchoPolicy.DUCK ? new EchoDucker() : null;
        this.path = howl != null ? new EchoPathSpectrum() : null;
    }

    /** What we sent this singer, {@code n} samples leaving at 48 kHz server positions {@code position...}. */
    public void onSent(float[] x, int off, int n, long position) {
        if (howl != null) {
            howl.onSent(x, off, n);
        }
        if (path != null) {
            path.onSent(x, off, n, position);
        }
        if (detect) {
            detector.onSent(x, off, n, position);
        }
        if (ducker != null) {
            ducker.onSent(x, off, n, position);
        }
    }

    @Override
    public void process(float[] mono, int n, long position) {
        if (path != null) {
            path.onReturned(mono, 0, n, position); // the voice as it came: the loop as it is
            loopCuts.process(mono, 0, n);
        }
        if (howl != null) {
            howl.process(mono, 0, n);
            long caught = howl.howls();
            if (caught != howlsLogged) {
                howlsLogged = caught;
                LOG.info("howl in {}'s voice at {} Hz: notched ({} so far)", who, Math.round(howl.lastHowlHz()), caught);
            }
        }
        if (!detect) {
            return;
        }
        detector.onReturned(mono, 0, n, position); // the voice as it came: the echo must stay visible
        boolean echo = detector.echo();
        if (ducker != null) {
            if (echo) {
                duckDelay = Math.round(detector.delayMs() * 48);
                duckGain = (float) Math.pow(10, -detector.returnLossDb() / 20);
                duckUntil = position + n + DUCK_HOLD_SAMPLES;
            } else if (duckDelay >= 0 && position >= duckUntil) {
                duckDelay = -1;
                LOG.info("echo from {} not seen for {} s: no longer taken out", who, DUCK_HOLD_SAMPLES / 48_000);
            }
            ducker.process(mono, n, position, duckDelay, duckDelay >= 0 ? duckGain : 0f);
        }
        if (echo != reported) {
            reported = echo;
            if (echo) {
                LOG.info("echo from {}: {} ms after sending, return loss {} dB; policy {}", who,
                        Math.round(detector.delayMs()), Math.round(detector.returnLossDb()), policy.wireName);
            } else {
                LOG.info("echo from {} gone", who);
            }
        }
    }

    /** This singer's echo path per frequency (one leg of a loop), null with feedback control off. */
    public EchoPathSpectrum pathSpectrum() {
        return path;
    }

    /**
     * Cuts {@code hz} out of this voice: {@link LoopGainGuard} measured the loop through this
     * singer's room and their partner's at {@code loopGain} there. False if no cut is free.
     */
    public boolean breakLoopAt(double hz, double loopGain) {
        if (!loopCuts.add(hz)) {
            return false;
        }
        loopCutsActive = loopCuts.active();
        loopCutsMade++;
        lastLoopCutHz = hz;
        LOG.info("feedback loop through {}'s room at {} Hz, loop gain {}: cut", who, Math.round(hz),
                Math.round(loopGain * 100) / 100.0);
        return true;
    }

    /** Takes the cut at {@code hz} out again (the loop there stayed low). */
    public void releaseLoopCut(double hz) {
        loopCuts.remove(hz);
        loopCutsActive = loopCuts.active();
        LOG.info("feedback loop through {}'s room at {} Hz gone: cut released", who, Math.round(hz));
    }

    /** Loop cuts in this voice now. */
    public int loopCutsActive() {
        return loopCutsActive;
    }

    /** Loop cuts made in this voice so far. */
    public long loopCutsMade() {
        return loopCutsMade;
    }

    /** Frequency of the last loop cut, NaN if none. */
    public double lastLoopCutHz() {
        return lastLoopCutHz;
    }

    public EchoDetector detector() {
        return detector;
    }

    /**
     * True while this control changes the voice (a howl notch is in, or the echo is being taken
     * out): its packets must not be forwarded as they came.
     */
    public boolean altersVoice() {
        return howl != null && howl.activeNotches() > 0 || loopCutsActive > 0 || ducker != null && ducker.active();
    }

    /** The duck policy delays the voice by {@link EchoDucker#DELAY} (always, so it never moves); else 0. */
    @Override
    public int delaySamples() {
        return ducker != null ? EchoDucker.DELAY : 0;
    }

    /** The duck policy's suppressor, null under the other policies. */
    public EchoDucker ducker() {
        return ducker;
    }

    public EchoReport report() {
        boolean echo = detector.echo();
        HowlSuppressor h = howl;
        // a loop cut is feedback control too: reported with the howls
        boolean cutting = loopCutsActive > 0;
        return new EchoReport(echo, detector.delayMs(), detector.returnLossDb(), policy,
                echo ? "speakers" : "headphones", h != null && h.activeNotches() > 0 || cutting,
                (h == null ? 0 : h.howls()) + loopCutsMade, cutting || h == null ? lastLoopCutHz : h.lastHowlHz());
    }
}
