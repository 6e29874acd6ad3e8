package org.duet.bench.signal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The backing track the Duet workload plays in every room: 48 kHz mono 16-bit WAV of low tones
 * (110 and 165 Hz, below both singers' bands and the clicks), so it does not disturb the click
 * and tone analysis.
 */
public final class BackingTrack {

    private BackingTrack() {
    }

    public static Path write(Path file, int seconds) throws IOException {
        int n = TestSignal.SAMPLE_RATE * seconds;
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * n).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(TestSignal.SAMPLE_RATE).putInt(TestSignal.SAMPLE_RATE * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(2 * n);
        for (int i = 0; i < n; i++) {
            double t = i / (double) TestSignal.SAMPLE_RATE;
            double v = 0.08 * Math.sin(2 * Math.PI * 110 * t) + 0.05 * Math.sin(2 * Math.PI * 165 * t);
            b.putShort((short) Math.round(v * 32767));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, b.array());
        return file;
    }
}
