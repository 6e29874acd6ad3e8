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
    private boolean reported;
    private long howlsLogged;

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
    }

    /** What we sent this singer, {@code n} samples leaving at 48 kHz server positions {@code position...}. */
    public void onSent(float[] x, int off, int n, long position) {
        if (howl != null) {
            howl.onSent(x, off, n);
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
            ducker.process(mono, n, position, echo ? Math.round(detector.delayMs() * 48) : -1,
                    echo ? (float) Math.pow(10, -detector.returnLossDb() / 20) : 0f);
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

    public EchoDetector detector() {
        return detector;
    }

    /**
     * True while this control changes the voice (a howl notch is in, or the echo is being taken
     * out): its packets must not be forwarded as they came.
     */
    public boolean altersVoice() {
        return howl != null && howl.activeNotches() > 0 || ducker != null && ducker.active();
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
        return new EchoReport(echo, detector.delayMs(), detector.returnLossDb(), policy,
                echo ? "speakers" : "headphones", h != null && h.activeNotches() > 0, h == null ? 0 : h.howls(),
                h == null ? Double.NaN : h.lastHowlHz());
    }
}
