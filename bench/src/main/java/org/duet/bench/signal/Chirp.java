package org.duet.bench.signal;

/**
 * The marked sample ("click") the bench injects into a singer's signal: a short Hann-windowed
 * linear chirp. A chirp has a sharp autocorrelation peak, survives Opus at 64 kbit/s in CELT mode,
 * and an up-chirp and a down-chirp barely correlate, so each singer gets its own and both can be
 * found in one listener mix.
 */
public final class Chirp {

    private Chirp() {
    }

    /**
     * @param lengthSamples template length in samples
     * @param startHz       frequency at the first sample
     * @param endHz         frequency at the last sample
     * @param amplitude     peak amplitude in [0, 1] of full scale
     */
    public static float[] make(int sampleRate, int lengthSamples, double startHz, double endHz, double amplitude) {
        float[] out = new float[lengthSamples];
        double duration = lengthSamples / (double) sampleRate;
        double sweep = (endHz - startHz) / duration;
        for (int i = 0; i < lengthSamples; i++) {
            double t = i / (double) sampleRate;
            double phase = 2 * Math.PI * (startHz * t + 0.5 * sweep * t * t);
            double window = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (lengthSamples - 1));
            out[i] = (float) (amplitude * window * Math.sin(phase));
        }
        return out;
    }
}
