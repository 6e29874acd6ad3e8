package org.duet.mixer.echo;

import org.duet.mixer.dsp.Fft;

/**
 * The {@code duck} echo policy: takes the returned mix out of a singer's voice before it reaches
 * any mix. Once the {@link EchoDetector} has found the echo path (its delay from sending to
 * capture, its return loss), every 10 ms this compares the spectrum of the last 20 ms of the voice
 * with the spectrum of what we sent that singer one echo delay earlier: per frequency bin, the echo
 * expected there is what we sent times the echo path's gain (measured per bin from their cross
 * spectrum, never below the detector's broadband gain), and the bin keeps
 * {@code max(-46 dB, 1 - 4 x echo / voice)} of itself. Where the echo dominates the bin goes
 * quiet; where the singer's own voice is well above the echo it passes almost untouched, so two
 * people singing at once (different notes: interleaved harmonics) keeps most of the singer. This
 * is echo suppression, not cancellation: nothing is subtracted, so it survives the two Opus codecs
 * in the path, which a subtracting canceller does not.
 *
 * <p>Weighted overlap-add (square-root Hann windows of 960 samples, hop 480, 1024-point FFT): the
 * voice comes out {@link #DELAY} samples (20 ms) later, always, so that switching it on and off does
 * not move the voice; the input places it that much earlier on the timeline
 * ({@link org.duet.mixer.input.VoiceFilter#delaySamples}). While no echo is found the frame is
 * only windowed and overlapped (exact reconstruction, no FFT).
 *
 * <p>Media loop only; no allocation after construction.
 */
public final class EchoDucker {

    private static final int HOP = 480;
    private static final int WIN = 2 * HOP;
    /**
     * Samples the voice is delayed by (20 ms): a window's worth, whatever the frame size the
     * voice comes in (10 and 20 ms Opus frames, and 2.5 or 5 ms ones, which do not fill a hop).
     */
    public static final int DELAY = WIN;
    private static final int N = 1024;
    private static final int HALF = N / 2;
    private static final int REF = 65_536;                  // what we sent, by sent position: 1.37 s
    private static final float FLOOR = 0.005f;              // -46 dB
    private static final float OVERESTIMATE = 4f;           // 6 dB
    private static final float PATH_ALPHA = 0.9f;           // per-bin echo path average, per 10 ms
    private static final float TAIL = 0.5f;                 // the echo estimate's decay per hop (room tail, jitter)

    private final Fft fft = Fft.shared(N);
    private final float[] window = new float[WIN];          // sqrt Hann: analysis x synthesis = Hann
    private final float[] ref = new float[REF];
    private final int[] refStamp = new int[REF];            // low 32 bits of each slot's sent position
    private final float[] in = new float[WIN];
    private final float[] hop = new float[HOP];
    private final float[] out = new float[HOP];
    private final float[] tail = new float[HOP];
    private final float[] xr = new float[N];
    private final float[] xi = new float[N];
    private final float[] sxyRe = new float[HALF + 1];
    private final float[] sxyIm = new float[HALF + 1];
    private final float[] syy = new float[HALF + 1];
    private final float[] echoPow = new float[HALF + 1];
    private final float[] lastEcho = new float[HALF + 1];
    private int fill;
    private volatile boolean active;
    private long frames;
    private long duckedFrames;

    public EchoDucker() {
        for (int i = 0; i < WIN; i++) {
            window[i] = (float) Math.sqrt(0.5 - 0.5 * Math.cos(2 * Math.PI * i / WIN));
        }
        java.util.Arrays.fill(refStamp, Integer.MIN_VALUE);
    }

    /** What we sent the singer: {@code n} samples that left at 48 kHz server positions {@code position...}. */
    public void onSent(float[] x, int off, int n, long position) {
        for (int i = 0; i < n; i++) {
            long p = position + i;
            int slot = (int) (p & (REF - 1));
            ref[slot] = x[off + i];
            refStamp[slot] = (int) p;
        }
    }

    /**
     * The singer's voice, {@code n} samples captured at {@code position...}, replaced in place by
     * the voice of {@link #DELAY} samples earlier with the echo taken out.
     *
     * @param delaySamples echo delay from sending to capture (48 kHz samples), negative when no
     *                     echo is known: then nothing is taken out
     * @param pathGain     the detector's broadband echo path gain (linear)
     */
    public void process(float[] x, int n, long position, long delaySamples, float pathGain) {
        active = delaySamples >= 0;
        for (int i = 0; i < n; i++) {
            hop[fill] = x[i];
            x[i] = out[fill];
            if (++fill == HOP) {
                fill = 0;
                frame(position + i + 1, delaySamples, pathGain);
            }
        }
    }

    /** One hop: the input now ends (exclusive) at capture position {@code end}. */
    private void frame(long end, long delay, float pathGain) {
        System.arraycopy(in, HOP, in, 0, HOP);
        System.arraycopy(hop, 0, in, HOP, HOP);
        frames++;
        if (delay < 0) {
            // exact reconstruction: sqrt-Hann twice is a Hann, and Hann at 50 % overlap sums to 1
            for (int j = 0; j < HOP; j++) {
                out[j] = tail[j] + in[j] * window[j] * window[j];
                tail[j] = in[HOP + j] * window[HOP + j] * window[HOP + j];
            }
            java.util.Arrays.fill(lastEcho, 0f);
            return;
        }
        duckedFrames++;
        long refFrom = end - WIN - delay;
        java.util.Arrays.fill(xr, WIN, N, 0f);
        java.util.Arrays.fill(xi, WIN, N, 0f);
        for (int j = 0; j < WIN; j++) {
            long p = refFrom + j;
            int slot = (int) (p & (REF - 1));
            xr[j] = in[j] * window[j];
            xi[j] = refStamp[slot] == (int) p ? ref[slot] * window[j] : 0f;
        }
        fft.forward(xr, xi); // voice + i * sent: both spectra from one transform
        float g2 = pathGain * pathGain;
        for (int k = 0; k <= HALF; k++) {
            int m = (N - k) & (N - 1);
            float vr = 0.5f * (xr[k] + xr[m]);
            float vi = 0.5f * (xi[k] - xi[m]);
            float rr = 0.5f * (xi[k] + xi[m]);
            float ri = 0.5f * (xr[m] - xr[k]);
            float rPow = rr * rr + ri * ri;
            // echo path per bin: <V conj(R)> / <|R|^2>; the singer's own voice does not correlate
            sxyRe[k] = PATH_ALPHA * sxyRe[k] + (1 - PATH_ALPHA) * (vr * rr + vi * ri);
            sxyIm[k] = PATH_ALPHA * sxyIm[k] + (1 - PATH_ALPHA) * (vi * rr - vr * ri);
            syy[k] = PATH_ALPHA * syy[k] + (1 - PATH_ALPHA) * rPow;
            float h2 = (sxyRe[k] * sxyRe[k] + sxyIm[k] * sxyIm[k]) / (syy[k] * syy[k] + 1e-20f);
            echoPow[k] = Math.max(Math.max(h2, g2) * rPow, TAIL * lastEcho[k]);
            // keep the voice spectrum for the gains
            xr[k] = vr;
            xi[k] = vi;
        }
        System.arraycopy(echoPow, 0, lastEcho, 0, HALF + 1);
        for (int k = 0; k <= HALF; k++) {
            // a bin's echo leaks into its neighbours (window, vibrato): take the largest of three
            float e = Math.max(echoPow[k], Math.max(echoPow[Math.max(0, k - 1)], echoPow[Math.min(HALF, k + 1)]));
            float v = xr[k] * xr[k] + xi[k] * xi[k];
            float g = Math.max(FLOOR, 1 - OVERESTIMATE * e / (v + 1e-20f));
            xr[k] *= g;
            xi[k] *= g;
        }
        for (int k = 1; k < HALF; k++) { // a real signal: the upper half mirrors the lower
            xr[N - k] = xr[k];
            xi[N - k] = -xi[k];
        }
        xi[0] = 0;
        xi[HALF] = 0;
        fft.inverse(xr, xi);
        for (int j = 0; j < HOP; j++) {
            out[j] = tail[j] + xr[j] * window[j];
            tail[j] = xr[HOP + j] * window[HOP + j];
        }
    }

    /** True while an echo is being taken out. */
    public boolean active() {
        return active;
    }

    /** Share of 10 ms frames so far in which the echo was taken out. */
    public double duckedShare() {
        return frames == 0 ? 0 : duckedFrames / (double) frames;
    }
}
