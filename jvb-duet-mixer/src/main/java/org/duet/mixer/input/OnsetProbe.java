package org.duet.mixer.input;

import org.duet.mixer.clock.ServerClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A measuring aid, off unless {@code -Dduet.debug.onsets=true}: logs each sudden rise in a voice's
 * loudness with the wall-clock times the mixer gives it (its capture estimate, where it was placed on
 * the timeline, and when the frame was decoded). A test that knows when the singer's microphone
 * carried that onset can then tell how far off each voice's capture estimate is, and so whether two
 * voices drifted apart upstream (their paths) or in the mixer (their arrival anchors).
 *
 * <p>Media loop only. With the flag off the caller skips it entirely (a constant the JIT folds).
 */
final class OnsetProbe {

    static final boolean ENABLED = Boolean.getBoolean("duet.debug.onsets");
    private static final Logger LOG = LoggerFactory.getLogger(OnsetProbe.class);
    /**
     * Loudness of the signal's first difference: it favours high frequencies (x0.06 at 440 Hz, x0.26
     * at 2 kHz), so short high bursts stand out of a steady low tone, as in the Jitsi e2e's singers.
     */
    private static final double RISE = 4;
    private static final double MIN_RMS = 0.005;
    private static final long MIN_GAP_SAMPLES = 48_000 * 3 / 10;

    private final String voice = "voice@" + Integer.toHexString(System.identityHashCode(this));
    private double average;
    private float previous;
    private long lastOnsetTimestamp = Long.MIN_VALUE;
    private int frames;

    /** @return the media time of the onset this frame starts, or -1 */
    long frame(float[] mono, int n, long extendedTimestamp, long captureNanos, long placedPosition,
               ServerClock clock, long nowNanos) {
        double sum = 0;
        float max = 0;
        float last = previous;
        for (int i = 0; i < n; i++) {
            float d = mono[i] - last;
            last = mono[i];
            sum += d * d;
            max = Math.max(max, Math.abs(d));
        }
        float first = previous;
        previous = last;
        double rms = Math.sqrt(sum / Math.max(1, n));
        boolean onset = ++frames > 10 && rms > MIN_RMS && rms > RISE * average
                && (lastOnsetTimestamp == Long.MIN_VALUE || extendedTimestamp - lastOnsetTimestamp > MIN_GAP_SAMPLES);
        average = 0.8 * average + 0.2 * rms;
        if (!onset) {
            return -1;
        }
        lastOnsetTimestamp = extendedTimestamp;
        // where in the frame it starts: the first sample whose difference reaches a quarter of the frame's peak
        int at = 0;
        float prev = first;
        while (at < n - 1 && Math.abs(mono[at] - prev) < 0.25f * max) {
            prev = mono[at];
            at++;
        }
        long unix = ServerClock.unixNanosMinusNanoTime();
        long offsetNanos = ServerClock.samplesToNanos(at);
        LOG.info(String.format(java.util.Locale.ROOT,
                "onset %s media %d: capture estimate %.3f, placed %.3f, decoded %.3f (epoch ms)", voice,
                extendedTimestamp + at, (captureNanos + offsetNanos + unix) / 1e6,
                (clock.toNanos(placedPosition) + offsetNanos + unix) / 1e6, (nowNanos + unix) / 1e6));
        return extendedTimestamp + at;
    }
}
