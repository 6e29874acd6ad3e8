package org.duet.mixer.echo;

import org.duet.mixer.input.VoiceFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo control for one singer's voice, as a {@link VoiceFilter} on their input: the echo detector
 * compares what they send back with what we sent them (fed by the room every tick,
 * {@link #onSent}); a change is logged, and the report tells their page, which applies the policy
 * (ask for headphones, or switch their capture to the browser's echo cancellation). The audio
 * itself passes unchanged.
 *
 * <p>Media loop only, except the report, which is safe from any thread.
 */
public final class EchoControl implements VoiceFilter {

    private static final Logger LOG = LoggerFactory.getLogger(EchoControl.class);

    private final String who;
    private final EchoPolicy policy;
    private final EchoDetector detector = new EchoDetector();
    private boolean reported;

    public EchoControl(String who, EchoPolicy policy) {
        this.who = who;
        this.policy = policy;
    }

    /** What we sent this singer, {@code n} samples leaving at 48 kHz server positions {@code position...}. */
    public void onSent(float[] x, int off, int n, long position) {
        detector.onSent(x, off, n, position);
    }

    @Override
    public void process(float[] mono, int n, long position) {
        detector.onReturned(mono, 0, n, position);
        boolean echo = detector.echo();
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

    public EchoReport report() {
        boolean echo = detector.echo();
        return new EchoReport(echo, detector.delayMs(), detector.returnLossDb(), policy,
                echo ? "speakers" : "headphones");
    }
}
