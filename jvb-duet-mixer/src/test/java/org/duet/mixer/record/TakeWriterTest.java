package org.duet.mixer.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.testing.SignalAnalysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A take written straight from the recorder (this test plays the media loop): the voice file holds
 * every packet byte for byte, in order, with a lost packet's time filled and the first packet
 * placed to the sample; the listener-mix file puts every chunk where its position says, across a
 * read-position jump forward and back; take.json says what was written; a reopened store finds it.
 */
class TakeWriterTest {

    /** A bound, not a speed target: at load 15-30 on 2 cores the writer's cold Concentus encoder is slow. */
    private static final long WRITER_BOUND_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void voiceAndMixFilesLandOnTheTakeTimeline() throws Exception {
        TakeStore store = new TakeStore(dir, 10, 10L << 20);
        long start = 1_000_000;
        TakeInfo info = store.begin("room1", "test", 1.7e12, start);
        List<TakeInfo> seen = new ArrayList<>();
        TakeWriter writer = TakeWriter.start(store, info, 256, seen::add);
        TakeRecorder rec = writer.recorder();

        // Voice: 100 packets of 20 ms with a click every 200 ms, the first placed 4837 samples in.
        float[] voice = new float[960 * 100];
        for (int at = 2_000; at < voice.length; at += 9_600) {
            TestSignal.addClick(voice, at, 3000);
        }
        List<byte[]> sent = new ArrayList<>();
        try (OpusEncoder enc = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.RESTRICTED_LOWDELAY, 960))) {
            short[] pcm = new short[960];
            byte[] out = new byte[1500];
            for (int k = 0; k < 100; k++) {
                for (int i = 0; i < 960; i++) {
                    pcm[i] = (short) Math.round(voice[k * 960 + i] * 32767);
                }
                int len = enc.encode(pcm, 0, 960, out, 0, out.length);
                sent.add(java.util.Arrays.copyOf(out, len));
            }
        }
        long voiceAt = start + 4_837;
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < 100; k++) {
            order.add(k);
        }
        order.remove(Integer.valueOf(10)); // lost
        java.util.Collections.swap(order, 20, 21); // reordered on the way
        for (int k : order) {
            byte[] p = sent.get(k);
            rec.voice("a", p, 0, p.length, 960, 4_000_000_000L + k * 960L, voiceAt + k * 960L);
        }

        // Listener mix: 480-sample chunks with a click every 4800; positions jump +240 then -100.
        short[] chunk = new short[480];
        long pos = start - 1_000; // begins before the take: the part before is cut
        long[] clickAt = new long[40];
        int clicks = 0;
        for (int c = 0; c < 200; c++) {
            java.util.Arrays.fill(chunk, (short) 0);
            if (c % 10 == 5) {
                float[] click = new float[480];
                TestSignal.addClick(click, 100, 7000);
                for (int i = 0; i < 480; i++) {
                    chunk[i] = (short) Math.round(click[i] * 32767);
                }
                clickAt[clicks++] = pos + 100 - start;
            }
            rec.listenerMix(chunk, 480, pos);
            pos += 480;
            if (c == 70) {
                pos += 240;
            }
            if (c == 140) {
                pos -= 100;
            }
        }
        rec.end(start);
        assertThat(writer.await(WRITER_BOUND_MS)).as("writer finished").isTrue();
        TakeInfo done = writer.info();
        assertThat(done.status()).isEqualTo(TakeInfo.DONE);
        assertThat(done.tracks()).extracting(TakeInfo.Track::file).contains("voice-singer-a.opus", "mix.opus");

        OggOpusFiles.Contents v = OggOpusFiles.read(dir.resolve(info.id()).resolve("voice-singer-a.opus"));
        assertThat(v.decodeErrors()).isZero();
        List<byte[]> audio = v.packets().stream().filter(p -> p.length > 1).toList();
        assertThat(audio).hasSize(99);
        for (int i = 0, k = 0; k < 100; k++) {
            if (k == 10) {
                continue;
            }
            assertThat(audio.get(i++)).as("packet %d byte for byte, in order", k).isEqualTo(sent.get(k));
        }
        int[] found = SignalAnalysis.findClicks(v.audio(), TestSignal.clickTemplate(3000), 9_600, 0.5);
        assertThat(found.length).isGreaterThanOrEqualTo(8);
        // click k of the voice at 4837 + 2000 + 9600 k, plus the encoder's 2.5 ms look-ahead
        for (int f : found) {
            long rel = f - 4_837 - 2_000 - 120;
            long err = ((rel % 9_600) + 9_600 + 4_800) % 9_600 - 4_800;
            assertThat(Math.abs(err)).as("voice click at %d off by", f).isLessThanOrEqualTo(24);
        }

        OggOpusFiles.Contents m = OggOpusFiles.read(dir.resolve(info.id()).resolve("mix.opus"));
        assertThat(m.preSkip()).isEqualTo(PcmTrack.LOOKAHEAD);
        int[] mixClicks = SignalAnalysis.findClicks(m.audio(), TestSignal.clickTemplate(7000), 4_800, 0.5);
        assertThat(mixClicks.length).isGreaterThanOrEqualTo(15);
        for (int f : mixClicks) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < clicks; i++) {
                if (Math.abs(f - clickAt[i]) < Math.abs(best)) {
                    best = f - clickAt[i];
                }
            }
            assertThat(Math.abs(best)).as("mix click at %d off by", f).isLessThanOrEqualTo(24);
        }

        TakeStore reopened = new TakeStore(dir, 10, 10L << 20);
        assertThat(reopened.get(info.id()).status()).isEqualTo(TakeInfo.DONE);
        assertThat(reopened.get(info.id()).durationMs()).isEqualTo(done.durationMs());
        assertThat(Files.size(dir.resolve(info.id()).resolve("mix.opus"))).isGreaterThan(1000);
    }

    /**
     * A server killed mid-take: the files as they are on disk a moment after the writer's last
     * flush (copied while the take still runs: no end, no end-of-stream page) hold everything
     * queued so far but the voice's reorder window, and play; a store opened on the copy lists
     * the take as interrupted.
     */
    @Test
    void filesLeftMidTakePlayUpToTheLastFlush() throws Exception {
        TakeStore store = new TakeStore(dir.resolve("live"), 10, 10L << 20);
        long start = 5_000_000;
        TakeInfo info = store.begin("room4", "test", 1.7e12, start);
        // The writer says when a flush has put the whole 3 s on disk (its duration as of that flush).
        java.util.concurrent.CountDownLatch flushedAll = new java.util.concurrent.CountDownLatch(1);
        TakeWriter writer = TakeWriter.start(store, info, 1024, t -> {
            if (TakeInfo.RECORDING.equals(t.status()) && t.durationMs() >= 3_000) {
                flushedAll.countDown();
            }
        });
        TakeRecorder rec = writer.recorder();
        short[] pcm = new short[960];
        byte[] out = new byte[1500];
        try (OpusEncoder enc = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.RESTRICTED_LOWDELAY, 960))) {
            for (int k = 0; k < 150; k++) { // 3 s of a 1 kHz tone at -12 dBFS, voice and mix
                for (int i = 0; i < 960; i++) {
                    pcm[i] = (short) Math.round(0.25 * 32767 * Math.sin(2 * Math.PI * 1000 * (k * 960 + i) / 48_000.0));
                }
                int len = enc.encode(pcm, 0, 960, out, 0, out.length);
                rec.voice("a", out, 0, len, 960, 123_456L + k * 960L, start + k * 960L);
                rec.listenerMix(java.util.Arrays.copyOfRange(pcm, 0, 480), 480, start + k * 960L);
                rec.listenerMix(java.util.Arrays.copyOfRange(pcm, 480, 960), 480, start + k * 960L + 480);
            }
        }
        // On a loaded machine the writer (encoding the mix with a cold codec) can take many seconds.
        long queued = System.nanoTime();
        boolean flushed = flushedAll.await(WRITER_BOUND_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        System.out.printf("take_writer_flushed_all %.2f s after the last entry was queued%n",
                (System.nanoTime() - queued) / 1e9);
        Path left = dir.resolve("left");
        copyTree(store.dir(), left);
        rec.end(start);
        assertThat(writer.await(WRITER_BOUND_MS)).as("writer finished").isTrue();
        assertThat(flushed).as("a flush put the whole take on disk").isTrue();

        Path take = left.resolve(info.id());
        OggOpusFiles.Contents v = OggOpusFiles.read(take.resolve("voice-singer-a.opus"));
        OggOpusFiles.Contents m = OggOpusFiles.read(take.resolve("mix.opus"));
        System.out.printf("take_killed_mid_way: voice %d of 150 packets, %.2f s; mix %.2f s, %.2f dBFS%n",
                v.audioPackets(), v.audio().length / 48_000.0, m.audio().length / 48_000.0,
                SignalAnalysis.medianToneLevelDb(m.audio(), 0, m.audio().length - 4_800, 1000));
        // all but the voice track's reorder window (the newest packets wait there for a late one)
        assertThat(v.audioPackets()).as("voice packets in the file left behind")
                .isEqualTo(150 - VoiceTrack.REORDER_PACKETS);
        assertThat(v.decodeErrors() + m.decodeErrors()).isZero();
        assertThat(m.audio().length).as("mix samples in the file left behind").isGreaterThanOrEqualTo(48_000 * 29 / 10);
        assertThat(SignalAnalysis.medianToneLevelDb(m.audio(), 0, m.audio().length - 4_800, 1000))
                .as("the tone in the mix left behind").isBetween(-13.0, -11.0);
        TakeInfo after = new TakeStore(left, 10, 10L << 20).get(info.id());
        assertThat(after.status()).isEqualTo(TakeInfo.INTERRUPTED);
        assertThat(after.durationMs()).as("duration as of the last flush").isGreaterThanOrEqualTo(2_900);
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void aTakeStillRecordingAtStartUpIsMarkedInterruptedAndKept() throws Exception {
        TakeStore store = new TakeStore(dir, 10, 10L << 20);
        TakeInfo info = store.begin("room2", "test", 1.7e12, 0);
        TakeStore reopened = new TakeStore(dir, 10, 10L << 20);
        assertThat(reopened.get(info.id()).status()).isEqualTo(TakeInfo.INTERRUPTED);
        assertThat(reopened.list("room2")).hasSize(1);
    }

    @Test
    void capsRefuseANewTakeWithAReason() throws Exception {
        TakeStore store = new TakeStore(dir, 1, 10L << 20);
        store.begin("room3", "test", 1.7e12, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.begin("room3", "test", 1.7e12 + 1000, 0))
                .isInstanceOf(TakeStore.TakeRefused.class).hasMessageContaining("max-count");
    }
}
