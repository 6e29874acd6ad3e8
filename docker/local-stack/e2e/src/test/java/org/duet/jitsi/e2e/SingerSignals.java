package org.duet.jitsi.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What each fake microphone plays, looped by Chromium: a steady tone (who is heard) plus short
 * bursts (A: six at irregular instants; B: fourteen, evenly spaced), each at its own frequency (when: each burst is found again in what
 * a page plays, so the delay from one page's capture to another's playout is measured per burst;
 * its frequency tells which burst of the loop it is, so a delay of a second or a delay that moves
 * by hundreds of ms is never matched to a neighbouring burst).
 */
final class SingerSignals {

    static final int RATE = 48_000;
    static final int LOOP_SECONDS = 4;
    static final double[] BURSTS = {0.20, 0.85, 1.27, 2.12, 2.58, 3.41};

    static final double TONE_A = 440;
    static final double TONE_B = 660;
    /** Burst frequencies of singer A (one per entry of {@link #BURSTS}). */
    static final double[] BURSTS_A = {2000, 2600, 3200, 3800, 4400, 5000};
    /**
     * Singer B's: fourteen, evenly spaced over the loop (every 286 ms), so that whatever the two
     * pages' loops happen to be offset by, each of A's bursts has one of B's within 143 ms: the
     * pairs the listener hears together, which the alignment is judged on. (With six bursts each at
     * the same instants, how many pairs fell within 150 ms depended on when each page started its
     * microphone: 3 to 15 in four runs.)
     */
    static final double[] BURSTS_B = {5600, 5900, 6200, 6500, 6800, 7100, 7400, 7700, 8000, 8300, 8600, 8900, 9200, 9500};

    private SingerSignals() {
    }

    static float[] singer(double toneHz, double[] burstHz, double burstShiftSeconds) {
        float[] x = new float[RATE * LOOP_SECONDS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.25 * Math.sin(2 * Math.PI * toneHz * i / RATE));
        }
        int len = RATE / 50; // 20 ms Hann-windowed burst: narrow enough in frequency (+-100 Hz) to tell them apart
        for (int k = 0; k < burstHz.length; k++) {
            double when = burstHz.length == BURSTS.length ? BURSTS[k] : k * (double) LOOP_SECONDS / burstHz.length;
            int at = (int) Math.round((when + burstShiftSeconds) * RATE) % x.length;
            for (int i = 0; i < len; i++) {
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (len - 1));
                x[(at + i) % x.length] += (float) (0.5 * w * Math.sin(2 * Math.PI * burstHz[k] * i / RATE));
            }
        }
        return x;
    }

    static float[] silence() {
        return new float[RATE];
    }

    /** 16-bit PCM mono WAV, the format Chromium's fake capture device reads. */
    static Path write(Path file, float[] samples) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples.length * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE)
                .putInt(RATE * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(samples.length * 2);
        for (float v : samples) {
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
        }
        Files.write(file, b.array());
        return file;
    }
}
