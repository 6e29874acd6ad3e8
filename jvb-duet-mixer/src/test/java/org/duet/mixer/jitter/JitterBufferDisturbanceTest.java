package org.duet.mixer.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The target rule under disturbances a loaded machine produces (docs/jitter-buffer.md, "Under
 * load"): a stall that delivers its packets as one bunch, and a second of congestion. Real Opus,
 * virtual clock.
 */
class JitterBufferDisturbanceTest {

    private static final long MS = 1_000_000L;
    private static final long SSRC = 0x1234_5678L;
    private static final long PATH = 15 * MS;

    private final OpusDecoder decoder = OpusCodecs.newDecoder(1, OpusBackend.AUTO);

    @AfterEach
    void close() {
        decoder.close();
    }

    @Test
    void aLoneStallIsCountedOnceAndDoesNotLiftTheTarget() {
        int frames = 1000;
        EncodedStream s = EncodedStream.tone(OpusSettings.music(1).withComplexity(0).withBitrate(24_000), frames, 440);
        Random rnd = new Random(3);
        long[] jitter = new long[frames];
        for (int i = 0; i < frames; i++) {
            jitter[i] = (long) (rnd.nextDouble() * 10 * MS);
        }
        // at 10 s nothing arrives for 200 ms, then all of it at once
        long stallEnd = 10_200 * MS;
        for (int i = 0; i < frames; i++) {
            long nominal = (i + 1) * 20 * MS + PATH + jitter[i];
            if (nominal >= 10_000 * MS && nominal < stallEnd) {
                jitter[i] = stallEnd - ((i + 1) * 20 * MS + PATH); // arrives when the stall ends
            }
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule.Player clock = ArrivalSchedule.regular(s, 0, 0, SSRC, PATH, jitter, null)
                .player(jb, new RecordingSink(frames * 4 + 100, frames * 960 * 2 + 48_000, 1), 2 * MS);
        clock.runUntil(9_900 * MS);
        double before = jb.stats().targetDelayMs();
        double peak = 0;
        for (long t = 10_000 * MS; t <= 12_000 * MS; t += 20 * MS) {
            clock.runUntil(t);
            peak = Math.max(peak, jb.stats().targetDelayMs());
        }
        System.out.printf("lone 200 ms stall: target %.1f ms before, peak %.1f ms, %d packets bunched%n", before, peak,
                jb.stats().bunched());
        assertThat(jb.stats().bunched()).as("the held packets after the first").isGreaterThanOrEqualTo(7);
        assertThat(peak).as("one stall is concealed, not followed").isLessThan(before + 15);
    }

    @Test
    void targetFallsWithinSecondsAfterASecondOfCongestion() {
        int frames = 1000;
        EncodedStream s = EncodedStream.tone(OpusSettings.music(1).withComplexity(0).withBitrate(24_000), frames, 440);
        Random rnd = new Random(4);
        long[] jitter = new long[frames];
        for (int i = 0; i < frames; i++) {
            boolean congested = i >= 500 && i < 550; // 10 s to 11 s
            jitter[i] = (long) (rnd.nextDouble() * (congested ? 150 : 20) * MS);
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule.Player clock = ArrivalSchedule.regular(s, 0, 0, SSRC, PATH, jitter, null)
                .player(jb, new RecordingSink(frames * 4 + 100, frames * 960 * 2 + 48_000, 1), 2 * MS);
        clock.runUntil(10_000 * MS);
        double before = jb.stats().targetDelayMs();
        clock.runUntil(11_200 * MS);
        double during = jb.stats().targetDelayMs();
        clock.runUntil(13_500 * MS);
        double after = jb.stats().targetDelayMs();
        System.out.printf("1 s of 150 ms jitter: target %.1f -> %.1f -> %.1f ms 2.3 s later%n", before, during, after);
        assertThat(during).as("the target follows the congestion").isGreaterThan(before + 50);
        assertThat(after).as("and is back near where it was within 2.5 s").isLessThan(before + 10);
    }
}
