package org.duet.mixer.webrtc;

/** Measurements on decoded PCM: level and the dominant frequency (Goertzel scan). */
final class ToneAnalysis {

    private ToneAnalysis() {
    }

    static double rms(short[] pcm, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) pcm[i] * pcm[i];
        }
        return Math.sqrt(sum / Math.max(1, to - from)) / 32768.0;
    }

    /** Power of one frequency in the window (Goertzel). */
    static double power(short[] pcm, int from, int to, double hz, int rate) {
        double w = 2 * Math.PI * hz / rate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            double s0 = pcm[i] / 32768.0 + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return s1 * s1 + s2 * s2 - coeff * s1 * s2;
    }

    /** The frequency (in 5 Hz steps over 100..4000 Hz) with the most power. */
    static double dominantHz(short[] pcm, int from, int to, int rate) {
        double best = 0;
        double bestHz = 0;
        for (double hz = 100; hz <= 4000; hz += 5) {
            double p = power(pcm, from, to, hz, rate);
            if (p > best) {
                best = p;
                bestHz = hz;
            }
        }
        return bestHz;
    }
}
