package org.duet.mixer.jitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.duet.mixer.jitter.ArrivalSchedule.MS;

import java.util.Random;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.opus.Signals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real Opus through scripted networks; the virtual clock is driven by hand, so every run is identical. */
class JitterBufferTest {

    private static final long SSRC = 0x1234_5678L;
    private static final OpusSettings MUSIC = OpusSettings.music(1);
    /** SILK-friendly voice settings whose packets carry LBRR (in-band FEC). */
    private static final OpusSettings VOICE_FEC = new OpusSettings(1, 32_000, 9, true, 20, false,
            OpusApplication.VOIP, 960);

    private final OpusDecoder decoder = OpusCodecs.newDecoder(1, OpusBackend.AUTO);

    @AfterEach
    void close() {
        decoder.close();
    }

    private static RecordingSink sink(int frames) {
        return new RecordingSink(frames * 4 + 100, frames * 960 * 2 + 48_000, 1);
    }

    @Test
    void inOrderStreamComesOutWhole() {
        EncodedStream s = EncodedStream.tone(MUSIC, 150, 440);
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 100, 5000, SSRC, 30 * MS, null, null);
        RecordingSink out = sink(s.size());
        net.play(jb, out, MS, net.lastArrival() + 100 * MS);

        assertThat(net.count(InsertResult.ACCEPTED)).isEqualTo(150);
        // frames are emitted once the stream ends too (tail concealment); count the stream part
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(150);
        assertThat(out.timestamps[0]).isEqualTo(5000);
        out.assertContiguous();
        assertThat(jb.stats().lost()).isZero();
        assertThat(jb.stats().received()).isEqualTo(150);
        int from = 48_000;
        assertThat(Signals.peakFrequency(out.pcm, 1, 0, from, 48_000)).isCloseTo(440, within(2.0));
        assertThat(Signals.toneSnrDb(out.pcm, 1, 0, from, 48_000, 440)).isGreaterThan(25);
        // with no jitter the target falls from its 40 ms start towards the margin
        assertThat(jb.stats().targetDelayMs()).isLessThan(20);
    }

    @Test
    void reorderedPacketsArePlayedInMediaOrder() {
        EncodedStream s = EncodedStream.tone(MUSIC, 150, 440);
        long[] jitter = new long[s.size()];
        int swapped = 0;
        for (int i = 10; i < s.size() - 1; i += 10) {
            jitter[i] = 25 * MS; // arrives 5 ms after its successor
            swapped++;
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 7, 0, SSRC, 10 * MS, jitter, null);
        RecordingSink out = sink(s.size());
        net.play(jb, out, MS, net.lastArrival() + 100 * MS);

        assertThat(jb.stats().reordered()).isEqualTo(swapped);
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(150);
        assertThat(jb.stats().lost()).isZero();
        assertThat(jb.stats().concealed()).as("stream part conceals nothing").isLessThanOrEqualTo(
                out.count(FrameKind.CONCEALED));
        out.assertContiguous();
        for (int i = 0; i < 150; i++) {
            assertThat(out.kinds[i]).isEqualTo(FrameKind.NORMAL);
            assertThat(out.timestamps[i]).isEqualTo(i * 960L);
        }
        assertThat(Signals.toneSnrDb(out.pcm, 1, 0, 48_000, 48_000, 440)).isGreaterThan(25);
    }

    @Test
    void duplicatesAreDroppedAndCounted() {
        EncodedStream s = EncodedStream.tone(MUSIC, 100, 440);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 65_000, 0, SSRC, 10 * MS, null, null);
        int dups = 0;
        for (int i = 0; i < s.size(); i += 5) {
            // one copy right behind the original, one long after it was played
            long t = (i + 1) * 20 * MS + 10 * MS;
            net.add(65_000 + i, (long) i * 960, SSRC, t + 2 * MS, s.packets[i]);
            net.add(65_000 + i, (long) i * 960, SSRC, t + 80 * MS, s.packets[i]);
            dups += 2;
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(s.size());
        net.play(jb, out, MS, net.lastArrival() + 100 * MS);

        assertThat(net.count(InsertResult.DUPLICATE)).isEqualTo(dups);
        assertThat(jb.stats().duplicates()).isEqualTo(dups);
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(100);
        out.assertContiguous();
        assertThat(jb.stats().late()).isZero();
    }

    @Test
    void randomLossFivePercent() {
        lossRun(0.05, 1, 11);
    }

    @Test
    void randomLossTwentyPercent() {
        lossRun(0.20, 1, 12);
    }

    @Test
    void burstLoss() {
        lossRun(0.04, 4, 13); // bursts of 1 to 4 consecutive packets
    }

    /**
     * Drops packets (seeded), with 25 ms of minimum delay so the packet after a loss is there by
     * the lost frame's deadline and its FEC can be used. Every lost frame must be replaced exactly
     * once, by FEC or concealment, and the timeline must stay contiguous.
     */
    private void lossRun(double rate, int maxBurst, long seed) {
        EncodedStream s = voiceStream(300);
        Random rnd = new Random(seed);
        boolean[] drop = new boolean[s.size()];
        int dropped = 0;
        for (int i = 5; i < s.size() - 5; i++) {
            if (rnd.nextDouble() < rate / ((maxBurst + 1) / 2.0)) {
                int burst = 1 + rnd.nextInt(maxBurst);
                for (int b = 0; b < burst && i < s.size() - 5; b++, i++) {
                    drop[i] = true;
                    dropped++;
                }
            }
        }
        JitterBufferConfig cfg = JitterBufferConfig.defaults().withDelayRange(25, 300, 40);
        JitterBuffer jb = new JitterBuffer(cfg, decoder);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 1000, 777, SSRC, 20 * MS, null, drop);
        RecordingSink out = sink(s.size());
        long end = (s.size() + 1) * 20 * MS + 20 * MS + 25 * MS; // just until the last frame is due
        net.play(jb, out, MS, end);

        JitterStats st = jb.stats();
        assertThat(st.lost()).as("lost").isEqualTo(dropped);
        assertThat(st.concealed() + st.fecRecovered()).as("concealed + FEC").isEqualTo(dropped);
        assertThat(out.count(FrameKind.CONCEALED) + out.count(FrameKind.FEC)).isEqualTo(dropped);
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(s.size() - dropped);
        assertThat(out.frames).as("every frame exactly once").isEqualTo(s.size());
        out.assertContiguous();
        assertThat(out.timestamps[0]).isEqualTo(777);
        assertThat(out.endTimestamp()).isEqualTo(777 + s.size() * 960L);
        if (maxBurst == 1) {
            assertThat(st.fecRecovered()).as("isolated losses mostly rebuilt from FEC").isGreaterThan(dropped / 3);
        }
    }

    private static EncodedStream voiceStream(int frames) {
        short[] pcm = new short[frames * 960];
        Signals.voice(pcm, 0, pcm.length, 12_000);
        return EncodedStream.encode(VOICE_FEC, pcm);
    }

    /**
     * 30 s with up to 60 ms of random extra delay per packet, then 60 s of a clean path. The
     * target must grow to cover the jitter with a late rate near the 1 % glitch target, then fall
     * back once the jitter stops.
     */
    @Test
    void targetFollowsSixtyMillisecondsOfJitterAndComesBack() {
        int jitterFrames = 1500;
        int frames = jitterFrames + 3000;
        EncodedStream s = EncodedStream.tone(MUSIC.withComplexity(0).withBitrate(24_000), frames, 440);
        Random rnd = new Random(5);
        long[] jitter = new long[frames];
        for (int i = 0; i < jitterFrames; i++) {
            jitter[i] = (long) (rnd.nextDouble() * 60 * MS);
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 0, 0, SSRC, 15 * MS, jitter, null);
        RecordingSink out = sink(frames);
        ArrivalSchedule.Player clock = net.player(jb, out, 2 * MS);
        clock.runUntil(5_000 * MS); // learning phase
        long late0 = jb.stats().late();
        long received0 = jb.stats().received();
        long concealed0 = jb.stats().concealed();
        double maxTarget = 0;
        double minTarget = Double.MAX_VALUE;
        long jitterEnd = jitterFrames * 20 * MS;
        for (long t = 5_500 * MS; t <= jitterEnd; t += 500 * MS) {
            clock.runUntil(t);
            maxTarget = Math.max(maxTarget, jb.stats().targetDelayMs());
            minTarget = Math.min(minTarget, jb.stats().targetDelayMs());
        }
        long late = jb.stats().late() - late0;
        long received = jb.stats().received() - received0;
        double lateRate = late / (double) received;
        System.out.printf("jitter 60 ms: target %.1f..%.1f ms, late %d of %d (%.2f %%), concealed %d%n", minTarget,
                maxTarget, late, received, 100 * lateRate, jb.stats().concealed() - concealed0);
        assertThat(minTarget).as("target while 60 ms jitter lasts").isGreaterThan(45);
        assertThat(maxTarget).isLessThan(80);
        assertThat(lateRate).as("late rate with a 1 %% glitch target").isLessThan(0.03);
        assertThat(jb.stats().lost()).isZero();

        clock.runUntil((frames + 1) * 20 * MS);
        System.out.printf("after jitter: target %.1f ms%n", jb.stats().targetDelayMs());
        assertThat(jb.stats().targetDelayMs()).as("target after 60 s of a clean path").isLessThan(10);
        out.assertContiguous();
    }

    /**
     * Rare spikes (0.4 % of packets delayed by 120 ms) on a 10 ms jitter path: below the 1 % glitch
     * target, so they are concealed and counted late instead of holding the target at 120 ms.
     */
    @Test
    void rareSpikesAreConcealedNotFollowed() {
        int frames = 2500;
        EncodedStream s = EncodedStream.tone(MUSIC.withComplexity(0).withBitrate(24_000), frames, 440);
        Random rnd = new Random(8);
        long[] jitter = new long[frames];
        int spikes = 0;
        for (int i = 0; i < frames; i++) {
            jitter[i] = (long) (rnd.nextDouble() * 10 * MS);
            if (i > 250 && i % 250 == 125) { // 0.4 % of packets
                jitter[i] = 120 * MS;
                spikes++;
            }
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 0, 0, SSRC, 15 * MS, jitter, null);
        RecordingSink out = sink(frames);
        ArrivalSchedule.Player clock = net.player(jb, out, 2 * MS);
        double maxTarget = 0;
        for (long t = 6_000 * MS; t <= frames * 20 * MS; t += 100 * MS) {
            clock.runUntil(t);
            maxTarget = Math.max(maxTarget, jb.stats().targetDelayMs());
        }
        System.out.printf("spikes: %d spikes, late %d, target max %.1f ms, now %.1f ms%n", spikes,
                jb.stats().late(), maxTarget, jb.stats().targetDelayMs());
        assertThat(spikes).isGreaterThan(4);
        assertThat(maxTarget).as("target with rare 120 ms spikes").isLessThan(25);
        assertThat(jb.stats().late()).as("the spikes are the late packets").isBetween((long) spikes - 1,
                (long) spikes + 3);
        assertThat(jb.stats().lost()).isZero();
        out.assertContiguous();
    }

    /** The path's jitter steps from 5 ms to 40 ms: the target follows within half a second. */
    @Test
    void targetRisesQuicklyWhenJitterSteps() {
        int frames = 1000;
        EncodedStream s = EncodedStream.tone(MUSIC.withComplexity(0).withBitrate(24_000), frames, 440);
        Random rnd = new Random(4);
        long[] jitter = new long[frames];
        for (int i = 0; i < frames; i++) {
            jitter[i] = (long) (rnd.nextDouble() * (i < 500 ? 5 : 40) * MS);
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 0, 0, SSRC, 15 * MS, jitter, null);
        RecordingSink out = sink(frames);
        ArrivalSchedule.Player clock = net.player(jb, out, 2 * MS);
        clock.runUntil(500 * 20 * MS);
        double before = jb.stats().targetDelayMs();
        long lateBefore = jb.stats().late();
        clock.runUntil(500 * 20 * MS + 500 * MS);
        double after = jb.stats().targetDelayMs();
        clock.runUntil(frames * 20 * MS);
        long lateAfterStep = jb.stats().late() - lateBefore;
        System.out.printf("step 5 -> 40 ms: target %.1f -> %.1f ms after 0.5 s, late after the step %d of 500%n",
                before, after, lateAfterStep);
        assertThat(before).isLessThan(15);
        assertThat(after).isGreaterThan(30);
        assertThat(lateAfterStep).as("late packets while the target catches up").isLessThan(15);
    }
}
