package org.duet.mixer.backing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import org.duet.mixer.testing.SignalAnalysis;
import org.duet.mixer.testing.TestAudioFiles;
import org.junit.jupiter.api.Test;

/**
 * Every supported format decodes to the same 1 kHz tone at -12 dBFS, at 48 kHz mono, whatever
 * the file's own rate and channels; bad files are refused with the reason a singer needs.
 */
class AudioFileDecoderTest {

    private final AudioFileDecoder decoder = new AudioFileDecoder(1 << 20, 60);

    static byte[] wav(double seconds, int rate, int channels, double hz, double amplitude) throws IOException {
        return TestAudioFiles.wav(seconds, rate, channels, hz, amplitude);
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = AudioFileDecoderTest.class.getResourceAsStream("/backing/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static void assertTone(DecodedAudio a, String format) {
        assertThat(a.format()).isEqualTo(format);
        float[] s = a.samples();
        // one second of audio; lossy coders add a little delay and padding (MP3 frames: up to 1.08 s)
        assertThat(s.length).as("samples at 48 kHz").isBetween(47_000, 52_500);
        double level = SignalAnalysis.toneLevelDb(s, 4_800, 38_400, 1000);
        System.out.printf("backing_decode_%s_level %.2f dBFS (expected -12.04)%n",
                format.toLowerCase().replace(' ', '_'), level);
        assertThat(level).as(format + " 1 kHz level").isBetween(-13.5, -10.5);
        assertThat(SignalAnalysis.toneLevelDb(s, 4_800, 38_400, 3000)).as("no other tone").isLessThan(-50);
    }

    @Test
    void wav44k1StereoIsResampledAndDownmixed() throws Exception {
        DecodedAudio a = decoder.decode(wav(1, 44_100, 2, 1000, 0.25), "tone.wav");
        assertThat(a.sourceRate()).isEqualTo(44_100);
        assertThat(a.sourceChannels()).isEqualTo(2);
        assertTone(a, "WAV");
    }

    @Test
    void flacFixture() throws Exception {
        assertTone(decoder.decode(fixture("tone-1k-44k1-stereo.flac"), "tone.flac"), "FLAC");
    }

    /** Found by ./duet bench --fuzz: JFLAC looped on this file for ever (minutes of CPU per upload before the fix). */
    @Test
    void aFlacThatMakesTheDecoderResyncForEverIsRefusedQuickly() throws Exception {
        byte[] file = fixture("fuzz-flac-endless-resync.flac");
        long t0 = System.nanoTime();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () ->
                assertThatThrownBy(() -> decoder.decode(file, "bad.flac")).isInstanceOf(BadAudioFileException.class)
                        .hasMessageContaining("could not be decoded"));
        System.out.printf("backing_decode_endless_flac_refused_after %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    }

    @Test
    void mp3Fixture() throws Exception {
        assertTone(decoder.decode(fixture("tone-1k-44k1-stereo.mp3"), "tone.mp3"), "MP3");
    }

    @Test
    void oggOpusFixture() throws Exception {
        assertTone(decoder.decode(fixture("tone-1k-44k1-stereo.opus"), "tone.opus"), "Ogg Opus");
    }

    @Test
    void badFilesAreRefusedWithTheirReason() throws Exception {
        assertThatThrownBy(() -> decoder.decode("just some text, not audio".getBytes(), "notes.txt"))
                .isInstanceOf(BadAudioFileException.class).hasMessageContaining("notes.txt is not an audio file")
                .satisfies(e -> assertThat(((BadAudioFileException) e).reason()).isEqualTo(BadAudioFileException.Reason.UNSUPPORTED));
        byte[] flac = fixture("tone-1k-44k1-stereo.flac");
        byte[] broken = java.util.Arrays.copyOf(flac, flac.length);
        for (int i = 200; i < broken.length; i++) {
            broken[i] = (byte) (i * 31 + 7);
        }
        assertThatThrownBy(() -> decoder.decode(java.util.Arrays.copyOf(broken, 8), "cut.flac"))
                .isInstanceOf(BadAudioFileException.class)
                .satisfies(e -> assertThat(((BadAudioFileException) e).reason()).isEqualTo(BadAudioFileException.Reason.CORRUPT));
        byte[] wav = wav(1, 48_000, 1, 1000, 0.25);
        byte[] cut = java.util.Arrays.copyOf(wav, 30); // a RIFF header and nothing else
        assertThatThrownBy(() -> decoder.decode(cut, "cut.wav")).isInstanceOf(BadAudioFileException.class)
                .satisfies(e -> assertThat(((BadAudioFileException) e).reason()).isEqualTo(BadAudioFileException.Reason.CORRUPT));
        assertThatThrownBy(() -> new AudioFileDecoder(1000, 60).decode(wav, "big.wav"))
                .isInstanceOf(BadAudioFileException.class).hasMessageContaining("at most")
                .satisfies(e -> assertThat(((BadAudioFileException) e).reason()).isEqualTo(BadAudioFileException.Reason.TOO_LARGE));
        assertThatThrownBy(() -> new AudioFileDecoder(1 << 20, 1).decode(wav(2, 48_000, 1, 1000, 0.25), "long.wav"))
                .isInstanceOf(BadAudioFileException.class)
                .satisfies(e -> assertThat(((BadAudioFileException) e).reason()).isEqualTo(BadAudioFileException.Reason.TOO_LONG));
    }

    @Test
    void resamplerKeepsTheToneAndItsLevel() {
        int rate = 44_100;
        float[] in = new float[rate];
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) (0.5 * Math.sin(2 * Math.PI * 5000 * i / rate));
        }
        float[] out = Resampler.to48k(in, rate, Integer.MAX_VALUE);
        assertThat(out.length).isBetween(47_990, 48_000);
        assertThat(SignalAnalysis.toneLevelDb(out, 4_800, 38_400, 5000)).isBetween(-6.6, -5.4);
        // an image or alias of a 5 kHz tone would show at 44.1-5 = 39.1 kHz folded to 8.9 kHz
        assertThat(SignalAnalysis.toneLevelDb(out, 4_800, 38_400, 8900)).isLessThan(-60);
    }
}
