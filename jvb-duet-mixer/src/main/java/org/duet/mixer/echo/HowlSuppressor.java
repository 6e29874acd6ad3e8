package org.duet.mixer.echo;

import org.duet.mixer.dsp.Biquad;
import org.duet.mixer.dsp.RealForwardFft;

/**
 * Feedback (howl) control for one input: finds a narrowband peak that keeps growing - a loop
 * (speakers into a microphone, through the other singer's mix and back) whose gain is above 1 at
 * one frequency - and notches it out without touching the rest of the voice.
 *
 * <p>What tells a howl from singing is how it grows and that it stands alone. Each round trip
 * multiplies a feedback tone by the loop gain, so its level rises in a straight line in dB (1.6 dB
 * per 50 ms at gain 1.2) for as long as the loop stays closed, at a frequency that does not move,
 * with no harmonics. A sung note rises during its attack (a step, not a line) or a swell, its
 * harmonics move with the vibrato, and every harmonic has its siblings at exact multiples of one
 * fundamental. So every 20 ms the suppressor takes a spectrum of the last 128 ms (decimated to
 * 16 kHz: 2048 points, 7.8 Hz bins, which separates the modes of a loop that goes through a
 * network, 20 Hz apart at 50 ms) and, for each spectral peak above -60 dBFS between 160 Hz and
 * 6.9 kHz, fits a straight line to that bin's level over the last 160 ms. A candidate rises at
 * 12 dB/s or more with no point more than 1.5 dB off the line, its interpolated frequency moved
 * by at most 3 Hz over the last 100 ms, nothing 20 dB louder is within 400 Hz (coding noise and
 * sidebands of a loud tone), and it is not part of a harmonic series (at least three other
 * multiples of some fundamental f/m present). Two more tests make it a loop and not a note or
 * a glitch: the level stands 2 dB above the highest that bin reached before the fit window
 * (held with a 3 dB/s decay: a tone coming back after a dropout - packet-loss concealment fades
 * it, the next packets bring it back along a rising line - only returns to where it was), and the
 * same frequency is rising in what we sent this singer over the last 640 ms ({@link #onSent}: a
 * loop we can break runs through their mix; a tone they sing or fade in does not). Three candidate
 * hops in a row engage a notch: two cascaded biquad notches (Q 8) at that frequency, which cut the tone by more than
 * 40 dB and break the loop. A notch stays for {@code holdMs}; released, a loop that is still closed
 * grows again and is caught again, and one that stopped stays quiet.
 *
 * <p>That fast path only sees loops of 12 dB/s or more that settle on one tone. A loop through a
 * network does neither: its round trip is 60 to 400 ms, so gain 1.05 to 2 grows 1 to 100 dB/s
 * (20 log10(gain) per round trip), in one step per round trip, as a cluster of modes 1/round-trip
 * apart (2.5 to 17 Hz, inside one bin) that beat. So a slow path ({@link #slowAnalysis}, every
 * 100 ms) looks at 39 Hz bands averaged over 100 ms, over 0.6 to 3 s: a band from 300 Hz up that
 * rises by 4 dB or more from the first third of the window to the last, through the middle third,
 * held within 20 Hz, standing 6 dB over the bands 62 Hz either side, not a harmonic among its
 * siblings, while what we sent rose there by half as much. {@code HowlRoomLoopsTest} runs gains
 * 1.05-2 at round trips 60-400 ms: caught by 300 ms after the onset in 28 of 30 (mostly before it);
 * not a 2x loop at 100 ms (caught 0.7 s late) nor 1.1 dB/s (gain 1.05 at 400 ms: too slow for 3 s).
 *
 * <p>Media loop only: no allocation after construction, no latency in the signal path (IIR
 * notches; the analysis runs beside it). Cost measured in {@code HowlSuppressorTest}.
 *
 * <p>A bin's level (a logarithm) is computed only when a test needs its exact value. Most tests
 * compare a level with a threshold - the -60 dBFS floor, the held maximum, a peak 20 dB louder -
 * and a bound read off the power's floating-point exponent ({@link #upperDb}, {@link #lowerDb}:
 * within 0.27 dB) settles most of them without one; only a bin near its threshold gets its exact
 * level. So every decision is the one the exact levels give, at about a third of the logarithms.
 */
public final class HowlSuppressor {

    private static final float SAMPLE_RATE = 48_000f;
    private static final int DECIMATE = 3;                  // analysis at 16 kHz: howls sit below 7 kHz
    private static final float RATE = SAMPLE_RATE / DECIMATE;
    static final int N = 2048;                              // 128 ms window, 7.8 Hz bins
    static final int HOP = 320;                             // 20 ms at 16 kHz
    private static final int FIT = 8;                       // hops in the growth fit: 160 ms
    private static final int STEADY_HOPS = 5;               // frequency held over the last 100 ms
    private static final int HISTORY = 16;                  // ring of spectra, power of two, > FIT
    private static final int MIN_BIN = 20;                  // ~160 Hz
    private static final int MAX_BIN = 880;                 // ~6.9 kHz
    private static final float FLOOR_DB = -60f;
    /**
     * A silent input cannot howl: a hop whose window is so quiet that no bin can reach this level
     * (10 dB under {@link #FLOOR_DB}; about -82 dBFS RMS over the 128 ms window: a muted singer,
     * a pause behind a browser's noise suppression, concealment fading out) gets no transform, and
     * its spectrum counts as empty. No candidate comes from such a hop anyway; what changes is what
     * later hops compare with: a growth fit that reaches back into it sees -120 dB there instead of
     * a level under -70, so a tone rising out of near-silence faster than 70 dB/s (10 dB within the
     * 140 ms of the fit) is caught up to 140 ms later; and the slow path's band averages over such
     * hops read lower, which makes a rise out of silence look more like a step (refused).
     */
    static final float QUIET_DB = -70f;
    private static final double QUIET_ENERGY = Math.pow(10, (QUIET_DB + 54.2) / 10) / N;
    private static final float SLOPE_DB_PER_S = 12f;
    private static final float FIT_ERROR_DB = 1.5f;
    private static final double STEADY_HZ = 3;
    private static final int RUN = 3;
    private static final int MAX_NOTCHES = 4;
    private static final double NOTCH_Q = 8;
    private static final float NEW_HIGH_DB = 2f;            // above the held maximum before the fit
    private static final float HELD_DECAY_DB_PER_S = 3f;
    private static final int SENT = 32_768;                 // what we sent, 48 kHz: 683 ms
    private static final int SENT_WINDOW = 6_144;           // 128 ms per sent-level measurement
    private static final int SENT_WINDOWS = 5;              // newest ... 512 ms before
    private static final float SENT_FLOOR_DB = -70f;
    private static final float SENT_RISE_DB = 3f;
    /**
     * What a loop brings back into a singer's microphone at a frequency cannot stand more than this
     * above what we sent them there: that would take 30 dB of gain in one leg, from their speakers
     * to their microphone. (If one room had that much, the other leg is below 0 dB and that singer's
     * own suppressor breaks the loop.) A tone the singer holds while we send them nothing at its
     * frequency but codec noise is a note, not a loop, even when everything rises at once (a mixer
     * that just took the duet over: the Jitsi e2e's held 660 Hz tone was notched 3.6 s after it).
     */
    static final float LOOP_LEG_MAX_DB = 30f;
    // The slow path: loops through a network (round trips of 60-400 ms) grow 1 to 100 dB/s in steps
    // of one round trip, as a cluster of modes 1/round-trip apart rather than one steady tone.
    static final int SLOW_HOPS = 5;                         // one slow entry per 100 ms
    static final int SLOW_HISTORY = 32;                     // 3.2 s of band levels, power of two
    private static final int[] SLOW_WINDOWS = {6, 12, 21, 30}; // entries (multiples of 3): 0.6, 1.2, 2.1, 3 s
    private static final int BAND = 2;                      // band level: bins k-2..k+2 (39 Hz)
    private static final float SLOW_RISE_DB = 4f;           // first third to last third of the window
    private static final float SLOW_DIP_DB = 3f;            // no entry this far under the window's running maximum
    private static final float NARROW_DB = 6f;              // above the bands 62 Hz either side
    private static final int NARROW_BINS = 8;
    private static final float SLOW_SENT_SHARE = 0.5f;      // what we sent rose by half as much at least
    private static final float SLOW_NOW_DB = 3f;            // the newest entry within 3 dB of the window's maximum
    // From 300 Hz: laptop and phone speakers give little below (a loop needs gain), and a voice's
    // fundamental with its swell is what the slow path would otherwise take for a slow loop.
    private static final int SLOW_MIN_BIN = 39;             // ~300 Hz
    private static final double LOW_HZ = 1000;              // below: the fast path's harmonic test too (fundamentals)
    private static final float SERIES_ABOVE_DB = 15f;       // a harmonic this far above its siblings is no voice's
    private static final float SLOW_THIRD_SHARE = 0.25f;    // from third to third, a quarter of the rise at least
    private static final float SLOW_STEP_SHARE = 0.4f;      // no 100 ms step above 40 % of the rise and 8 dB (a tone starting)
    private static final float SLOW_STEP_DB = 8f;
    private static final double SLOW_STEADY_HZ = 20;        // band peak held within 20 Hz over the window

    private final Biquad[] antiAlias = {
        new Biquad().lowPass(6500, 0.5176, SAMPLE_RATE),
        new Biquad().lowPass(6500, 0.7071, SAMPLE_RATE),
        new Biquad().lowPass(6500, 1.9319, SAMPLE_RATE)};
    /** The Hann window of the analysis (the same for every instance). */
    private static final float[] WINDOW = new float[N];

    static {
        for (int i = 0; i < N; i++) {
            WINDOW[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / N));
        }
    }

    /**
     * What a transform works in and leaves nothing in: its input and output and the real FFT's own
     * arrays (about 40 KB). One set per thread, used by every suppressor on it in turn (a media loop
     * runs its singers' analyses one after another), so 40 singers do not push each other's working
     * arrays out of the caches; only what carries from hop to hop stays with the suppressor.
     */
    private static final class Scratch {
        final RealForwardFft fft = new RealForwardFft(N); // real input: one 1024-point complex FFT
        final float[] windowed = new float[N];
        final float[] re = new float[N / 2 + 1];
        final float[] im = new float[N / 2 + 1];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final float[] ring = new float[N];
    /** Per hop (ring of {@link #HISTORY}) and bin: the bin's power. */
    private final float[][] power = new float[HISTORY][N / 2];
    /**
     * Per hop and bin: its level in dBFS once asked for, NaN until then (a row is reset to NaN when
     * its slot takes a new hop; every level read is of the last {@link #HISTORY} hops).
     */
    private final float[][] levelDb = new float[HISTORY][N / 2];
    private final int[] runs = new int[N / 2];
    private final int[] nextRuns = new int[N / 2];
    private final float[] fitWeight = new float[FIT];
    /** Per bin: the highest level before the fit window, decaying (a tone back from a dropout is no new high). */
    private final float[] heldDb = new float[N / 2];
    private final float heldDecayPerHop = HELD_DECAY_DB_PER_S * HOP / RATE;
    private final float[] sent = new float[SENT];
    /** The input as it came (before the notches), 48 kHz, for {@link #loopCanBringBack}. */
    private final float[] heard = new float[SENT];
    private int heardPos;
    private long vetoed;
    private final float[] sentHann = new float[SENT_WINDOW];
    private int sentPos;
    private long sentSamples;
    private final float slopePerHop = SLOPE_DB_PER_S * HOP / RATE;
    /**
     * Slow path: per 100 ms entry and bin, the power of the band k-2..k+2 (averaged over the entry's
     * hops), input and sent; and its level in dBFS once asked for (NaN until then). Most bands are
     * settled by a bound on the level read off the power ({@link #upperDb}, {@link #lowerDb}) or
     * are never read, so most of the logarithms are never taken.
     */
    private final float[][] slowPow = new float[SLOW_HISTORY][N / 2];
    private final float[][] sentSlowPow = new float[SLOW_HISTORY][N / 2];
    private final float[][] slowDb = new float[SLOW_HISTORY][N / 2];
    private final float[][] sentSlowDb = new float[SLOW_HISTORY][N / 2];
    private final float[] bandPower = new float[N / 2];
    private final Biquad[] sentAntiAlias = {
        new Biquad().lowPass(6500, 0.5176, SAMPLE_RATE),
        new Biquad().lowPass(6500, 0.7071, SAMPLE_RATE),
        new Biquad().lowPass(6500, 1.9319, SAMPLE_RATE)};
    private final float[] sentRing = new float[N];          // what we sent, at 16 kHz: the last 128 ms
    private int sentRingPos;
    private int sentPhase;
    private long slowEntries;
    private int ringPos;
    /** Decimated samples in a row that were exactly 0 (at N or more the whole analysis window is). */
    private int zeroRun;
    private long silentHops;
    /** False: no shortcut for silence (the reference a test compares the shortcuts with). */
    boolean silenceShortcuts = true;
    /** False: every hop that is not digital silence gets its transform (see {@link #QUIET_DB}); for tests. */
    boolean quietGate = true;
    private long quietHops;
    private int phase;
    private int sinceHop;
    private long hops;

    private final Biquad[][] notches = new Biquad[MAX_NOTCHES][2];
    private final double[] notchHz = new double[MAX_NOTCHES];
    private final long[] notchUntilHop = new long[MAX_NOTCHES];
    private final boolean[] notchOn = new boolean[MAX_NOTCHES];
    private final long holdHops;

    private volatile long howls;
    private volatile double lastHowlHz = Double.NaN;
    private volatile int activeNotches;
    private volatile long firstHowlSample = -1;
    private long samples;

    /** Analysis hops whose window was digital silence (no transform needed); for tests and profiles. */
    long silentHops() {
        return silentHops;
    }

    /** Analysis hops whose window was too quiet for any bin to reach {@link #QUIET_DB} (no transform); for tests. */
    long quietHops() {
        return quietHops;
    }

    /** @param holdMs how long a notch stays once engaged (a loop still closed is caught again after) */
    public HowlSuppressor(long holdMs) {
        for (float[] row : levelDb) {
            java.util.Arrays.fill(row, Float.NaN);
        }
        double mean = (FIT - 1) / 2.0;
        double den = 0;
        for (int i = 0; i < FIT; i++) {
            den += (i - mean) * (i - mean);
        }
        for (int i = 0; i < FIT; i++) {
            fitWeight[i] = (float) ((i - mean) / den);
        }
        for (int i = 0; i < MAX_NOTCHES; i++) {
            notches[i][0] = new Biquad().bypass();
            notches[i][1] = new Biquad().bypass();
        }
        this.holdHops = Math.max(1, holdMs * (long) RATE / 1000 / HOP);
        java.util.Arrays.fill(heldDb, -120f);
        for (int i = 0; i < SENT_WINDOW; i++) {
            sentHann[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / SENT_WINDOW));
        }
    }

    /**
     * What we sent this singer (their mix, or the voice forwarded to them), {@code n} samples at
     * 48 kHz, as it left. A feedback loop through the mixer passes through it: a howl in their
     * voice rises here too, a moment earlier.
     */
    public void onSent(float[] x, int off, int n) {
        Biquad a0 = sentAntiAlias[0];
        Biquad a1 = sentAntiAlias[1];
        Biquad a2 = sentAntiAlias[2];
        for (int i = off; i < off + n; i++) {
            sent[sentPos] = x[i];
            sentPos = (sentPos + 1) & (SENT - 1);
            float a = a2.process(a1.process(a0.process(x[i])));
            if (++sentPhase == DECIMATE) {
                sentPhase = 0;
                sentRing[sentRingPos] = a;
                sentRingPos = (sentRingPos + 1) & (N - 1);
            }
        }
        sentSamples += n;
    }

    /** Analyses and filters {@code n} samples of the input (48 kHz) in place. */
    public void process(float[] x, int off, int n) {
        int end = off + n;
        int notchFrom = off; // samples before this one have been through the notches
        Biquad aa0 = antiAlias[0];
        Biquad aa1 = antiAlias[1];
        Biquad aa2 = antiAlias[2];
        // Silence (a muted or absent singer, concealment's zeros, a voice catching up after a stall)
        // must not leave the filters subnormal; and while their state is all zeros, a 0 in is 0 out:
        // the filters are skipped for zeros until the first sound (the same values, at no cost).
        boolean settled = silenceShortcuts && aa0.settleIfSilent() & aa1.settleIfSilent() & aa2.settleIfSilent();
        for (int i = off; i < end; i++) {
            heard[heardPos] = x[i];
            heardPos = (heardPos + 1) & (SENT - 1);
            // the analysis sees the input before the notches: the loop as it is
            float in = x[i];
            float a;
            if (settled && in == 0f) {
                a = 0f;
            } else {
                settled = false;
                a = aa2.process(aa1.process(aa0.process(in)));
            }
            if (++phase == DECIMATE) {
                phase = 0;
                zeroRun = a == 0f ? zeroRun + 1 : 0;
                ring[ringPos] = a;
                ringPos = (ringPos + 1) & (N - 1);
                if (++sinceHop == HOP) {
                    sinceHop = 0;
                    // the notches as they were up to here; a notch this analysis engages or
                    // releases takes effect from this sample on
                    notch(x, notchFrom, i);
                    samples += i - notchFrom;
                    notchFrom = i;
                    analyse();
                }
            }
        }
        notch(x, notchFrom, end);
        samples += end - notchFrom;
    }

    /** Runs x[from, to) through the notches in place (each sample through every notch in turn). */
    private void notch(float[] x, int from, int to) {
        if (activeNotches == 0) {
            return;
        }
        for (int k = 0; k < MAX_NOTCHES; k++) {
            if (notchOn[k]) {
                Biquad first = notches[k][0];
                Biquad second = notches[k][1];
                for (int i = from; i < to; i++) {
                    x[i] = second.process(first.process(x[i]));
                }
            }
        }
    }

    private void analyse() {
        hops++;
        int now = (int) (hops & (HISTORY - 1));
        float[] pw = power[now];
        java.util.Arrays.fill(levelDb[now], Float.NaN); // this slot's levels were of hop - HISTORY
        if (zeroRun >= N && silenceShortcuts) {
            // the whole window is exactly 0, so is its transform: the same powers without the FFT
            java.util.Arrays.fill(pw, 0f);
            silentHops++;
        } else if (quietGate && quietWindow()) {
            // no bin can reach QUIET_DB: nothing here can be a candidate (see QUIET_DB)
            java.util.Arrays.fill(pw, 0f);
            quietHops++;
        } else {
            Scratch w = SCRATCH.get();
            spectrum(w, ring, ringPos, pw);
        }
        releaseExpiredNotches();
        if (hops > FIT) {
            long beforeHop = hops - FIT; // the hop just before the fit window
            float[] before = power[slot(beforeHop)];
            // held maxima are read for bins MIN_BIN - 1 .. MAX_BIN only (candidates and their neighbours)
            for (int k = MIN_BIN - 1; k <= MAX_BIN; k++) {
                float decayed = heldDb[k] - heldDecayPerHop;
                // the level is at least -120: only a bin surely below the decayed maximum skips the log
                heldDb[k] = decayed > -120f && upperDb(before[k]) < decayed ? decayed
                        : Math.max(level(beforeHop, k), decayed);
            }
        }
        java.util.Arrays.fill(nextRuns, 0);
        if (hops < FIT) {
            return;
        }
        int engageBin = -1;
        long h = hops;
        for (int k = MIN_BIN; k < MAX_BIN; k++) {
            if (upperDb(pw[k]) < FLOOR_DB) {
                continue; // surely under the floor: no log needed
            }
            float p = level(h, k);
            if (p < FLOOR_DB || p < level(h, k - 1) || p < level(h, k + 1)) {
                continue;
            }
            if (!aboveHeld(p, k) || !growsSteadily(k) || nearAMuchLouderPeak(k, p) || partOfHarmonicSeries(k)) {
                continue;
            }
            // a run continues from a candidate at this bin or a neighbour in the last hop
            int run = Math.max(runs[k], Math.max(runs[k - 1], runs[k + 1])) + 1;
            nextRuns[k] = run;
            if (run >= RUN && !notchedNear(interpolatedHz(h, k)) && (engageBin < 0 || p > level(h, engageBin))) {
                engageBin = k;
            }
        }
        System.arraycopy(nextRuns, 0, runs, 0, runs.length);
        if (engageBin >= 0) {
            double hz = interpolatedHz(h, engageBin);
            if (risingInWhatWeSent(hz)) {
                engage(hz);
            }
        }
        if (hops % SLOW_HOPS == 0) {
            slowAnalysis();
        }
    }

    /**
     * True when no bin of this hop's spectrum can reach {@link #QUIET_DB}: by Parseval, a bin's power
     * is at most N times the window's energy (the Hann window only lowers it), which 2048 multiply-adds
     * give instead of a transform.
     */
    private boolean quietWindow() {
        double e = 0;
        for (int i = 0; i < N; i++) {
            float v = ring[i];
            e += v * v;
        }
        return e < QUIET_ENERGY;
    }

    /** The power spectrum (bins 0..N/2-1) of the Hann-windowed 16 kHz ring {@code x} ending at {@code pos}. */
    private static void spectrum(Scratch w, float[] x, int pos, float[] pw) {
        float[] windowed = w.windowed;
        float[] re = w.re;
        float[] im = w.im;
        for (int i = 0; i < N; i++) {
            windowed[i] = x[(pos + i) & (N - 1)] * WINDOW[i];
        }
        w.fft.forward(windowed, re, im);
        for (int k = 0; k < N / 2; k++) {
            pw[k] = re[k] * re[k] + im[k] * im[k];
        }
    }

    /**
     * The slow path, every 100 ms: the band levels (39 Hz bands, averaged over the last 100 ms,
     * input and what we sent) go into a 3.2 s history, and a band that rose by
     * {@link #SLOW_RISE_DB} or more over 0.4, 0.8, 1.6 or 3.2 s without ever falling back
     * {@link #SLOW_DIP_DB} under its running maximum, at a frequency that stayed put, standing
     * {@link #NARROW_DB} above the bands 62 Hz either side, not part of a harmonic series, with
     * nothing 20 dB louder nearby, while the same band rose by at least half as much in what we
     * sent this singer, is a loop: notched like a fast one.
     */
    private void slowAnalysis() {
        int e = (int) (slowEntries & (SLOW_HISTORY - 1));
        long h = hops;
        // input: the hop powers of the last 100 ms, averaged, summed over each band
        java.util.Arrays.fill(bandPower, 0f);
        for (int i = 0; i < SLOW_HOPS; i++) {
            float[] pw = power[slot(h - i)];
            for (int k = MIN_BIN - BAND - NARROW_BINS; k <= MAX_BIN + BAND + NARROW_BINS; k++) {
                bandPower[k] += pw[k];
            }
        }
        bandPowers(bandPower, SLOW_HOPS, slowPow[e]);
        java.util.Arrays.fill(slowDb[e], Float.NaN);
        // what we sent: one spectrum of its last 128 ms
        spectrum(SCRATCH.get(), sentRing, sentRingPos, bandPower);
        bandPowers(bandPower, 1, sentSlowPow[e]);
        java.util.Arrays.fill(sentSlowDb[e], Float.NaN);
        long entry = slowEntries;
        slowEntries++;
        if (slowEntries < SLOW_WINDOWS[0] || sentSamples < N * DECIMATE) {
            return;
        }
        float[] nowPow = slowPow[e];
        int engageBin = -1;
        float engageDb = -200f;
        for (int k = SLOW_MIN_BIN; k <= MAX_BIN; k++) {
            // the tests below on the exact band levels, each settled by the bounds first where they can
            // (a band level is at least -120, and the floor, -60, is above that)
            float up = upperDb(nowPow[k]);
            if (up < FLOOR_DB || up < lowerDb(nowPow[k - 1]) || up <= lowerDb(nowPow[k + 1]) || up <= engageDb) {
                continue;
            }
            float v = slowLevel(slowPow, slowDb, entry, k);
            if (v < FLOOR_DB || v < slowLevel(slowPow, slowDb, entry, k - 1)
                    || v <= slowLevel(slowPow, slowDb, entry, k + 1) || v <= engageDb) {
                continue;
            }
            if (v < slowLevel(slowPow, slowDb, entry, k - NARROW_BINS) + NARROW_DB
                    || v < slowLevel(slowPow, slowDb, entry, k + NARROW_BINS) + NARROW_DB) {
                continue;
            }
            if (!risesSlowly(k)) {
                continue;
            }
            int peak = k; // the hop spectrum's own peak inside the band
            for (int j = k - BAND; j <= k + BAND; j++) {
                if (power[slot(h)][j] > power[slot(h)][peak]) {
                    peak = j;
                }
            }
            if (peak <= MIN_BIN - 1 || peak >= MAX_BIN) {
                continue;
            }
            float p = level(h, peak);
            if (p < FLOOR_DB || nearAMuchLouderPeak(peak, p) || inAVoicesSeries(k)
                    || interpolatedHz(h, peak) < LOW_HZ && partOfHarmonicSeries(peak)
                    || notchedNear(interpolatedHz(h, peak))) {
                continue;
            }
            engageBin = peak;
            engageDb = v;
        }
        if (engageBin >= 0) {
            engage(interpolatedHz(h, engageBin));
        }
    }

    /**
     * The slow path's harmonic test, on the newest 100 ms band levels (which smooth a vibrato into
     * one steady peak per harmonic): band k sits in a series of equally spaced peaks, its
     * neighbour f - f0 and one more (f + f0, or f - 2 f0 at the top of a series) present within 1 %
     * (8 Hz at least), for some f0 of 80 Hz or more, and it stands less than {@link #SERIES_ABOVE_DB}
     * above the louder neighbour: a harmonic among its siblings. (f0 = f: a fundamental, with 2f and 3f.)
     * A howl that sits on a voice's harmonic is caught once it stands that far above its siblings.
     */
    private boolean inAVoicesSeries(int k) {
        long row = slowEntries - 1;
        double f = bandPeakHz(row, k);
        float v = slowLevel(slowPow, slowDb, row, k);
        for (int m = 1; m <= 32; m++) {
            double f0 = f / m;
            if (f0 < 80) {
                break;
            }
            float below = m == 1 ? Float.NaN : seriesPeak(row, f - f0, v);
            float above = seriesPeak(row, f + f0, v);
            float below2 = m <= 2 ? Float.NaN : seriesPeak(row, f - 2 * f0, v);
            float above2 = seriesPeak(row, f + 2 * f0, v);
            boolean series;
            if (m == 1) {
                series = !Float.isNaN(above) && !Float.isNaN(above2);            // a fundamental: 2f, 3f
            } else {
                // a harmonic: f - f0 and one more (f + f0, or f - 2 f0 for the top of the series)
                series = !Float.isNaN(below) && (!Float.isNaN(above) || !Float.isNaN(below2));
            }
            float louder = Math.max(m == 1 ? above : below, Float.isNaN(above) ? -200f : above);
            if (series && v < louder + SERIES_ABOVE_DB) {
                return true;
            }
        }
        return false;
    }

    /** The level of a band peak within 1 % (8 Hz at least) of {@code hz}, at most 40 dB under {@code v}; NaN if none. */
    private float seriesPeak(long row, double hz, float v) {
        double tolerance = Math.max(8, 0.01 * hz);
        int lo = (int) Math.floor((hz - tolerance) * N / RATE);
        int hi = (int) Math.ceil((hz + tolerance) * N / RATE);
        float best = Float.NaN;
        for (int j = Math.max(MIN_BIN - NARROW_BINS + 1, lo); j <= Math.min(MAX_BIN + NARROW_BINS - 1, hi); j++) {
            float r = slowLevel(slowPow, slowDb, row, j);
            if (r >= slowLevel(slowPow, slowDb, row, j - 1) && r >= slowLevel(slowPow, slowDb, row, j + 1) && r >= v - 40
                    && r > -120f && Math.abs(bandPeakHz(row, j) - hz) <= tolerance && !(r <= best)) {
                best = r;
            }
        }
        return best;
    }

    /** The band peak's frequency at bin j, refined by parabolic interpolation of the band levels. */
    private double bandPeakHz(long row, int j) {
        double a = slowLevel(slowPow, slowDb, row, j - 1);
        double b = slowLevel(slowPow, slowDb, row, j);
        double c = slowLevel(slowPow, slowDb, row, j + 1);
        double d = a - 2 * b + c;
        double delta = d == 0 ? 0 : Math.max(-0.5, Math.min(0.5, 0.5 * (a - c) / d));
        return (j + delta) * RATE / N;
    }

    /** Band powers (bins k-2..k+2) from powers summed over {@code hopsSummed} spectra, averaged. */
    private static void bandPowers(float[] summed, int hopsSummed, float[] out) {
        float scale = 1f / hopsSummed;
        for (int k = MIN_BIN - NARROW_BINS; k <= MAX_BIN + NARROW_BINS; k++) {
            float b = 0;
            for (int j = k - BAND; j <= k + BAND; j++) {
                b += summed[j];
            }
            out[k] = b * scale;
        }
    }

    /** The level in dBFS of band k in slow entry {@code entry} (one of the last {@link #SLOW_HISTORY}), computed once. */
    private static float slowLevel(float[][] pow, float[][] db, long entry, int k) {
        int e = (int) (entry & (SLOW_HISTORY - 1));
        float v = db[e][k];
        if (v != v) {
            v = Math.max(-120f, (float) (10 * Math.log10(pow[e][k] + 1e-20)) - 54.2f);
            db[e][k] = v;
        }
        return v;
    }

    /**
     * Bin {@code k}'s band rose by {@link #SLOW_RISE_DB} or more over one of the windows, never
     * dipping {@link #SLOW_DIP_DB} under its running maximum, its peak within a bin either way
     * throughout (not lower than the bands two bins off), and what we sent rose there too.
     */
    private boolean risesSlowly(int k) {
        for (int w : SLOW_WINDOWS) {
            if (slowEntries < w + 1) {
                return false;
            }
            long first = slowEntries - w; // entries first .. slowEntries - 1
            float max = -200f;
            float jump = 0f; // the largest rise from one entry to the next
            boolean ok = true;
            for (long i = first; i < slowEntries; i++) {
                float v = slowLevel(slowPow, slowDb, i, k);
                if (i > first) {
                    jump = Math.max(jump, v - slowLevel(slowPow, slowDb, i - 1, k));
                }
                max = Math.max(max, v);
                ok &= v >= max - SLOW_DIP_DB;
            }
            if (!ok && w == SLOW_WINDOWS[0]) {
                continue; // the shortest window must rise without a dip; a longer one may beat (modes 1/round trip apart)
            }
            if (max > slowLevel(slowPow, slowDb, slowEntries - 1, k) + SLOW_NOW_DB) {
                continue; // not still rising now
            }
            // the window in thirds: the growth goes on through all three (a note's attack is a step)
            float m1 = thirdMean(slowPow, slowDb, k, first, w);
            float m2 = thirdMean(slowPow, slowDb, k, first + w / 3, w);
            float m3 = thirdMean(slowPow, slowDb, k, first + 2 * w / 3, w);
            float rise = m3 - m1;
            if (rise < SLOW_RISE_DB || m2 - m1 < SLOW_THIRD_SHARE * rise || m3 - m2 < SLOW_THIRD_SHARE * rise
                    || jump > Math.max(SLOW_STEP_DB, SLOW_STEP_SHARE * rise) || !steadyBand(k, first)) {
                continue; // a step (a note's attack), not a growth that goes on; or its frequency moved
            }
            float sentRise = thirdMean(sentSlowPow, sentSlowDb, k, first + 2 * w / 3, w)
                    - thirdMean(sentSlowPow, sentSlowDb, k, first, w);
            float sentNow = slowLevel(sentSlowPow, sentSlowDb, slowEntries - 1, k);
            if (sentNow >= SENT_FLOOR_DB && sentRise >= SLOW_SENT_SHARE * rise) {
                return true;
            }
        }
        return false;
    }

    /**
     * The band peak near bin k (parabolic interpolation of the band levels) moved by at most
     * {@link #SLOW_STEADY_HZ} over entries {@code first} .. newest: a loop's frequency is fixed by
     * its delay and its room; a voice drifts and its vibrato swings a harmonic by 1-3 %.
     */
    private boolean steadyBand(int k, long first) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (long i = first; i < slowEntries; i++) {
            int j = k;
            for (int c = k - 1; c <= k + 1; c++) {
                if (slowLevel(slowPow, slowDb, i, c) > slowLevel(slowPow, slowDb, i, j)) {
                    j = c;
                }
            }
            double a = slowLevel(slowPow, slowDb, i, j - 1);
            double b = slowLevel(slowPow, slowDb, i, j);
            double c = slowLevel(slowPow, slowDb, i, j + 1);
            double d = a - 2 * b + c;
            double delta = d == 0 ? 0 : Math.max(-0.5, Math.min(0.5, 0.5 * (a - c) / d));
            double hz = (j + delta) * RATE / N;
            lo = Math.min(lo, hz);
            hi = Math.max(hi, hz);
        }
        return hi - lo <= SLOW_STEADY_HZ;
    }

    /** Mean of bin k's level over the third of a {@code w}-entry window starting at entry {@code from}. */
    private static float thirdMean(float[][] pow, float[][] db, int k, long from, int w) {
        float sum = 0;
        for (long i = from; i < from + w / 3; i++) {
            sum += slowLevel(pow, db, i, k);
        }
        return sum / (w / 3);
    }

    /** The peak at bin k (level {@code p}) stands {@link #NEW_HIGH_DB} above the held maximum of bins k-1..k+1. */
    private boolean aboveHeld(float p, int k) {
        float held = Math.max(heldDb[k], Math.max(heldDb[k - 1], heldDb[k + 1]));
        return p >= held + NEW_HIGH_DB;
    }

    /**
     * Bin {@code k}'s level in dBFS in hop {@code hop} (one of the last {@link #HISTORY}): a
     * full-scale sine puts 20 log10(N/4) dB into its bin, removed so this is dBFS; at least -120.
     * Computed from the bin's power the first time it is asked for, then kept.
     */
    private float level(long hop, int k) {
        int s = slot(hop);
        float v = levelDb[s][k];
        if (v == v) {
            return v;
        }
        v = Math.max(-120f, (float) (10 * Math.log10(power[s][k] + 1e-20)) - 54.2f);
        levelDb[s][k] = v;
        return v;
    }

    private static final float DB_PER_OCTAVE = (float) (10 * Math.log10(2));

    /**
     * At least the level {@link #level} gives for power {@code p} (before its -120 floor), from the
     * float's exponent and mantissa: log2(1 + m) lies between m and m + 0.0861 for m in [0, 1),
     * so this is at most 0.26 dB low (0.001 dB of slack for rounding). Powers under 1e-12 sit
     * 170 dB down, far under the floor: they give -200.
     */
    static float lowerDb(float p) {
        if (!(p >= 1e-12f)) {
            return -200f;
        }
        int bits = Float.floatToRawIntBits(p);
        int exponent = (bits >>> 23) - 127;
        float mantissa = (bits & 0x7FFFFF) * (1f / (1 << 23));
        return DB_PER_OCTAVE * (exponent + mantissa) - 54.2f - 0.001f;
    }

    /** At most 0.27 dB above {@link #level} for power {@code p} (before its -120 floor); see {@link #lowerDb}. */
    static float upperDb(float p) {
        return lowerDb(p) + 0.262f;
    }

    /**
     * True when {@code hz} rose by {@link #SENT_RISE_DB} or more in what we sent this singer: its
     * level in the newest two 128 ms windows (Goertzel, Hann) stands above the lowest of the three
     * before (back to 640 ms ago), at -70 dBFS or more. Runs only when a notch is about to engage.
     */
    private boolean risingInWhatWeSent(double hz) {
        if (sentSamples < (long) SENT_WINDOW * SENT_WINDOWS) {
            return false;
        }
        float newest = -200f;
        float oldest = 200f;
        for (int w = 0; w < SENT_WINDOWS; w++) {
            float db = sentLevelDb(hz, sentPos - (w + 1) * SENT_WINDOW);
            if (w < 2) {
                newest = Math.max(newest, db);
            } else {
                oldest = Math.min(oldest, db);
            }
        }
        return newest >= SENT_FLOOR_DB && newest - oldest >= SENT_RISE_DB;
    }

    /**
     * Whether a loop through what we sent this singer could bring {@code hz} back as loud as it is in
     * their input now: what we sent there over the last {@link #SENT_WINDOWS} windows reached at
     * least the input's newest level less {@link #LOOP_LEG_MAX_DB}.
     */
    private boolean loopCanBringBack(double hz) {
        float in = levelDb(heard, hz, heardPos - SENT_WINDOW);
        float out = -200f;
        for (int w = 0; w < SENT_WINDOWS; w++) {
            out = Math.max(out, sentLevelDb(hz, sentPos - (w + 1) * SENT_WINDOW));
        }
        return out >= in - LOOP_LEG_MAX_DB;
    }

    /** Level of {@code hz} in the sent ring over {@link #SENT_WINDOW} samples from {@code from}, dB re a full-scale sine. */
    private float sentLevelDb(double hz, int from) {
        return levelDb(sent, hz, from);
    }

    /** Level of {@code hz} in a 48 kHz ring over {@link #SENT_WINDOW} samples from {@code from}, dB re a full-scale sine. */
    private float levelDb(float[] ring, double hz, int from) {
        double c = 2 * Math.cos(2 * Math.PI * hz / SAMPLE_RATE);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < SENT_WINDOW; i++) {
            double v = ring[(from + i) & (SENT - 1)] * sentHann[i] + c * s1 - s2;
            s2 = s1;
            s1 = v;
        }
        double power = s1 * s1 + s2 * s2 - c * s1 * s2;
        return (float) (10 * Math.log10(power + 1e-30) - 20 * Math.log10(SENT_WINDOW / 4.0));
    }

    /**
     * Bin {@code k} rose along a straight line in dB over the last {@link #FIT} hops, at
     * {@link #SLOPE_DB_PER_S} or more, and its peak frequency (at k or a neighbour) held still over
     * the last {@link #STEADY_HOPS}.
     */
    private boolean growsSteadily(int k) {
        double slope = 0;
        double mean = 0;
        for (int i = 0; i < FIT; i++) {
            float v = level(hops - FIT + 1 + i, k);
            slope += fitWeight[i] * v;
            mean += v;
        }
        if (slope < slopePerHop) {
            return false;
        }
        mean /= FIT;
        double mid = (FIT - 1) / 2.0;
        for (int i = 0; i < FIT; i++) {
            float v = level(hops - FIT + 1 + i, k);
            if (Math.abs(v - (mean + slope * (i - mid))) > FIT_ERROR_DB) {
                return false;
            }
        }
        double target = interpolatedHz(hops, k);
        double lo = target;
        double hi = target;
        for (int i = 1; i < STEADY_HOPS; i++) {
            // the peak may sit at k-1..k+1 in older hops: take the one nearest the newest estimate
            double f = nearestPeakHz(hops - i, k, target);
            if (Double.isNaN(f)) {
                return false;
            }
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        return hi - lo <= STEADY_HZ;
    }

    /**
     * A sung note is a harmonic series: whichever harmonic rises, its siblings are there at exact
     * multiples of one fundamental (vibrato moves them all together). A feedback tone stands alone.
     * True when, for some m = 1..32 (f/m at least 80 Hz), at least three other multiples of f/m (up to 12 f/m) have a
     * spectral peak within 0.4 % (2 Hz at least) and at most 40 dB below the candidate, one of them a third of f
     * or more away: a loop through a network grows a cluster of modes 1/round-trip apart around its
     * frequency, which are multiples of some f/m too, but all close to f; a voice's siblings spread over octaves.
     */
    private boolean partOfHarmonicSeries(int k) {
        long h = hops;
        double f = interpolatedHz(h, k);
        float floor = Math.max(FLOOR_DB, level(h, k) - 40);
        for (int m = 1; m <= 32; m++) {
            double f0 = f / m;
            if (f0 < 80) {
                break;
            }
            int found = 0;
            boolean spread = false;
            for (int n = 1; n <= 12 && (found < 3 || !spread); n++) {
                if (n != m && hasPeakNear(h, n * f0, floor)) {
                    found++;
                    spread |= 3 * Math.abs(n - m) >= m;
                }
            }
            if (found >= 3 && spread) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when something 20 dB louder sits within 400 Hz: what rises on the skirt of a loud tone
     * is its coding noise or a sideband, not a loop (a howl is caught once it stands on its own).
     */
    private boolean nearAMuchLouderPeak(int k, float p) {
        int span = (int) (400 * N / RATE);
        float louder = p + 20; // -40 dBFS or more: the -120 floor never decides
        long h = hops;
        float[] pw = power[slot(h)];
        for (int j = Math.max(1, k - span); j <= Math.min(N / 2 - 1, k + span); j++) {
            if (upperDb(pw[j]) < louder) {
                continue; // surely not that loud
            }
            if (lowerDb(pw[j]) >= louder || level(h, j) >= louder) {
                return true;
            }
        }
        return false;
    }

    private boolean hasPeakNear(long h, double hz, float floor) {
        int b = (int) Math.round(hz * N / RATE);
        double tolerance = 2 + 0.001 * hz;
        float[] pw = power[slot(h)];
        for (int j = Math.max(2, b - 2); j <= Math.min(N / 2 - 2, b + 2); j++) {
            if (upperDb(pw[j]) < floor) {
                continue; // floor is -60 dBFS or more: surely under it
            }
            float v = level(h, j);
            if (v >= floor && v >= level(h, j - 1) && v >= level(h, j + 1)
                    && Math.abs(interpolatedHz(h, j) - hz) <= tolerance) {
                return true;
            }
        }
        return false;
    }

    private static int slot(long hop) {
        return (int) (hop & (HISTORY - 1));
    }

    /** The peak frequency at bin k-1..k+1 in hop {@code h} nearest {@code target}; NaN if none is a peak. */
    private double nearestPeakHz(long h, int k, double target) {
        double best = Double.NaN;
        for (int j = k - 1; j <= k + 1; j++) {
            float v = level(h, j);
            if (v >= level(h, j - 1) && v >= level(h, j + 1)) {
                double f = interpolatedHz(h, j);
                if (Double.isNaN(best) || Math.abs(f - target) < Math.abs(best - target)) {
                    best = f;
                }
            }
        }
        return best;
    }

    /** The peak's frequency, refined by parabolic interpolation of the log spectrum: well under a bin. */
    private float interpolatedHz(long h, int k) {
        double a = level(h, k - 1);
        double b = level(h, k);
        double c = level(h, k + 1);
        double d = a - 2 * b + c;
        double delta = d == 0 ? 0 : 0.5 * (a - c) / d;
        return (float) ((k + Math.max(-0.5, Math.min(0.5, delta))) * RATE / N);
    }

    private void releaseExpiredNotches() {
        for (int k = 0; k < MAX_NOTCHES; k++) {
            if (notchOn[k] && hops >= notchUntilHop[k]) {
                notchOn[k] = false;
                activeNotches--;
                // the loop was broken while the notch was in: what grows back there is the loop again
                int b = (int) Math.round(notchHz[k] * N / RATE);
                int span = (int) Math.ceil(40 * N / RATE);
                java.util.Arrays.fill(heldDb, Math.max(0, b - span), Math.min(N / 2, b + span + 1), -120f);
            }
        }
    }

    private boolean notchedNear(double hz) {
        for (int k = 0; k < MAX_NOTCHES; k++) {
            if (notchOn[k] && Math.abs(notchHz[k] - hz) < 40) {
                return true;
            }
        }
        return false;
    }

    private void engage(double hz) {
        if (!loopCanBringBack(hz)) {
            vetoed++;
            return;
        }
        int slot = 0;
        for (int i = 0; i < MAX_NOTCHES; i++) {
            if (!notchOn[i]) {
                slot = i;
                break;
            }
            if (notchUntilHop[i] < notchUntilHop[slot]) {
                slot = i; // all busy: replace the oldest
            }
        }
        if (!notchOn[slot]) {
            notches[slot][0].reset();
            notches[slot][1].reset();
        }
        notches[slot][0].notch(hz, NOTCH_Q, SAMPLE_RATE);
        notches[slot][1].notch(hz, NOTCH_Q, SAMPLE_RATE);
        notchHz[slot] = hz;
        notchUntilHop[slot] = hops + holdHops;
        if (!notchOn[slot]) {
            notchOn[slot] = true;
            activeNotches++;
        }
        if (howls == 0) {
            firstHowlSample = samples;
        }
        howls++;
        lastHowlHz = hz;
    }

    /** Howls caught so far. */
    /** Candidates not notched because we had sent nothing at their frequency a loop could bring back that loud. */
    public long vetoed() {
        return vetoed;
    }

    public long howls() {
        return howls;
    }

    /** Frequency of the last howl caught, NaN if none. */
    public double lastHowlHz() {
        return lastHowlHz;
    }

    /** Notches in the signal path now; while above 0 the voice is being changed. */
    public int activeNotches() {
        return activeNotches;
    }

    /** Input samples processed when the first howl was caught, -1 if none. */
    public long firstHowlSample() {
        return firstHowlSample;
    }
}
