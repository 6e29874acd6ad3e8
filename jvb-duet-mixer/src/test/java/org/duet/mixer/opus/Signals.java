package org.duet.mixer.opus;

/** Test signals and measurements on 48 kHz 16-bit PCM. */
public final class Signals {

    public static final int RATE = 48_000;

    private Signals() {
    }

    /** Interleaved tone on one channel (others untouched), starting at absolute sample {@code start}. */
    public static void tone(short[] pcm, int channels, int channel, long start, int samples, double hz,
                            double amplitude) {
        for (int i = 0; i < samples; i++) {
            double t = (start + i) / (double) RATE;
            pcm[i * channels + channel] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * t));
        }
    }

    /**
     * A voiced, speech-like signal: harmonics of a 140 Hz glottal pitch with slow vibrato, shaped by
     * a 4 Hz syllable envelope that never falls fully silent. SILK's VAD treats it as speech, which
     * is what makes the encoder emit LBRR (FEC) data.
     */
    public static void voice(short[] pcm, long start, int samples, double amplitude) {
        for (int i = 0; i < samples; i++) {
            double t = (start + i) / (double) RATE;
            double f0 = 140 + 12 * Math.sin(2 * Math.PI * 1.3 * t);
            double phase = 2 * Math.PI * (140 * t - 12 / (2 * Math.PI * 1.3) * Math.cos(2 * Math.PI * 1.3 * t));
            double s = 0;
            for (int h = 1; h <= 12; h++) {
                double formant = Math.exp(-Math.pow((h * f0 - 700) / 500, 2)) + 0.5 * Math.exp(-Math.pow(
                        (h * f0 - 1200) / 400, 2)) + 0.08;
                s += formant * Math.sin(h * phase) / h;
            }
            double env = 0.7 + 0.3 * Math.sin(2 * Math.PI * 4 * t);
            pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(amplitude * env * s)));
        }
    }

    /** Goertzel power of one channel at {@code hz}, normalised so a full-scale sine gives ~0.25. */
    public static double goertzel(short[] pcm, int channels, int channel, int from, int samples, double hz) {
        double w = 2 * Math.PI * hz / RATE;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < samples; i++) {
            double x = pcm[(from + i) * channels + channel] / 32768.0;
            double s0 = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return power / ((double) samples * samples);
    }

    /** The frequency (1 Hz resolution, 50 Hz to 8 kHz) with the most Goertzel power. */
    public static double peakFrequency(short[] pcm, int channels, int channel, int from, int samples) {
        double best = 0;
        double bestHz = 0;
        for (int hz = 50; hz <= 8000; hz += 10) {
            double p = goertzel(pcm, channels, channel, from, samples, hz);
            if (p > best) {
                best = p;
                bestHz = hz;
            }
        }
        for (double hz = bestHz - 10; hz <= bestHz + 10; hz += 1) {
            double p = goertzel(pcm, channels, channel, from, samples, hz);
            if (p > best) {
                best = p;
                bestHz = hz;
            }
        }
        return bestHz;
    }

    /**
     * Signal-to-noise ratio of a tone: the best-fitting sinusoid at {@code hz} (least squares on sin
     * and cos, so codec delay does not matter) against the residual.
     */
    public static double toneSnrDb(short[] pcm, int channels, int channel, int from, int samples, double hz) {
        double ss = 0;
        double sc = 0;
        double cc = 0;
        double xs = 0;
        double xc = 0;
        for (int i = 0; i < samples; i++) {
            double t = 2 * Math.PI * hz * i / RATE;
            double s = Math.sin(t);
            double c = Math.cos(t);
            double x = pcm[(from + i) * channels + channel];
            ss += s * s;
            cc += c * c;
            sc += s * c;
            xs += x * s;
            xc += x * c;
        }
        double det = ss * cc - sc * sc;
        double a = (xs * cc - xc * sc) / det;
        double b = (xc * ss - xs * sc) / det;
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < samples; i++) {
            double t = 2 * Math.PI * hz * i / RATE;
            double fit = a * Math.sin(t) + b * Math.cos(t);
            double x = pcm[(from + i) * channels + channel];
            signal += fit * fit;
            noise += (x - fit) * (x - fit);
        }
        return 10 * Math.log10(signal / Math.max(noise, 1e-9));
    }

    /** Amplitude of the best-fitting sinusoid at {@code hz}. */
    public static double toneAmplitude(short[] pcm, int channels, int channel, int from, int samples, double hz) {
        return Math.sqrt(goertzel(pcm, channels, channel, from, samples, hz)) * 2 * 32768;
    }

    public static double rms(short[] pcm, int from, int count) {
        double e = 0;
        for (int i = 0; i < count; i++) {
            e += (double) pcm[from + i] * pcm[from + i];
        }
        return Math.sqrt(e / Math.max(1, count));
    }

    /** Energy of the difference of two equal-length ranges. */
    public static double errorEnergy(short[] a, int aOff, short[] b, int bOff, int count) {
        double e = 0;
        for (int i = 0; i < count; i++) {
            double d = a[aOff + i] - b[bOff + i];
            e += d * d;
        }
        return e;
    }

    public static double energy(short[] a, int off, int count) {
        double e = 0;
        for (int i = 0; i < count; i++) {
            e += (double) a[off + i] * a[off + i];
        }
        return e;
    }
}
