package org.duet.mixer.mix;

/**
 * Keeps a mix inside full scale without integer wrap or hard clipping: a peak-following gain with
 * instant attack and smooth release, then a soft knee for whatever still overshoots within the
 * block. Two voices and a backing track at full level sum to about +10 dB; this brings them back
 * musically. Converts to 16-bit PCM on the way out.
 */
public final class SoftLimiter {

    private final float threshold;
    private final float releasePerSample;
    private float gain = 1f;

    /**
     * @param thresholdDb   level (dBFS, negative) above which the gain starts to come down
     * @param releaseMillis time for the gain to recover most of the way after a peak
     */
    public SoftLimiter(double thresholdDb, double releaseMillis) {
        this.threshold = (float) Math.pow(10, thresholdDb / 20);
        this.releasePerSample = (float) (1 - Math.exp(-1.0 / (releaseMillis * 48)));
    }

    /** Limits {@code in[0..count)} into {@code out} as 16-bit PCM. Returns the block's RMS (0..1). */
    public float process(float[] in, short[] out, int count) {
        double energy = 0;
        for (int i = 0; i < count; i++) {
            float x = in[i];
            float peak = Math.abs(x) * gain;
            if (peak > threshold) {
                gain = threshold / Math.abs(x); // attack at once: never let a peak through
            } else {
                gain += (1f - gain) * releasePerSample;
            }
            float y = softKnee(x * gain);
            energy += (double) y * y;
            out[i] = (short) Math.round(y * 32767f);
        }
        return (float) Math.sqrt(energy / Math.max(1, count));
    }

    public float currentGain() {
        return gain;
    }

    /** Identity below the threshold, then a smooth curve that approaches but never reaches 1. */
    private float softKnee(float y) {
        float a = Math.abs(y);
        if (a <= threshold) {
            return y;
        }
        float room = 1f - threshold;
        float over = a - threshold;
        float shaped = threshold + room * (over / (over + room));
        return Math.copySign(Math.min(shaped, 1f), y);
    }
}
