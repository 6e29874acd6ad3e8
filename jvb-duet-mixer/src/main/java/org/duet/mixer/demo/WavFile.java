package org.duet.mixer.demo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Writes 48 kHz mono 16-bit WAV files (the JDK's javax.sound does the container). */
public final class WavFile {

    private WavFile() {
    }

    public static void write(Path path, float[] samples) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : samples) {
            bytes.putShort((short) Math.round(Math.max(-1f, Math.min(1f, v)) * 32767f));
        }
        AudioFormat format = new AudioFormat(48_000f, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes.array()), format,
                samples.length)) {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, path.toFile());
        }
    }
}
