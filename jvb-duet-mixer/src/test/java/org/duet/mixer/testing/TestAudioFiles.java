package org.duet.mixer.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Audio files for tests of the backing track: WAVs made here, written by the JDK. */
public final class TestAudioFiles {

    private TestAudioFiles() {
    }

    /** A 16-bit PCM WAV of a sine, {@code channels} equal channels. */
    public static byte[] wav(double seconds, int rate, int channels, double hz, double amplitude) throws IOException {
        int frames = (int) (seconds * rate);
        byte[] pcm = new byte[frames * channels * 2];
        for (int i = 0; i < frames; i++) {
            short v = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / rate));
            for (int c = 0; c < channels; c++) {
                int at = (i * channels + c) * 2;
                pcm[at] = (byte) v;
                pcm[at + 1] = (byte) (v >> 8);
            }
        }
        AudioFormat f = new AudioFormat(rate, 16, channels, true, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(pcm), f, frames), AudioFileFormat.Type.WAVE, out);
        return out.toByteArray();
    }
}
