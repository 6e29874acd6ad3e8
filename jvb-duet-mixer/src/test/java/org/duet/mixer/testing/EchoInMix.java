package org.duet.mixer.testing;

import org.duet.mixer.dsp.Biquad;
import org.duet.mixer.dsp.Fft;

/**
 * How loud an echo is in a decoded mix, measured where it can be told apart: in the time-frequency
 * cells where the echo stands alone. The test knows the echo exactly as it entered a singer's
 * microphone (what their room returned of their speakers) and the clean voices of everyone in the
 * mix. A cell (64 ms, 15.6 Hz, 16 kHz analysis, Blackman-Harris) counts when the echo there is
 * {@link #ALONE_DB} or more above the singer's own voice within +-94 Hz and +-48 ms, above the
 * loudest bin of any other voice in the mix within +-16 ms (the partner's direct voice in the
 * listener mix: a voice spreads codec noise over its codec bands, so the echo is read only where
 * that voice rests), and among the echo's own strong cells (within 30 dB of its loudest in that
 * frame). The echo's level is the mix's energy in those cells over the echo's energy there.
 *
 * <p>Why cells and energy, and not a regression on the echoed voice: in the listener mix the
 * partner's direct voice and its echo are two lagged copies of one voice, and a held note
 * correlates with itself 100-300 ms later, so a regression on both (or a response estimated from
 * that voice) cannot tell them apart; and an echo suppressor leaves an echo that a regression does
 * not see whole (a per-bin gain that changes every 10 ms: the coherent part is its mean gain, the
 * energy its mean square). Here direct voice and echo are never in the same cell, and the energy is
 * what it is, coherent or not. What this does not see: echo under the singer's own louder voice
 * (masked by it; a suppressor leaves that on purpose), reported as {@code coverage}. Its floor is
 * the codec noise of the singer's own voice in the cells beside it: with the mix's encoder too
 * (restricted-lowdelay, 64 kb/s), a voice with no echo at all reads -27 to -45 dB there (offline,
 * the unit test's duck run through that encoder read the same as no echo).
 *
 * <p>Alignment: where the singer's captured audio lands in the mix is found per half second by
 * cross-correlation with their own voice, the other voice likewise; a half second whose alignment
 * neither neighbour shares, or 100 ms from the run's median, is left out (a held note matches
 * itself elsewhere). Steps of a playout or a mix cursor (10-20 ms, often, under load) stay inside
 * the cells' neighbourhood.
 */
public final class EchoInMix {

    public static final int RATE = 48_000;
    static final int DEC = 3;
    static final int FS = RATE / DEC;       // 16 kHz analysis
    static final int N = 1024;              // 64 ms, 15.6 Hz bins
    static final int HOP = 256;             // 16 ms
    static final int BLOCK = FS / 2;        // alignment per half second
    /** A cell counts when the echo there stands this far above every clean voice around it. */
    public static final double ALONE_DB = 25;
    static final int NEAR_FRAMES = 3;       // +-48 ms around the singer's own voice (its alignment steps with the mix's)
    static final int NEAR_FRAMES_OTHER = 1; // +-16 ms around the other voice
    static final int NEAR_BINS = 6;         // +-94 Hz
    static final double LOW_HZ = 150;
    static final double HIGH_HZ = 6000;

    private EchoInMix() {
    }

    /**
     * @param levelDb   the mix's energy over the echo's, in the cells where the echo stands alone (dB)
     * @param coverage  share of the echo's energy (from {@code from}) in those cells
     * @param cells     how many cells
     * @param maskerDb  the clean voices' energy in those cells over the echo's (a floor for {@code levelDb})
     * @param aligned   share of the measured seconds whose alignment was found
     * @param lagsMs    where the singer's audio landed in the mix, per half second (ms), for the log
     * @param perSecond  {@code levelDb} per half second of the mix (by the frame's start), for the log
     * @param trimmedDb  {@code levelDb} without the loudest tenth of the half seconds (at least one)
     */
    public record Level(double levelDb, double coverage, int cells, double maskerDb, double aligned, String lagsMs,
                        String perSecond, double trimmedDb) {
        @Override
        public String toString() {
            return String.format("%.1f dB (%.1f dB without the loudest tenth of the half seconds) over %d cells (%.0f %% of the"
                    + " echo's energy; the voices there %.1f dB; aligned %.0f %%); per half second%s; lag ms %s", levelDb,
                    trimmedDb, cells, 100 * coverage, maskerDb, 100 * aligned, perSecond, lagsMs);
        }
    }

    /**
     * @param mix        the decoded mix (48 kHz), on its own time axis
     * @param echo       the echo as it entered the singer's microphone (48 kHz, the singer's device time)
     * @param own        the singer's own voice (same time axis as {@code echo}): aligns, and masks
     * @param other      another voice in the mix (its own time axis), or null: masks
     * @param fromSample first mix sample (48 kHz) measured
     */
    public static Level measure(float[] mix, float[] echo, float[] own, float[] other, int fromSample) {
        return measure(mix, echo, own, own, other, fromSample);
    }

    /**
     * The general form: the level of {@code target} in the mix where it stands alone against
     * {@code masker} (on its time axis) and {@code other} (on its own), aligned by {@code align}
     * (on the target's time axis). With {@code target} the singer's own voice and {@code masker}
     * the echo, this reads how much of their voice came through where no echo was.
     */
    public static Level measure(float[] mix, float[] target, float[] align, float[] masker, float[] other,
                                int fromSample) {
        float[] m = decimate(mix);
        float[] e = decimate(target);
        float[] a = decimate(align);
        float[] x = masker == align ? a : decimate(masker);
        float[] p = other == null ? null : decimate(other);
        int from = fromSample / DEC;
        int blocks = (m.length - from) / BLOCK;
        float[] eA = new float[m.length];
        float[] xA = new float[m.length];
        float[] pA = new float[m.length];
        boolean[] valid = new boolean[m.length];
        int globalX = strongestLag(a, m);
        int globalP = p == null ? 0 : strongestLag(p, m);
        StringBuilder lags = new StringBuilder();
        int alignedBlocks = 0;
        int[] lx = new int[blocks];
        int[] lp = new int[blocks];
        int lastP = globalP;
        for (int b = 0; b < blocks; b++) {
            int t0 = from + b * BLOCK;
            lx[b] = refineLag(a, m, t0, globalX);
            // the other voice may rest for a whole block: then it stays where it was
            int q = p == null ? 0 : refineLag(p, m, t0, globalP);
            lp[b] = q == Integer.MIN_VALUE ? lastP : q;
            lastP = lp[b];
            lags.append(lx[b] == Integer.MIN_VALUE ? " -" : String.format(" %.0f", lx[b] * 1000.0 / FS));
        }
        int medianX = median(lx);
        int medianP = median(lp);
        for (int b = 0; b < blocks; b++) {
            int t0b = from + b * BLOCK;
            if (lx[b] == Integer.MIN_VALUE || t0b - lx[b] + BLOCK > e.length
                    || Math.abs(lx[b] - medianX) > FS / 10 || p != null && Math.abs(lp[b] - medianP) > FS / 10) {
                continue; // past the end of what was sung, or far from where the rest of the run was (100 ms)
            }
            // An alignment that neither neighbour shares is a false one (a held note matches itself
            // elsewhere): left out. A block where a playout or the mix cursor stepped (10-20 ms, often
            // under load) keeps the alignment of most of it: the cells' neighbourhood (+-48 ms)
            // covers the rest.
            if (lx[b] == Integer.MIN_VALUE || outlier(lx, b) || p != null && outlier(lp, b)) {
                continue;
            }
            alignedBlocks++;
            int t0 = from + b * BLOCK;
            for (int t = t0; t < t0 + BLOCK; t++) {
                int s = t - lx[b];
                eA[t] = s >= 0 && s < e.length ? e[s] : 0f;
                xA[t] = s >= 0 && s < x.length ? x[s] : 0f;
                if (p != null) {
                    int u = t - lp[b];
                    pA[t] = u >= 0 && u < p.length ? p[u] : 0f;
                }
                valid[t] = true;
            }
        }
        // spectrograms (4-term Blackman-Harris: sidelobes 92 dB down, so a loud harmonic does not
        // spill into the cells beside it and pass for mix energy there)
        double[] w = new double[N];
        for (int i = 0; i < N; i++) {
            double ang = 2 * Math.PI * i / N;
            w[i] = 0.35875 - 0.48829 * Math.cos(ang) + 0.14128 * Math.cos(2 * ang) - 0.01168 * Math.cos(3 * ang);
        }
        int frames = Math.max(0, (m.length - from - N) / HOP + 1);
        int lo = (int) Math.ceil(LOW_HZ * N / FS);
        int hi = (int) Math.floor(HIGH_HZ * N / FS);
        int bins = hi - lo + 1;
        float[][] sm = new float[frames][];
        float[][] se = new float[frames][];
        float[][] sv = new float[frames][]; // the masker (the singer's own voice), per bin
        float[] so = new float[frames];     // the other voice's loudest bin
        Fft fft = Fft.shared(N);
        float[] re = new float[N];
        float[] im = new float[N];
        for (int f = 0; f < frames; f++) {
            int t0 = from + f * HOP;
            boolean ok = true;
            for (int i = 0; i < N && ok; i += 64) {
                ok = valid[t0 + i];
            }
            if (!ok || !valid[t0 + N - 1]) {
                continue;
            }
            sm[f] = power(m, t0, w, fft, re, im, lo, bins);
            se[f] = power(eA, t0, w, fft, re, im, lo, bins);
            sv[f] = power(xA, t0, w, fft, re, im, lo, bins);
            if (p != null) {
                float[] c = power(pA, t0, w, fft, re, im, lo, bins);
                for (int k = 0; k < bins; k++) {
                    so[f] = Math.max(so[f], c[k]);
                }
            }
        }
        double alone = Math.pow(10, ALONE_DB / 10);
        double mixIn = 0;
        double echoIn = 0;
        double maskIn = 0;
        double echoAll = 0;
        int cells = 0;
        double[] mixBy = new double[blocks + 1];
        double[] echoBy = new double[blocks + 1];
        for (int f = 0; f < frames; f++) {
            if (se[f] == null) {
                continue;
            }
            float top = 0;
            for (int k = 0; k < bins; k++) {
                top = Math.max(top, se[f][k]);
                echoAll += se[f][k];
            }
            for (int k = 0; k < bins; k++) {
                double ek = se[f][k];
                if (ek < top * 1e-3 || ek <= 0) {
                    continue; // the echo's strong cells only (its own weak ones carry codec noise)
                }
                double near = 0;
                boolean whole = true;
                for (int g = f - NEAR_FRAMES; g <= f + NEAR_FRAMES && whole; g++) {
                    if (g < 0 || g >= frames || sv[g] == null) {
                        whole = false;
                        break;
                    }
                    for (int j = Math.max(0, k - NEAR_BINS); j <= Math.min(bins - 1, k + NEAR_BINS); j++) {
                        near = Math.max(near, sv[g][j]);
                    }
                    if (Math.abs(g - f) <= NEAR_FRAMES_OTHER) {
                        near = Math.max(near, so[g]);
                    }
                }
                if (!whole || ek < alone * near) {
                    continue;
                }
                cells++;
                int b = Math.min(blocks, f * HOP / BLOCK);
                mixBy[b] += sm[f][k];
                echoBy[b] += ek;
                mixIn += sm[f][k];
                echoIn += ek;
                maskIn += sv[f][k] + so[f];
            }
        }
        double level = 10 * Math.log10((mixIn + 1e-30) / (echoIn + 1e-30));
        StringBuilder per = new StringBuilder();
        java.util.List<double[]> read = new java.util.ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            per.append(echoBy[b] == 0 ? " -" : String.format(" %.0f", 10 * Math.log10((mixBy[b] + 1e-30) / echoBy[b])));
            if (echoBy[b] > 0) {
                read.add(new double[] {mixBy[b] / echoBy[b], mixBy[b], echoBy[b]});
            }
        }
        read.sort((u, v) -> Double.compare(v[0], u[0]));
        double mixKept = 0;
        double echoKept = 0;
        for (int i = (read.size() + 9) / 10; i < read.size(); i++) {
            mixKept += read.get(i)[1];
            echoKept += read.get(i)[2];
        }
        double trimmed = 10 * Math.log10((mixKept + 1e-30) / (echoKept + 1e-30));
        return new Level(level, echoAll == 0 ? 0 : echoIn / echoAll, cells,
                10 * Math.log10((maskIn + 1e-30) / (echoIn + 1e-30)), blocks == 0 ? 0 : alignedBlocks / (double) blocks,
                lags.toString().trim(), per.toString(), trimmed);
    }

    /** The median of the found alignments (0 if none). */
    private static int median(int[] lags) {
        int[] v = java.util.Arrays.stream(lags).filter(l -> l != Integer.MIN_VALUE).sorted().toArray();
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    /** Block {@code b}'s alignment is within 25 ms of neither neighbour's. */
    private static boolean outlier(int[] lag, int b) {
        boolean before = b > 0 && near(lag[b], lag[b - 1]);
        boolean after = b + 1 < lag.length && near(lag[b], lag[b + 1]);
        return !before && !after;
    }

    private static boolean near(int a, int b) {
        return a != Integer.MIN_VALUE && b != Integer.MIN_VALUE && Math.abs(a - b) <= FS / 40;
    }

    private static float[] power(float[] s, int t0, double[] w, Fft fft, float[] re, float[] im, int lo, int bins) {
        for (int i = 0; i < N; i++) {
            re[i] = (float) (s[t0 + i] * w[i]);
            im[i] = 0;
        }
        fft.forward(re, im);
        float[] out = new float[bins];
        for (int k = 0; k < bins; k++) {
            out[k] = re[lo + k] * re[lo + k] + im[lo + k] * im[lo + k];
        }
        return out;
    }

    /**
     * The lag (mix sample = source sample + lag) of {@code src} in the mix's second from {@code t0},
     * within 400 ms of {@code around}; {@link Integer#MIN_VALUE} if it does not clearly correlate.
     */
    static int refineLag(float[] src, float[] mix, int t0, int around) {
        int reach = FS * 2 / 5;
        int n = Integer.highestOneBit(BLOCK + 2 * reach) * 2;
        float[] ar = new float[n];
        float[] ai = new float[n];
        float[] br = new float[n];
        float[] bi = new float[n];
        // a = src from t0 - around - reach, b = mix block at t0; corr[k] = sum b[i] a[i + k]
        int s0 = t0 - around - reach;
        double ea = 0;
        for (int i = 0; i < BLOCK + 2 * reach; i++) {
            int s = s0 + i;
            ar[i] = s >= 0 && s < src.length ? src[s] : 0f;
        }
        double eb = 0;
        for (int i = 0; i < BLOCK && t0 + i < mix.length; i++) {
            br[i] = mix[t0 + i];
            eb += br[i] * br[i];
        }
        Fft fft = Fft.shared(n);
        fft.forward(ar, ai);
        fft.forward(br, bi);
        for (int k = 0; k < n; k++) {
            float r = ar[k] * br[k] + ai[k] * bi[k];
            float i = ai[k] * br[k] - ar[k] * bi[k];
            ar[k] = r;
            ai[k] = i;
        }
        fft.inverse(ar, ai); // ar[k] = sum_i a[i + k] b[i] (times n, by the inverse's scaling convention)
        int best = -1;
        double bestV = 0;
        for (int k = 0; k <= 2 * reach; k++) {
            if (ar[k] > bestV) {
                bestV = ar[k];
                best = k;
            }
        }
        if (best < 0) {
            return Integer.MIN_VALUE;
        }
        for (int i = 0; i < BLOCK; i++) {
            int s = s0 + best + i;
            float v = s >= 0 && s < src.length ? src[s] : 0f;
            ea += v * v;
        }
        double scale = inverseScale(n);
        double corr = bestV * scale / Math.sqrt(ea * eb + 1e-30);
        if (corr < 0.3) {
            return Integer.MIN_VALUE;
        }
        // mix[t0 + i] ~ src[s0 + best + i]: lag = t0 - (s0 + best)
        return t0 - (s0 + best);
    }

    /** What {@link Fft#inverse} multiplies a circular correlation by (1 if it normalises, else 1/n). */
    private static double inverseScale(int n) {
        float[] r = new float[n];
        float[] i = new float[n];
        r[0] = 1;
        Fft f = Fft.shared(n);
        f.forward(r, i);
        f.inverse(r, i);
        return 1.0 / r[0];
    }

    /** Lag (samples, y after x) of the strongest cross-correlation of x and y over the whole signals. */
    static int strongestLag(float[] x, float[] y) {
        int n = Integer.highestOneBit(Math.max(x.length, y.length) * 2 - 1) * 2;
        float[] ar = new float[n];
        float[] ai = new float[n];
        float[] br = new float[n];
        float[] bi = new float[n];
        System.arraycopy(x, 0, ar, 0, x.length);
        System.arraycopy(y, 0, br, 0, y.length);
        Fft fft = Fft.shared(n);
        fft.forward(ar, ai);
        fft.forward(br, bi);
        for (int k = 0; k < n; k++) {
            float r = br[k] * ar[k] + bi[k] * ai[k];
            float i = bi[k] * ar[k] - br[k] * ai[k];
            br[k] = r;
            bi[k] = i;
        }
        fft.inverse(br, bi);
        int best = 0;
        for (int k = 0; k < n; k++) {
            if (br[k] > br[best]) {
                best = k;
            }
        }
        return best < n / 2 ? best : best - n;
    }

    /**
     * {@code voice} sung in short phrases: a breath (silence) of 250 to 350 ms after every 300 to
     * 700 ms, with 15 ms fades. An echo of it arrives 100 to 400 ms later, so part of every echoed
     * phrase end is heard while the voice itself rests: where the echo can be read in a mix that
     * also carries that voice directly (the listener mix), clear of the codec noise the direct voice
     * spreads around its own notes.
     */
    public static float[] withBreaths(float[] voice, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] out = new float[voice.length];
        int fade = RATE * 15 / 1000;
        int i = 0;
        while (i < voice.length) {
            int on = RATE * (300 + r.nextInt(400)) / 1000;
            int off = RATE * (250 + r.nextInt(100)) / 1000;
            for (int n = 0; n < on && i < voice.length; n++, i++) {
                float g = Math.min(1f, Math.min(n, on - n) / (float) fade);
                out[i] = voice[i] * g;
            }
            i += off;
        }
        return out;
    }

    /** 48 kHz -> 16 kHz (6 kHz low-pass, every third sample). */
    public static float[] decimate(float[] x) {
        Biquad a = new Biquad().lowPass(6000, 0.5412, RATE);
        Biquad b = new Biquad().lowPass(6000, 1.3066, RATE);
        float[] y = new float[x.length / DEC];
        for (int i = 0; i < y.length * DEC; i++) {
            float v = b.process(a.process(x[i]));
            if (i % DEC == DEC - 1) {
                y[i / DEC] = v;
            }
        }
        return y;
    }
}
