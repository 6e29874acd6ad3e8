package org.duet.mixer.mix;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.demo.WavFile;
import org.duet.mixer.testing.SignalAnalysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackingTrackTest {

    @TempDir
    Path dir;

    @Test
    void playsAWavFileOnTheServerTimelineAndLoops() throws Exception {
        Path wav = dir.resolve("backing.wav");
        WavFile.write(wav, TestSignal.toneWithClicks(48_000, 500, 0.5f, 0, 0));
        BackingTrack track = BackingTrack.load(wav, true);
        assertThat(track.lengthSamples()).isEqualTo(48_000);
        track.startAt(1_000);
        float[] out = new float[48_000];
        track.mixInto(1_000 + 48_000 + 12_000, 1f, out, 0, out.length); // second time round
        assertThat(SignalAnalysis.toneLevelDb(out, 0, out.length, 500)).isBetween(-6.5, -5.5);
        float[] before = new float[100];
        track.mixInto(0, 1f, before, 0, 100); // before it started: silence
        assertThat(before).containsOnly(0f);
    }

    @Test
    void mixesEverySampleFromItsPlaceInTheTrackAcrossTheStartTheEndAndEveryLoop() {
        java.util.Random random = new java.util.Random(5);
        float[] samples = new float[997];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = random.nextFloat() - 0.5f;
        }
        for (boolean loop : new boolean[] {true, false}) {
            BackingTrack track = new BackingTrack(samples, loop);
            track.startAt(10_000);
            for (int trial = 0; trial < 2_000; trial++) {
                long position = 10_000 - 3_000 + random.nextInt(12_000);
                int count = 1 + random.nextInt(2_500);
                float[] out = new float[count + 2];
                java.util.Arrays.fill(out, 0.25f);
                track.mixInto(position, 0.5f, out, 1, count);
                for (int i = 0; i < count; i++) {
                    long t = position + i - 10_000;
                    float want = 0.25f;
                    if (t >= 0 && (loop || t < samples.length)) {
                        want += 0.5f * samples[(int) (t % samples.length)];
                    }
                    assertThat(out[1 + i]).as("loop %s, position %d + %d", loop, position, i).isEqualTo(want);
                }
                assertThat(out[0]).isEqualTo(0.25f);
                assertThat(out[count + 1]).isEqualTo(0.25f);
            }
        }
    }

    @Test
    void rejectsAFileThatIsNotAudio() throws Exception {
        Path bad = dir.resolve("bad.wav");
        Files.writeString(bad, "not a wav file");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BackingTrack.load(bad, true))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("not a PCM WAV");
    }

    @Test
    void resamplesOtherRates() {
        float[] at441 = new float[44_100];
        for (int i = 0; i < at441.length; i++) {
            at441[i] = (float) Math.sin(2 * Math.PI * 441 * i / 44_100.0);
        }
        float[] at48 = BackingTrack.resampleTo48k(at441, 44_100f);
        assertThat(at48.length).isBetween(47_990, 48_000);
        assertThat(SignalAnalysis.toneLevelDb(at48, 0, 47_000, 441)).isGreaterThan(-1.0);
    }

    /** Before: a 1 kHz WAV expanded 48x, and the length arithmetic could overflow on a wide file. */
    /** Found by ./duet bench --fuzz: "/dev/zero" as the backing track held an HTTP thread for good. */
    @Test
    void aFileThatNeverEndsOrIsEmptyIsRefusedAtOnce() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.wav"));
        for (Path p : new Path[] {Path.of("/dev/zero"), Path.of("/dev/urandom"), Path.of("/proc/self/status"), empty, dir}) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () ->
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BackingTrack.load(p, true))
                            .as(p.toString()).isInstanceOf(java.io.IOException.class));
        }
    }

    @Test
    void hostileHeadersAreRefusedBeforeAnythingLargeIsAllocated() throws Exception {
        Path lowRate = dir.resolve("low.wav");
        Files.write(lowRate, wavHeader(1_000, 1, 16, 0x7FFFFFF0)); // 1 kHz, claims ~2 GB of data
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BackingTrack.load(lowRate, true))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("Hz");
        Path wide = dir.resolve("wide.wav");
        Files.write(wide, wavHeader(48_000, 4000, 16, 0x7FFFFFF0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BackingTrack.load(wide, true))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("channels");
        // a header that claims 2 GB but carries one second: read what is there, nothing more
        Path liar = dir.resolve("liar.wav");
        byte[] head = wavHeader(48_000, 2, 16, 0x7FFFFFF0);
        byte[] file = java.util.Arrays.copyOf(head, head.length + 48_000 * 4);
        Files.write(liar, file);
        long before = usedHeap();
        BackingTrack t = BackingTrack.load(liar, true);
        System.out.printf("lying header: %d samples kept, heap grew about %.1f MB%n", t.lengthSamples(),
                (usedHeap() - before) / 1e6);
        assertThat(t.lengthSamples()).isEqualTo(48_000);
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** A canonical 44-byte RIFF/WAVE PCM header claiming {@code dataBytes} of samples. */
    private static byte[] wavHeader(int rate, int channels, int bits, int dataBytes) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + dataBytes).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        b.put("data".getBytes()).putInt(dataBytes);
        return b.array();
    }
}
