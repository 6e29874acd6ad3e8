package org.duet.mixer.echo;

import org.duet.mixer.dsp.Fft;
import org.duet.mixer.dsp.RealInverseFft;

/**
 * Finds the mix we sent a singer in the audio that singer sends back: an echo path (speakers into
 * the microphone). Both signals are placed on the server's sample clock - what we sent by when it
 * left, what came back by its capture time - and decimated to 4 kHz. Every 250 ms of returned
 * audio it cross-correlates the last 1.024 s of it with what we sent over the 500 ms before, by
 * FFT, with the phase transform (GCC-PHAT) on a cross-spectrum averaged over blocks: every
 * frequency counts equally, so a codec's spectral changes and the singer's own voice (which does
 * not correlate) blur the peak but do not move it. An echo is reported when the peak stands well
 * clear of the rest of the correlation (12.5 standard deviations, 0.05 of perfect coherence, and
 * 2.5 times the highest value more than 2 ms away, which two voices singing the same pitch - a
 * comb of equal peaks one period apart - do not reach) at the same lag (within 1 ms) in two
 * analyses in a row, and comes back at most {@link #MAX_RETURN_LOSS_DB} (35 dB) below what we sent
 * (the least-squares gain of the sent signal at that lag: the echo return loss; faint paths - a
 * headphone's leak, a tone's coding noise - were reported at 55 to 108 dB before this bound), not
 * at the edges of the lag range; it clears after 1 s (8 analyses) without one. The thresholds were set on Opus-coded singing-like
 * material (EchoDetectorTest): echoes at -10 dB score 15 to 22, two voices in the same key at
 * most 11.4 after the runner-up test.
 *
 * <p>Cost per singer every 125 ms: one 8192-point complex FFT (mic and reference share it), the
 * averaged cross-spectrum on its 4097 non-negative bins (the rest mirror them: both signals are
 * real), and the real correlation back through one 4096-point FFT. No allocation after construction
 * (the working arrays, shared by the detectors of one thread, come with its first analysis).
 */
public final class EchoDetector {

    /** Decimated rate. */
    static final int RATE = 48_000 / Decimator.FACTOR;
    private static final int WINDOW = 4096;
    private static final int MAX_LAG = RATE / 2;          // 500 ms
    private static final int N = 8192;                    // >= WINDOW + MAX_LAG
    private static final int EVERY = RATE / 8;            // 125 ms
    private static final float ALPHA = 0.85f;             // cross-spectrum averaging per analysis
    private static final double SCORE = 12.5;             // peak clearance, standard deviations
    private static final double RATIO = 2.5;              // peak over the runner-up 2 ms or more away
    private static final double MOVED_RATIO = 1.25;       // the same, for a reported echo's path that moved
    /**
     * An echo further below what we sent is not one (dB): laptop speakers return 0 to 20 dB below,
     * headphones leak 40 dB and more below, which no singer hears over their own voice.
     */
    static final double MAX_RETURN_LOSS_DB = 35;

    private static final Fft FFT = Fft.shared(N);

    /**
     * What an analysis works in and leaves nothing in: the transforms' input and output, the
     * windows. One set per thread, used by every detector on it in turn (a media loop runs its
     * singers' analyses one after another); it was 190 KB per singer, which 40 singers' analyses
     * pushed each other out of the caches with. Only the averaged cross-spectrum (sr, si) carries
     * from one analysis to the next, and stays with its detector.
     */
    private static final class Scratch {
        final RealInverseFft inverse = new RealInverseFft(N);
        final float[] xr = new float[N];
        final float[] xi = new float[N];
        final float[] rr = new float[N / 2 + 1];
        final float[] ri = new float[N / 2 + 1];
        final float[] corr = new float[N];
        final float[] micWin = new float[WINDOW];
        final float[] refWin = new float[WINDOW + MAX_LAG];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Decimator mic = new Decimator(16_384);
    private final Decimator ref = new Decimator(16_384);
    private final float[] sr = new float[N / 2 + 1];
    private final float[] si = new float[N / 2 + 1];
    private long nextAnalysis = Long.MIN_VALUE;

    private int candidateLag = -1;
    private int run;
    private int misses;
    private volatile boolean echo;
    private volatile double delayMs = Double.NaN;
    private volatile double returnLossDb = Double.NaN;
    private volatile double lastScore;
    private volatile double lastPeakRatio;
    private volatile double lastReturnLossDb = Double.NaN;
    private volatile long analyses;
    private volatile long firstDetectionMicPosition = Long.MIN_VALUE;
    private int reportedLag = -1;
    /** The reported delay came from a moved path and the full runner-up test has not passed there yet. */
    private boolean followingMove;
    /** {@link #analyses} at the last analysis that reported the echo. */
    private long lastReportedAnalysis = Long.MIN_VALUE / 2;
    /**
     * For 10 s after an echo was last reported, a peak at a new lag needs only the moved-path ratio:
     * a path that moved by more than the averaged cross-spectrum follows within the 1 s of misses
     * that ends a report (a playout growing in steps under load) was otherwise found again only
     * when its new peak stood 2.5 times over the fading old one, seconds later (duck room runs:
     * the echo let through for 2-4 s after each move).
     */
    private static final long RECENT_ANALYSES = 80;
    /** The last analysis's peak lag, decimated samples (for tests). */
    int lastLag;

    /** What we sent the singer: {@code n} samples that left at 48 kHz server positions {@code position...}. */
    public void onSent(float[] x, int off, int n, long position) {
        ref.write(x, off, n, position);
    }

    /** What the singer sent back: {@code n} samples captured at 48 kHz positions {@code position...}. */
    public void onReturned(float[] x, int off, int n, long position) {
        mic.write(x, off, n, position);
        long end = mic.end();
        if (nextAnalysis == Long.MIN_VALUE) {
            nextAnalysis = end + WINDOW;
        }
        if (end >= nextAnalysis) {
            nextAnalysis = end + EVERY;
            analyse(end);
        }
    }

    private void analyse(long end) {
        Scratch w = SCRATCH.get();
        float[] micWin = w.micWin;
        float[] refWin = w.refWin;
        float[] xr = w.xr;
        float[] xi = w.xi;
        float[] rr = w.rr;
        float[] ri = w.ri;
        float[] corr = w.corr;
        long micFrom = end - WINDOW;
        if (mic.read(micFrom, micWin, WINDOW) < WINDOW * 3 / 4
                || ref.read(micFrom - MAX_LAG, refWin, WINDOW + MAX_LAG) < WINDOW / 2) {
            return; // not enough of both signals (a singer just joined, a gap)
        }
        if (energy(micWin, WINDOW) < 1e-7 * WINDOW || energy(refWin, WINDOW + MAX_LAG) < 1e-7 * WINDOW) {
            return; // silence on either side says nothing about an echo path
        }
        analyses++;
        // Both signals are real, so one complex FFT of z = mic + i ref gives both spectra (two
        // transforms per analysis instead of three; the detectors are the media loop's largest cost):
        //   Mic[k] = (Z[k] + conj Z[N-k]) / 2,   Ref[k] = (Z[k] - conj Z[N-k]) / 2i
        System.arraycopy(micWin, 0, xr, 0, WINDOW);
        java.util.Arrays.fill(xr, WINDOW, N, 0f); // zero padding: only what the copies leave
        System.arraycopy(refWin, 0, xi, 0, WINDOW + MAX_LAG);
        java.util.Arrays.fill(xi, WINDOW + MAX_LAG, N, 0f);
        FFT.forward(xr, xi);
        // Bins 0..N/2 only: the cross-spectrum of two real signals mirrors itself (C[N-k] = conj C[k],
        // term by term below, so its average and phase transform do too), and the correlation is real.
        for (int k = 0; k <= N / 2; k++) {
            int j = (N - k) & (N - 1);
            float mr = 0.5f * (xr[k] + xr[j]);
            float mi = 0.5f * (xi[k] - xi[j]);
            float gr = 0.5f * (xi[k] + xi[j]);
            float gi = 0.5f * (xr[j] - xr[k]);
            // conj(Mic) * Ref
            float cr = mr * gr + mi * gi;
            float ci = mr * gi - mi * gr;
            sr[k] = ALPHA * sr[k] + (1 - ALPHA) * cr;
            si[k] = ALPHA * si[k] + (1 - ALPHA) * ci;
            float mag = (float) Math.sqrt(sr[k] * sr[k] + si[k] * si[k]) + 1e-12f;
            rr[k] = sr[k] / mag;
            ri[k] = si[k] / mag;
        }
        w.inverse.inverse(rr, ri, corr);
        int best = 0;
        float peak = -1;
        double sum = 0;
        double sum2 = 0;
        for (int k = 0; k <= MAX_LAG; k++) {
            float v = corr[k];
            sum += v;
            sum2 += v * v;
            if (v > peak) {
                peak = v;
                best = k;
            }
        }
        // The runner-up more than 2 ms away: two harmonic voices at the same pitch correlate at every
        // multiple of their period (a comb of equal peaks); an echo path gives one peak.
        float second = -1;
        for (int k = 0; k <= MAX_LAG; k++) {
            if (Math.abs(k - best) > RATE / 500 && corr[k] > second) {
                second = corr[k];
            }
        }
        lastPeakRatio = second > 0 ? peak / second : 99;
        double mean = sum / (MAX_LAG + 1);
        double std = Math.sqrt(Math.max(1e-20, sum2 / (MAX_LAG + 1) - mean * mean));
        double score = (peak - mean) / std;
        lastScore = score;
        int lag = MAX_LAG - best;
        lastLag = lag;
        // A reported echo whose path moved (a receiver's jitter buffer grew after a stall: the echo
        // comes back later): the averaged cross-spectrum holds the old lag's peak for a second or
        // more while the new one grows, so the new peak clears the runner-up (the old one) by 2.5
        // only seconds later, and meanwhile the duck policy ducks at the wrong delay or not at all
        // (measured: 2.5 s without a usable delay after a 209 ms jump, 3 to 5 s in a loaded room).
        // The runner-up test is there against a first false detection (two voices at one pitch give
        // a comb of equal peaks); to follow an echo already found, 1.25 is enough.
        // (and at that new lag until the full test passes there: the old peak fades for a while)
        boolean recent = echo || analyses - lastReportedAnalysis <= RECENT_ANALYSES;
        boolean moved = recent && (followingMove || Math.abs(lag - reportedLag) > RATE / 1000);
        boolean found = score >= SCORE && peak >= 0.05 && lastPeakRatio >= (moved ? MOVED_RATIO : RATIO);
        double loss = Double.NaN;
        if (found) {
            // The phase transform weighs every frequency equally, so a faint path (headphones
            // leaking, a test tone's coding noise) can peak as clearly as a loud one: only an echo
            // a singer could hear counts, and not a peak at the search range's edges.
            loss = returnLoss(micWin, refWin, best);
            lastReturnLossDb = loss;
            found = loss <= MAX_RETURN_LOSS_DB && lag > RATE / 500 && lag < MAX_LAG - RATE / 500;
        }
        if (found && candidateLag >= 0 && Math.abs(lag - candidateLag) <= RATE / 1000) {
            run++;
        } else {
            run = found ? 1 : 0;
        }
        candidateLag = found ? lag : -1;
        if (run >= 2) {
            misses = 0;
            if (!echo) {
                firstDetectionMicPosition = end * Decimator.FACTOR;
            }
            echo = true;
            delayMs = lag * 1000.0 / RATE;
            followingMove = lastPeakRatio < RATIO;
            reportedLag = lag;
            returnLossDb = loss;
            lastReportedAnalysis = analyses;
        } else if (echo && ++misses >= 8) {
            echo = false;
            followingMove = false;
        }
    }

    /** -20 log10 of the least-squares gain of the sent signal at the found lag. */
    private static double returnLoss(float[] micWin, float[] refWin, int k) {
        double xy = 0;
        double yy = 0;
        for (int n = 0; n < WINDOW; n++) {
            float r = refWin[n + k];
            xy += micWin[n] * r;
            yy += r * r;
        }
        double g = Math.abs(xy / Math.max(yy, 1e-20));
        return -20 * Math.log10(Math.max(g, 1e-6));
    }

    private static double energy(float[] x, int n) {
        double e = 0;
        for (int i = 0; i < n; i++) {
            e += x[i] * x[i];
        }
        return e;
    }

    public boolean echo() {
        return echo;
    }

    /** Delay from sending to the echo's capture, ms (NaN until found). */
    public double delayMs() {
        return delayMs;
    }

    /** Echo return loss, dB: how far below what we sent the echo comes back (NaN until found). */
    public double returnLossDb() {
        return returnLossDb;
    }

    /** The last analysis's peak clearance in standard deviations (for logs and tuning). */
    public double lastScore() {
        return lastScore;
    }

    /** Return loss at the last analysis's peak when it passed the correlation tests (NaN before), dB. */
    public double lastReturnLossDb() {
        return lastReturnLossDb;
    }

    public double lastPeakRatio() {
        return lastPeakRatio;
    }

    public long analyses() {
        return analyses;
    }

    /** Capture position (48 kHz) at which the echo was first reported, MIN_VALUE if never. */
    public long firstDetectionPosition() {
        return firstDetectionMicPosition;
    }
}
