package org.duet.mixer.jitter;

/**
 * Best-case (arrival time minus media time) of a stream: the offset a packet would show on an
 * ideal path. It drops at once when a packet proves the path faster, and rises at most
 * {@code slew} towards the minimum of the last window when the path (or the sender's clock)
 * drifts the other way. The window minimum is kept in 8 time buckets ({@link WindowedMinimum}).
 * The jitter buffer keeps one with a short memory (its deadlines follow the path); the capture clock keeps one with a long memory (see input/VoiceInput).
 */
public final class ArrivalBaseline {

    private static final int BUCKETS = 8;

    private final double slewPerNano;
    private final WindowedMinimum window;
    private boolean valid;
    private long baseline;
    private long lastUpdateNanos;

    public ArrivalBaseline(int windowMs, double slewMsPerSecond) {
        this.window = new WindowedMinimum(BUCKETS, windowMs * 1_000_000L / BUCKETS);
        this.slewPerNano = slewMsPerSecond / 1000.0;
        reset();
    }

    /** Feeds one packet's offset (arrival nanos minus media nanos of its end). */
    public void update(long arrivalNanos, long offsetNanos) {
        window.observe(arrivalNanos, offsetNanos);
        if (!valid || offsetNanos < baseline) {
            baseline = offsetNanos;
            valid = true;
            lastUpdateNanos = arrivalNanos;
            return;
        }
        long windowMin = window.min(arrivalNanos);
        long elapsed = Math.max(0, arrivalNanos - lastUpdateNanos);
        lastUpdateNanos = arrivalNanos;
        if (windowMin > baseline) {
            baseline += Math.min(windowMin - baseline, (long) (elapsed * slewPerNano));
        }
    }

    public boolean isValid() {
        return valid;
    }

    public long baselineNanos() {
        return baseline;
    }

    public void reset() {
        valid = false;
        baseline = 0;
        lastUpdateNanos = 0;
        window.clear();
    }
}
