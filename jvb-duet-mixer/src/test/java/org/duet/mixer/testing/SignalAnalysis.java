package org.duet.mixer.testing;

/** Measurements on decoded audio for tests: tone levels and click timing. */
public final class SignalAnalysis {

    private SignalAnalysis() {
    }

    /**
     * Level of the {@code hz} component in {@code x[from, from+len)}, in dB relative to a
     * full-scale sine, using a Hann-windowed Goertzel filter (narrow band: codec noise spread
     * over the spectrum barely registers, a tone does).
     */
    public static double toneLevelDb(float[] x, int from, int len, double hz) {
        double w = 2 * Math.PI * hz / 48_000.0;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        double windowSum = 0;
        for (int i = 0; i < len; i++) {
            double win = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (len - 1));
            windowSum += win;
            double s = x[from + i] * win + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        double amplitude = 2 * Math.sqrt(Math.max(power, 0)) / windowSum;
        return 20 * Math.log10(Math.max(amplitude, 1e-12));
    }

    /**
     * How far (dB) the tone at {@code quietHz} sits below the tone at {@code loudHz}: the median
     * over half-second windows (hop 1/8 s) of {@code x[from, from+len)}. The median ignores the
     * odd window with a glitch (a concealed packet, a playout step), whose broadband splatter
     * would otherwise mask a very quiet tone; a tone that is really there shows in every window.
     * A half-second window still puts Opus's coding noise more than 100 dB down at the test
     * frequencies.
     */
    public static double medianRejectionDb(float[] x, int from, int len, double loudHz, double quietHz) {
        return medianOverHalfSeconds(from, len,
                at -> toneLevelDb(x, at, HALF_SECOND, loudHz) - toneLevelDb(x, at, HALF_SECOND, quietHz));
    }

    /**
     * How far under the partner's voice ({@code partnerHz}) a singer's own voice ({@code ownHz}) is
     * in what that singer hears, over the half seconds (hop 1/8 s) in which the partner is heard at
     * all (above -30 dBFS), median. A window with neither voice says nothing about mix-minus: while a
     * latency calibration plays its clicks, the singer's mix carries only the clicks (sync/RoomSync).
     * Fails unless the partner is heard in at least {@code minWindows} windows.
     */
    public static double rejectionWhilePartnerHeardDb(float[] x, int from, double partnerHz, double ownHz,
                                                      int minWindows) {
        java.util.List<Double> r = new java.util.ArrayList<>();
        for (int at = from; at + HALF_SECOND <= x.length; at += HALF_SECOND / 4) {
            double partner = toneLevelDb(x, at, HALF_SECOND, partnerHz);
            if (partner > -30) {
                r.add(partner - toneLevelDb(x, at, HALF_SECOND, ownHz));
            }
        }
        if (r.size() < minWindows) {
            throw new AssertionError("the partner was heard in only " + r.size() + " half-second windows ("
                    + minWindows + " needed)");
        }
        return r.stream().mapToDouble(Double::doubleValue).sorted().toArray()[r.size() / 2];
    }

    /**
     * A singer's own voice in what that singer hears, over the half seconds (hop 1/8 s) of
     * {@code x[from, from+len)} in which the partner is heard (above -30 dBFS): the own tone's
     * level under the partner's, median over those windows, and median over the clean ones: those
     * where the spectrum beside the own tone (the median level at {@code ownHz} +-20, 30, 40 Hz)
     * is at least {@value #CLEAN_FLOOR_DB} dB under the partner.
     *
     * <p>Why not the median over every window: a gap in the received stream or a concealed or
     * stepped packet splatters broadband energy that reads 60-85 dB under the partner at any
     * frequency, the own tone's included; on a loaded machine most windows hold one (measured in
     * PlainRtpDuetTest at load 15-27: the level at ownHz tracks the spectrum beside it within a few
     * dB, median 0-0.5 dB over it; windows without a gap read 95-115 dB). Such a window cannot show
     * a tone 90 dB down, whatever the mixer does. A leak is a tone in every window: in a clean one
     * it reads as itself.
     */
    public static OwnVoice ownVoiceWhilePartnerHeard(float[] x, int from, int len, double partnerHz, double ownHz) {
        java.util.List<Double> all = new java.util.ArrayList<>();
        java.util.List<Double> clean = new java.util.ArrayList<>();
        double[] beside = new double[BESIDE_HZ.length];
        for (int at = from; at + HALF_SECOND <= Math.min(x.length, from + len); at += HALF_SECOND / 4) {
            double partner = toneLevelDb(x, at, HALF_SECOND, partnerHz);
            if (partner > -30) {
                double rejection = partner - toneLevelDb(x, at, HALF_SECOND, ownHz);
                for (int i = 0; i < beside.length; i++) {
                    beside[i] = toneLevelDb(x, at, HALF_SECOND, ownHz + BESIDE_HZ[i]);
                }
                java.util.Arrays.sort(beside);
                all.add(rejection);
                if (partner - (beside[2] + beside[3]) / 2 >= CLEAN_FLOOR_DB) {
                    clean.add(rejection);
                }
            }
        }
        return new OwnVoice(median(all), median(clean), clean.size(), all.size());
    }

    private static double median(java.util.List<Double> v) {
        return v.isEmpty() ? Double.NaN : v.stream().mapToDouble(Double::doubleValue).sorted().toArray()[v.size() / 2];
    }

    /** Offsets (Hz) from the own tone where {@link #ownVoiceWhilePartnerHeard} reads the spectrum beside it. */
    private static final double[] BESIDE_HZ = {-40, -30, -20, 20, 30, 40};

    /** A window whose spectrum beside the own tone is this far under the partner can show a tone 90 dB down. */
    public static final double CLEAN_FLOOR_DB = 95;

    /** See {@link #ownVoiceWhilePartnerHeard}. */
    public record OwnVoice(double medianRejectionDb, double cleanRejectionDb, int cleanWindows, int windows) {
        @Override
        public String toString() {
            return String.format("%.1f dB under the partner over %d windows, %.1f dB over the %d clean ones",
                    medianRejectionDb, windows, cleanRejectionDb, cleanWindows);
        }
    }

    /**
     * The tone's level (as {@link #toneLevelDb}) over half-second windows (hop 1/8 s), median:
     * what a listener hears most of the time, not lowered by one glitch on a busy machine.
     */
    public static double medianToneLevelDb(float[] x, int from, int len, double hz) {
        return medianOverHalfSeconds(from, len, at -> toneLevelDb(x, at, HALF_SECOND, hz));
    }

    private static final int HALF_SECOND = 24_000;

    /** 40 ms: 80 periods of a 2 kHz tone, bins far narrower than the gap to a 660 Hz voice. */
    private static final int SHORT_WINDOW = 1_920;

    /**
     * The tone's level (as {@link #toneLevelDb}) over 40 ms windows (hop 20 ms), median: for a
     * level compared between two stretches of a mixer's output. A mix output that steps its read
     * position (a playout cursor step after a late voice, a dropped packet) puts a phase jump into
     * a steady tone; a half-second window straddling it adds the two phases and reads the tone up
     * to several dB low (a 90 degree jump in its middle: -3 dB), and with a hop of 1/8 s one jump
     * sits in most windows of a second. A 40 ms window holds the jump in two or three of 49
     * windows, which the median leaves out. See SignalAnalysisTest.
     */
    public static double medianShortToneLevelDb(float[] x, int from, int len, double hz) {
        int hop = SHORT_WINDOW / 2;
        int count = Math.max(1, (len - SHORT_WINDOW) / hop + 1);
        double[] r = new double[count];
        for (int i = 0; i < count; i++) {
            r[i] = toneLevelDb(x, from + i * hop, SHORT_WINDOW, hz);
        }
        java.util.Arrays.sort(r);
        return r[count / 2];
    }

    /** Median of {@code measure(windowStart)} over half-second windows with a hop of 1/8 s. */
    private static double medianOverHalfSeconds(int from, int len, java.util.function.IntToDoubleFunction measure) {
        int hop = HALF_SECOND / 4;
        int count = Math.max(1, (len - HALF_SECOND) / hop + 1);
        double[] r = new double[count];
        for (int i = 0; i < count; i++) {
            r[i] = measure.applyAsDouble(from + i * hop);
        }
        java.util.Arrays.sort(r);
        return r[count / 2];
    }

    /** RMS level in dBFS of {@code x[from, from+len)}. */
    public static double rmsDb(float[] x, int from, int len) {
        double e = 0;
        for (int i = 0; i < len; i++) {
            e += (double) x[from + i] * x[from + i];
        }
        return 10 * Math.log10(Math.max(e / Math.max(1, len), 1e-24));
    }

    /**
     * Positions where {@code template} matches best in {@code x}: the peak of the normalised
     * cross-correlation in each window of {@code period} samples, when it exceeds {@code threshold}.
     */
    public static int[] findClicks(float[] x, float[] template, int period, double threshold) {
        int[] found = new int[x.length / Math.max(1, period) + 1];
        int n = 0;
        double tEnergy = 0;
        for (float v : template) {
            tEnergy += v * v;
        }
        for (int start = 0; start + period <= x.length; start += period) {
            double best = threshold;
            int bestAt = -1;
            for (int i = start; i < start + period && i + template.length <= x.length; i++) {
                double dot = 0;
                double xe = 0;
                for (int k = 0; k < template.length; k++) {
                    dot += x[i + k] * template[k];
                    xe += x[i + k] * x[i + k];
                }
                double score = dot / Math.sqrt(tEnergy * Math.max(xe, 1e-12));
                if (score > best) {
                    best = score;
                    bestAt = i;
                }
            }
            if (bestAt >= 0) {
                found[n++] = bestAt;
            }
        }
        return java.util.Arrays.copyOf(found, n);
    }
}
