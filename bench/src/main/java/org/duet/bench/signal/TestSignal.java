package org.duet.bench.signal;

import java.util.Random;

/**
 * One singer's test signal, 48 kHz mono, one loop of {@code frames} 20 ms frames:
 * <ul>
 *   <li>a phase-continuous tone whose frequency changes every frame (frequency-shift keyed from a
 *       seeded pseudo-random sequence, drawn from this singer's own band): a concealed or dropped
 *       frame cannot reproduce the next frame's frequency, so delivered frames can be counted from
 *       outside the mixer, and own-voice leakage can be measured in the singer's band;</li>
 *   <li>a chirp click every {@code clickPeriodFrames}, the marked sample for latency and
 *       alignment. Frames touched by a click are excluded from tone analysis.</li>
 * </ul>
 * Levels leave headroom: two singers' tones and clicks summed in a mix stay below full scale,
 * so a mixer that sums without limiting does not clip the clicks away.
 */
public final class TestSignal {

    public static final int SAMPLE_RATE = 48_000;
    public static final int FRAME = 960;
    public static final int CLICK_LENGTH = 480;

    private final short[] pcm;
    private final float[] clickTemplate;
    private final int[] clickStarts;
    private final double[] frameHz;
    private final boolean[] frameHasClick;
    private final double toneAmplitude;

    private TestSignal(short[] pcm, float[] clickTemplate, int[] clickStarts, double[] frameHz,
                       boolean[] frameHasClick, double toneAmplitude) {
        this.pcm = pcm;
        this.clickTemplate = clickTemplate;
        this.clickStarts = clickStarts;
        this.frameHz = frameHz;
        this.frameHasClick = frameHasClick;
        this.toneAmplitude = toneAmplitude;
    }

    /** Singer A: tones 300..1300 Hz, up-chirp clicks. */
    public static TestSignal singerA(int frames, int clickPeriodFrames) {
        return build(frames, clickPeriodFrames, 300, 200, 6, Chirp.make(SAMPLE_RATE, CLICK_LENGTH, 1000, 4500, 0.3), 0xA11CEL);
    }

    /** Singer B: tones 1500..2500 Hz, down-chirp clicks at the same instants as singer A's. */
    public static TestSignal singerB(int frames, int clickPeriodFrames) {
        return build(frames, clickPeriodFrames, 1500, 200, 6, Chirp.make(SAMPLE_RATE, CLICK_LENGTH, 4500, 1000, 0.3), 0xB0BL);
    }

    static TestSignal build(int frames, int clickPeriodFrames, double lowHz, double stepHz, int tones,
                            float[] click, long seed) {
        if (frames < 8 || clickPeriodFrames < 4) {
            throw new IllegalArgumentException("signal too short");
        }
        double amp = 0.1;
        short[] pcm = new short[frames * FRAME];
        double[] hz = new double[frames];
        Random rnd = new Random(seed);
        int prev1 = -1, prev2 = -1;
        for (int f = 0; f < frames; f++) {
            int pick;
            int guard = 0;
            do {
                pick = rnd.nextInt(tones);
            } while ((pick == prev1 || pick == prev2) && ++guard < 100);
            prev2 = prev1;
            prev1 = pick;
            hz[f] = lowHz + stepHz * pick;
        }
        // the last frames must also differ from the first ones, because the loop repeats
        double phase = 0;
        for (int f = 0; f < frames; f++) {
            double inc = 2 * Math.PI * hz[f] / SAMPLE_RATE;
            for (int i = 0; i < FRAME; i++) {
                pcm[f * FRAME + i] = (short) Math.round(amp * 32767 * Math.sin(phase));
                phase += inc;
            }
            phase %= 2 * Math.PI;
        }
        int clicks = frames / clickPeriodFrames;
        int[] starts = new int[clicks];
        boolean[] hasClick = new boolean[frames];
        for (int c = 0; c < clicks; c++) {
            // a third of the way into the frame, so the click never sits on a packet boundary
            int start = (c * clickPeriodFrames + clickPeriodFrames / 2) * FRAME + FRAME / 3;
            starts[c] = start;
            for (int i = 0; i < click.length; i++) {
                int v = pcm[start + i] + Math.round(click[i] * 32767);
                pcm[start + i] = (short) Math.max(-32768, Math.min(32767, v));
            }
            for (int f = Math.max(0, start / FRAME - 1); f <= Math.min(frames - 1, (start + click.length) / FRAME + 1); f++) {
                hasClick[f] = true;
            }
        }
        return new TestSignal(pcm, click, starts, hz, hasClick, amp);
    }

    public short[] pcm() {
        return pcm;
    }

    public int frames() {
        return frameHz.length;
    }

    public int lengthSamples() {
        return pcm.length;
    }

    public float[] clickTemplate() {
        return clickTemplate;
    }

    /** Sample index (within one loop) where each click starts. */
    public int[] clickStarts() {
        return clickStarts;
    }

    public double frameHz(int frameInLoop) {
        return frameHz[Math.floorMod(frameInLoop, frameHz.length)];
    }

    public boolean frameHasClick(int frameInLoop) {
        return frameHasClick[Math.floorMod(frameInLoop, frameHasClick.length)];
    }

    public double toneAmplitude() {
        return toneAmplitude;
    }
}
