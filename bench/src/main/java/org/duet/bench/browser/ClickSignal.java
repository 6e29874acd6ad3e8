package org.duet.bench.browser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a singer's fake microphone plays (Chromium loops the WAV): a quiet steady tone, so the
 * codecs and jitter buffers see continuous audio as with a voice, plus a 5 ms tone burst (a
 * "click") eight times per loop at irregular instants, at a frequency of its own per singer so
 * each direction's clicks are told apart by a band-pass.
 */
final class ClickSignal {

    static final int RATE = 48_000;
    static final int LOOP_SECONDS = 4;
    /** Click instants within the loop: irregular, at least 350 ms apart, so a lag search cannot pick a neighbour. */
    static final double[] CLICKS = {0.10, 0.52, 0.97, 1.33, 1.86, 2.30, 2.91, 3.38};

    private ClickSignal() {
    }

    /** Tone {@code toneHz} at amplitude 0.2, clicks at {@code clickHz} (amplitude 0.6), shifted by {@code shiftS}. */
    static float[] singer(double toneHz, double clickHz, double shiftS) {
        float[] x = new float[RATE * LOOP_SECONDS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.2 * Math.sin(2 * Math.PI * toneHz * i / RATE));
        }
        int len = RATE / 200;
        for (double t : CLICKS) {
            int at = (int) Math.round((t + shiftS) * RATE) % x.length;
            for (int i = 0; i < len; i++) {
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (len - 1));
                x[(at + i) % x.length] += (float) (0.6 * w * Math.sin(2 * Math.PI * clickHz * i / RATE));
            }
        }
        return x;
    }

    /** 16-bit PCM mono WAV, what Chromium's fake capture device reads. */
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
