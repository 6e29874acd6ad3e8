package org.duet.mixer.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A media loop starved of CPU for seconds, in simulated time (docs/performance.md, "A starvation
 * spiral"): the voice's play-out has fallen seconds behind, and catching up frame by frame would
 * cost as much decode and analysis as the missed audio itself. The buffer skips ahead instead, so
 * the catch-up after any stall is at most about a second of audio.
 */
class JitterBufferCatchUpTest {

    private static final long MS = 1_000_000L;
    private static final long SSRC = 0x2345_6789L;
    private static final long PATH = 15 * MS;
    private static final long STALE = 1_000 * MS; // the loop's -Dduet.mixer.stale-packet-ms default

    private final OpusDecoder decoder = OpusCodecs.newDecoder(1, OpusBackend.AUTO);

    @AfterEach
    void close() {
        decoder.close();
    }

    /**
     * The loop runs normally for 3 s, stalls 5 s, then handles what waited in its queue as it does:
     * packets that waited over a second are dropped unhandled, the rest go in with their own arrival
     * times (each drained at its arrival), then the tick drains at the real time.
     */
    @Test
    void afterAFiveSecondStallTheVoiceCatchesUpWithAtMostASecondOfAudio() {
        int frames = 600; // 12 s of 20 ms
        EncodedStream s = EncodedStream.tone(OpusSettings.music(1).withComplexity(0).withBitrate(24_000), frames, 440);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 100, 48_000, SSRC, PATH, null, null);
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink sink = new RecordingSink(frames * 4, frames * 960 + 48_000, 1);
        List<ArrivalSchedule.Packet> packets = net.packets;
        long stallFrom = 3_000 * MS;
        long stallTo = 8_000 * MS;
        int next = 0;
        long now = 0;
        // running normally: packets as they arrive, a tick every 10 ms
        for (; now < stallFrom; now += 10 * MS) {
            next = handleArrivedBy(jb, sink, packets, next, now);
            jb.drainDue(now, sink);
        }
        int framesBefore = sink.frames;
        long samplesBefore = sink.pcmSamples;
        // the stall ends: the queue is handled, then the tick
        long dropped = 0;
        while (next < packets.size() && packets.get(next).arrivalNanos() <= stallTo) {
            if (stallTo - packets.get(next).arrivalNanos() > STALE) {
                dropped++;
                next++;
            } else {
                next = handleArrivedBy(jb, sink, packets, next, packets.get(next).arrivalNanos());
            }
        }
        jb.drainDue(stallTo, sink);
        int catchUpFrames = sink.frames - framesBefore;
        double catchUpMs = (sink.pcmSamples - samplesBefore) / 48.0;
        JitterStats st = jb.stats();
        System.out.printf("5 s stall: %d packets dropped stale, catch-up played %d frames (%.0f ms of audio,"
                        + " 5000 ms without the skip), skipped %.0f ms in %d catch-up(s), %d packets undecoded%n",
                dropped, catchUpFrames, catchUpMs, st.caughtUpMs(), st.catchUps(), st.caughtUpPackets());
        assertThat(catchUpMs).as("audio played to catch up").isLessThanOrEqualTo(1_000 + 200);
        assertThat(st.catchUps()).isEqualTo(1);
        assertThat(st.caughtUpMs()).as("media skipped").isBetween(3_700.0, 4_100.0);
        // and it runs normally again: every following packet decoded in time, nothing more skipped
        int normalBefore = sink.count(FrameKind.NORMAL);
        for (now = stallTo + 10 * MS; now < 11_000 * MS; now += 10 * MS) {
            next = handleArrivedBy(jb, sink, packets, next, now);
            jb.drainDue(now, sink);
        }
        int normalAfter = sink.count(FrameKind.NORMAL) - normalBefore;
        System.out.printf("then 3 s of play-out: %d normal frames of 150, catch-ups %d%n", normalAfter,
                st.catchUps());
        assertThat(normalAfter).isGreaterThanOrEqualTo(145);
        assertThat(st.catchUps()).isEqualTo(1);
    }

    /** The packets of the stall never came (a full queue dropped them): the tick alone must not replay 5 s. */
    @Test
    void aStallWhosePacketsWereLostIsNotReplayedAsSilence() {
        int frames = 600;
        EncodedStream s = EncodedStream.tone(OpusSettings.music(1).withComplexity(0).withBitrate(24_000), frames, 440);
        boolean[] drop = new boolean[frames];
        for (int i = 150; i < 400; i++) { // 3 s to 8 s
            drop[i] = true;
        }
        ArrivalSchedule net = ArrivalSchedule.regular(s, 7, 0, SSRC, PATH, null, drop);
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink sink = new RecordingSink(frames * 4, frames * 960 + 48_000, 1);
        List<ArrivalSchedule.Packet> packets = net.packets;
        int next = 0;
        long now = 0;
        for (; now < 3_000 * MS; now += 10 * MS) {
            next = handleArrivedBy(jb, sink, packets, next, now);
            jb.drainDue(now, sink);
        }
        int before = sink.frames;
        int normalBefore = sink.count(FrameKind.NORMAL);
        jb.drainDue(8_000 * MS, sink); // the first tick after the stall
        int replayed = sink.frames - before;
        System.out.printf("5 s stall, its packets lost: the first tick after it played %d frames, skipped %.0f ms%n",
                replayed, jb.stats().caughtUpMs());
        assertThat(replayed).as("frames played by the first tick after the stall").isLessThanOrEqualTo(3);
        assertThat(jb.stats().caughtUpMs()).isBetween(4_800.0, 5_100.0);
        for (now = 8_010 * MS; now < 10_000 * MS; now += 10 * MS) {
            next = handleArrivedBy(jb, sink, packets, next, now);
            jb.drainDue(now, sink);
        }
        int normalAfter = sink.count(FrameKind.NORMAL) - normalBefore;
        System.out.printf("then: %d normal frames of the 99 sent by 10 s, catch-ups %d%n", normalAfter,
                jb.stats().catchUps());
        assertThat(jb.stats().catchUps()).isEqualTo(1);
        assertThat(normalAfter).as("normal frames after the stall").isGreaterThanOrEqualTo(95);
    }

    /** Inserts (and drains at its arrival, as a packet's handler does) every packet that arrived by {@code now}. */
    private static int handleArrivedBy(JitterBuffer jb, RecordingSink sink, List<ArrivalSchedule.Packet> packets,
                                       int next, long now) {
        while (next < packets.size() && packets.get(next).arrivalNanos() <= now) {
            ArrivalSchedule.Packet p = packets.get(next++);
            jb.insert(p.seq(), p.ts(), p.ssrc(), p.arrivalNanos(), p.payload(), 0, p.payload().length);
            jb.drainDue(p.arrivalNanos(), sink);
        }
        return next;
    }
}
