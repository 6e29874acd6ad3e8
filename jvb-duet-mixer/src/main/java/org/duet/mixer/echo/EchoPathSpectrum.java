package org.duet.mixer.echo;

import org.duet.mixer.dsp.Biquad;
import org.duet.mixer.dsp.RealForwardFft;

/**
 * How loud, frequency by frequency, a singer's microphone gives back what we send them: the
 * magnitude of their echo path (their speakers, room and microphone, their page's processing, the
 * network both ways) in 31 Hz bins from 250 Hz to 6 kHz. One leg of a feedback loop between two
 * singers on speakers; {@link LoopGainGuard} multiplies the two legs and breaks the loop where
 * the product nears 1, before anything howls.
 *
 * <p>Both signals are placed on the server's sample clock (what we sent by when it left, what came
 * back by its capture time), decimated to 16 kHz, and cut into 32 ms Hann frames every 10 ms (what
 * we sent) and every 20 ms (what came back). For every bin and every lag of 0 to 790 ms in 10 ms
 * steps this averages (over about 1 s) the cross-spectrum of the returned frame with the sent
 * frame that lag earlier: a path of gain H at that delay gives H times the sent power there, the
 * singer's own voice averages away. {@link #analyse} then takes the leg's delay (the lag where
 * the most bins correlate, summed coherence) and per bin |H|^2 from the cross-spectrum at that lag
 * and the better neighbour (an echo between two 10 ms steps falls on both), less what the singer's
 * own voice leaves in the average by chance (the estimator's known bias), smoothed over three
 * bins. A bin whose sent level is too low against what came back to tell (that bias above
 * {@link #MAX_NOISE}) keeps what it read last (0 if never measured).
 *
 * <p>A closed loop needs no sung energy at its frequency to be measured: what circulates in it is
 * in both signals, so it correlates from its first round trips, long before it is heard as a howl.
 *
 * <p>Media loop only; no allocation after construction. Cost per singer: two 512-point real FFTs
 * per 20 ms and 80 x 185 complex multiply-adds per 20 ms; {@link #analyse} (every 100 ms) one pass
 * over the same accumulators.
 */
public final class EchoPathSpectrum {

    private static final int DECIMATE = 3;
    static final float RATE = 48_000f / DECIMATE;
    static final int N = 512;                             // 32 ms frames, 31.25 Hz bins
    static final int HOP = 160;                           // 10 ms: the lag step
    private static final int HOP48 = HOP * DECIMATE;
    static final int MIN_BIN = 8;                         // 250 Hz
    static final int MAX_BIN = 192;                       // 6 kHz
    static final int BINS = MAX_BIN - MIN_BIN + 1;
    /** Lags 0..LAGS-1 hops: 0 to 790 ms from sending to capture (a loaded receiver's playout included). */
    static final int LAGS = 80;
    private static final int SLOTS = 128;                 // sent frames kept, power of two > LAGS + 2
    private static final int RING = 1024;                // decimated samples kept per signal
    /** Per returned frame (50 a second): about a 1 s average. */
    private static final float ALPHA = 0.98f;
    /**
     * The bias that a returned signal uncorrelated with what was sent leaves in |H|^2, per unit of
     * returned/sent power: (1 - ALPHA) / (1 + ALPHA) for independent frames, times 1.6 for frames
     * 20 ms apart that overlap by 12 ms (measured on independent voices, EchoPathSpectrumTest).
     */
    static final float NOISE_PER_POWER_RATIO = 1.6f * (1 - ALPHA) / (1 + ALPHA);
    /** A bin whose bias exceeds this (|H| uncertain by about 0.3) says nothing: it reads 0. */
    static final float MAX_NOISE = 0.1f;
    /** The correlation floor beside the echo's lag: lags this many steps either side (40-60 ms). */
    private static final int FLOOR_FROM = 4;
    private static final int FLOOR_TO = 6;
    /** Returned frames before the estimate means anything (1 s). */
    private static final int WARM_UP_FRAMES = 50;

    private final Biquad[] sentFilter = antiAlias();
    private final Biquad[] backFilter = antiAlias();
    private final RealForwardFft fft = new RealForwardFft(N);
    private final float[] window = new float[N];
    private final float[] frame = new float[N];
    private final float[] re = new float[N / 2 + 1];
    private final float[] im = new float[N / 2 + 1];

    private final float[] sentRing = new float[RING];
    private final float[] backRing = new float[RING];
    private long sentNext = Long.MIN_VALUE;               // next 48 kHz position expected
    private long backNext = Long.MIN_VALUE;

    /** Sent spectra by frame index (a frame ends on a 10 ms grid of sent positions). */
    private final float[][] xr = new float[SLOTS][BINS];
    private final float[][] xi = new float[SLOTS][BINS];
    /** Per sent frame: the average sent power of its parity's chain (frames 20 ms apart) up to it. */
    private final float[][] xPow = new float[SLOTS][BINS];
    private final long[] slotFrame = new long[SLOTS];
    private final float[][] chainPow = new float[2][BINS];
    /** Cross-spectrum averages, [lag][bin]. */
    private final float[][] cr = new float[LAGS][BINS];
    private final float[][] ci = new float[LAGS][BINS];
    private final float[] yPow = new float[BINS];
    private long returnedFrames;
    private long lastReturned;

    // analysis results
    /** Correlation of two Hann frames {@code i} decimated samples apart, i = 0..HOP. */
    private final float[] frameOverlap = new float[HOP + 1];
    private final float[] h2 = new float[BINS];
    /** Per bin |H|^2 before smoothing; a bin that cannot be measured keeps its last value. */
    private final float[] raw = new float[BINS];
    private int lag = -1;

    public EchoPathSpectrum() {
        for (int i = 0; i < N; i++) {
            window[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / N));
        }
        java.util.Arrays.fill(slotFrame, Long.MIN_VALUE);
        double energy = 0;
        for (int i = 0; i < N; i++) {
            energy += window[i] * window[i];
        }
        for (int d = 0; d <= HOP; d++) {
            double c = 0;
            for (int i = d; i < N; i++) {
                c += window[i] * window[i - d];
            }
            frameOverlap[d] = (float) (c / energy);
        }
    }

    private static Biquad[] antiAlias() {
        return new Biquad[] {new Biquad().lowPass(6500, 0.5176, 48_000), new Biquad().lowPass(6500, 0.7071, 48_000),
            new Biquad().lowPass(6500, 1.9319, 48_000)};
    }

    /** What we sent the singer: {@code n} samples that left at 48 kHz server positions {@code position...}. */
    public void onSent(float[] x, int off, int n, long position) {
        sentNext = write(x, off, n, position, sentNext, sentFilter, sentRing, true);
    }

    /** What the singer sent back: {@code n} samples captured at 48 kHz positions {@code position...}. */
    public void onReturned(float[] x, int off, int n, long position) {
        backNext = write(x, off, n, position, backNext, backFilter, backRing, false);
    }

    /**
     * Filters, decimates and frames {@code n} samples at {@code position}; returns the next position
     * expected. A gap up to 1 s is filled with silence (a skipped tick, a lost packet); a longer one
     * restarts the stream's frames; samples already seen are skipped.
     */
    private long write(float[] x, int off, int n, long position, long next, Biquad[] f, float[] ring, boolean sent) {
        if (next == Long.MIN_VALUE || position > next + 48_000 || position < next - 48_000) {
            next = position;
        }
        for (long p = next; p < position; p++) {
            next = sample(0f, p, f, ring, sent);
        }
        for (int i = (int) Math.max(0, next - position); i < n; i++) {
            next = sample(x[off + i], position + i, f, ring, sent);
        }
        return next;
    }

    private long sample(float v, long p, Biquad[] f, float[] ring, boolean sent) {
        float a = f[2].process(f[1].process(f[0].process(v)));
        if (Math.floorMod(p, DECIMATE) == DECIMATE - 1) {
            long d = Math.floorDiv(p, DECIMATE);
            ring[(int) (d & (RING - 1))] = a;
            if (Math.floorMod(p + 1, HOP48) == 0) {
                long index = Math.floorDiv(p + 1, HOP48);
                if (sent) {
                    sentFrame(index, d);
                } else if ((index & 1) == 0) {
                    returnedFrame(index, d);
                }
            }
        }
        return p + 1;
    }

    /** Spectrum of the 32 ms ending at decimated position {@code d} of {@code ring}, bins MIN..MAX into re/im. */
    private void spectrum(float[] ring, long d) {
        for (int i = 0; i < N; i++) {
            frame[i] = ring[(int) ((d - N + 1 + i) & (RING - 1))] * window[i];
        }
        fft.forward(frame, re, im);
    }

    private void sentFrame(long index, long d) {
        spectrum(sentRing, d);
        int s = (int) (index & (SLOTS - 1));
        float[] r = xr[s];
        float[] i = xi[s];
        float[] chain = chainPow[(int) (index & 1)];
        float[] pow = xPow[s];
        for (int b = 0; b < BINS; b++) {
            float a = re[MIN_BIN + b];
            float c = im[MIN_BIN + b];
            r[b] = a;
            i[b] = c;
            chain[b] = ALPHA * chain[b] + (1 - ALPHA) * (a * a + c * c);
            pow[b] = chain[b];
        }
        slotFrame[s] = index;
    }

    private void returnedFrame(long index, long d) {
        spectrum(backRing, d);
        returnedFrames++;
        lastReturned = index;
        for (int b = 0; b < BINS; b++) {
            float a = re[MIN_BIN + b];
            float c = im[MIN_BIN + b];
            yPow[b] = ALPHA * yPow[b] + (1 - ALPHA) * (a * a + c * c);
        }
        for (int l = 0; l < LAGS; l++) {
            int s = (int) ((index - l) & (SLOTS - 1));
            float[] r = cr[l];
            float[] q = ci[l];
            if (slotFrame[s] != index - l) {
                for (int b = 0; b < BINS; b++) { // nothing sent then (a gap): the average decays
                    r[b] *= ALPHA;
                    q[b] *= ALPHA;
                }
                continue;
            }
            float[] sr = xr[s];
            float[] si = xi[s];
            for (int b = 0; b < BINS; b++) {
                float yr = re[MIN_BIN + b];
                float yi = im[MIN_BIN + b];
                // Y conj(X)
                r[b] = ALPHA * r[b] + (1 - ALPHA) * (yr * sr[b] + yi * si[b]);
                q[b] = ALPHA * q[b] + (1 - ALPHA) * (yi * sr[b] - yr * si[b]);
            }
        }
    }

    /** Sent power average matching the cross-spectrum at lag {@code l} (the sent frames it paired with). */
    private float[] sentPowerAt(int l) {
        long newest = lastReturned;
        int s = (int) ((newest - l) & (SLOTS - 1));
        return slotFrame[s] == newest - l ? xPow[s] : null;
    }


    /**
     * Updates the per-bin |H|^2 ({@link #gain2}) of the echo path at {@code delayMs} (found by the
     * {@link EchoDetector}: a leg counts only once its echo is established) from the averages so
     * far. False, and the last reading held (zeros if none), with no delay (the detector lost the
     * echo for a moment when a playout moved it, or it went) or fewer than 1 s of returned frames.
     */
    public boolean analyse(double delayMs) {
        lag = -1;
        double steps = delayMs / 10.0;
        if (returnedFrames < WARM_UP_FRAMES || !(steps >= 0) || steps >= LAGS - 1) {
            return false; // no echo path established now: the last reading is held, not current
        }
        int here = (int) Math.floor(steps);   // the sent frame ending the echo's offset after...
        int beside = here + 1;                // ...and the one ending the rest of a step before
        int offset = (int) Math.round((steps - here) * HOP);
        float[] px = sentPowerAt(here);
        float[] pn = sentPowerAt(beside);
        if (px == null || pn == null) {
            return false;
        }
        lag = here;
        // an echo between two steps falls on both, by how much its frames overlap each
        float overlap = frameOverlap[offset] * frameOverlap[offset] + frameOverlap[HOP - offset] * frameOverlap[HOP - offset];
        for (int b = 0; b < BINS; b++) {
            float noise = NOISE_PER_POWER_RATIO * yPow[b] / (px[b] + 1e-30f);
            if (noise > MAX_NOISE) {
                // Too little sent there against what came back to tell: what was measured there is
                // held (a cut band sends little, and must not look like a loop that went away).
                continue;
            }
            // what correlates 40-60 ms either side too is no echo (a 32 ms frame reaches 16 ms either
            // side): chance, and a held note of the singer's own come back through their partner's room
            float floor = 0;
            int count = 0;
            for (int d = FLOOR_FROM; d <= FLOOR_TO; d++) {
                for (int l = here - d; l <= beside + d; l += 2 * d + 1) {
                    float[] pl = l >= 0 && l < LAGS ? sentPowerAt(l) : null;
                    if (pl != null) {
                        floor += h2At(l, b, pl);
                        count++;
                    }
                }
            }
            floor = count == 0 ? noise : floor / count;
            raw[b] = Math.max(0f, h2At(here, b, px) + h2At(beside, b, pn) - 2 * floor) / overlap;
        }
        for (int b = 0; b < BINS; b++) {
            float sum = raw[b];
            int count = 1;
            if (b > 0) {
                sum += raw[b - 1];
                count++;
            }
            if (b < BINS - 1) {
                sum += raw[b + 1];
                count++;
            }
            h2[b] = sum / count;
        }
        return true;
    }

    /** |cross-spectrum|^2 / sent power^2 at lag l, bin b: |H|^2 there, with the bias of chance. */
    private float h2At(int l, int b, float[] px) {
        return (cr[l][b] * cr[l][b] + ci[l][b] * ci[l][b]) / (px[b] * px[b] + 1e-30f);
    }

    /** |H|^2 in bin {@code MIN_BIN + b} at the last {@link #analyse}. */
    float gain2(int b) {
        return h2[b];
    }

    /** Centre frequency of analysis bin {@code b}. */
    static double hz(int b) {
        return (MIN_BIN + b) * RATE / N;
    }

    /** The leg's delay at the last {@link #analyse}, ms (NaN if none). */
    public double delayMs() {
        return lag < 0 ? Double.NaN : lag * 10.0;
    }

    /** The largest |H| over all bins at the last analysis (for logs and tests). */
    public double peakGain() {
        float m = 0;
        for (float v : h2) {
            m = Math.max(m, v);
        }
        return Math.sqrt(m);
    }

    /** Frequency of {@link #peakGain}. */
    public double peakHz() {
        int at = 0;
        for (int b = 1; b < BINS; b++) {
            if (h2[b] > h2[at]) {
                at = b;
            }
        }
        return hz(at);
    }
}
