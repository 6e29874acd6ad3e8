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
}
