package org.duet.mixer.jitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.duet.mixer.jitter.ArrivalSchedule.MS;

import java.util.Arrays;
import java.util.Random;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusPacketInfo;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.opus.Signals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wraps, SSRC changes, DTX, floods, sender jumps, bad input and variable frame sizes. */
class JitterBufferStreamEventsTest {

    private static final OpusSettings MUSIC = OpusSettings.music(1);
    private final OpusDecoder decoder = OpusCodecs.newDecoder(1, OpusBackend.AUTO);

    @AfterEach
    void close() {
        decoder.close();
    }

    private static RecordingSink sink(int frames) {
        return new RecordingSink(frames * 4 + 100, frames * 960 * 2 + 96_000, 1);
    }

    @Test
    void sequenceAndTimestampWrapMidStream() {
        EncodedStream s = EncodedStream.tone(MUSIC, 120, 440);
        int firstSeq = 65_500; // wraps after 36 packets
        long firstTs = 0x1_0000_0000L - 50L * 960; // wraps after 50 packets
        long[] jitter = new long[s.size()];
        jitter[35] = 30 * MS; // reordered across the sequence wrap
        jitter[49] = 30 * MS; // and across the timestamp wrap
        boolean[] drop = new boolean[s.size()];
        drop[37] = true; // lost right after the wrap
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        ArrivalSchedule net = ArrivalSchedule.regular(s, firstSeq, firstTs, 9, 10 * MS, jitter, drop);
        RecordingSink out = sink(s.size());
        net.play(jb, out, MS, (s.size() + 1) * 20 * MS + 10 * MS + 40 * MS);

        assertThat(jb.stats().reordered()).isEqualTo(2);
        assertThat(jb.stats().lost()).isEqualTo(1);
        assertThat(jb.stats().late()).isZero();
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(119);
        assertThat(out.count(FrameKind.NORMAL) + out.count(FrameKind.FEC) + out.count(FrameKind.CONCEALED))
                .isGreaterThanOrEqualTo(120);
        out.assertContiguous();
        assertThat(out.timestamps[0]).isEqualTo(firstTs);
        assertThat(out.timestamps[119]).as("extended past 2^32").isEqualTo(firstTs + 119 * 960L);
        assertThat(Signals.toneSnrDb(out.pcm, 1, 0, 60 * 960, 48_000, 440)).isGreaterThan(25);
    }

    @Test
    void ssrcChangeResetsAndReanchors() {
        EncodedStream a = EncodedStream.tone(MUSIC, 100, 440);
        EncodedStream b = EncodedStream.tone(MUSIC, 100, 660);
        ArrivalSchedule net = ArrivalSchedule.regular(a, 10, 1000, 111, 10 * MS, null, null);
        long bStart = 100 * 20 * MS; // B's first frame ends 20 ms after A's last
        for (int i = 0; i < b.size(); i++) {
            net.add(40_000 + i, 123_456_789L + i * 960L, 222, bStart + (i + 1) * 20 * MS + 10 * MS, b.packets[i]);
        }
        net.add(10 + 99, 1000 + 99 * 960L, 111, bStart + 45 * MS, a.packets[99]); // straggler of A
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(200);
        net.play(jb, out, MS, bStart + 101 * 20 * MS + 10 * MS + 40 * MS);

        assertThat(net.count(InsertResult.SSRC_CHANGED)).isEqualTo(1);
        assertThat(jb.stats().ssrcChanges()).isEqualTo(1);
        assertThat(net.results).contains(InsertResult.LATE);
        // A: frames 0..99 contiguous from 1000; then B starts at a new, larger timestamp
        assertThat(out.timestamps[0]).isEqualTo(1000);
        for (int i = 0; i < 100; i++) {
            assertThat(out.kinds[i]).isEqualTo(FrameKind.NORMAL);
        }
        int firstB = 100;
        long aEnd = out.timestamps[firstB - 1] + out.samples[firstB - 1];
        assertThat(out.timestamps[firstB]).as("B continues at or after A's end").isGreaterThanOrEqualTo(aEnd);
        out.assertContiguous(0, firstB);
        out.assertContiguous(firstB, out.frames);
        int normal = 0;
        for (int i = firstB; i < out.frames; i++) {
            if (out.kinds[i] == FrameKind.NORMAL) {
                normal++;
            }
        }
        assertThat(normal).isEqualTo(100);
        // B's audio is B's tone: skip its first 200 ms, measure 1 s
        int bPcm = 0;
        for (int i = 0; i < firstB; i++) {
            bPcm += out.samples[i];
        }
        assertThat(Signals.peakFrequency(out.pcm, 1, 0, bPcm + 9600, 48_000)).isCloseTo(660, within(2.0));
        assertThat(Signals.toneSnrDb(out.pcm, 1, 0, bPcm + 9600, 48_000, 660)).isGreaterThan(20);
        // the capture-time anchor continues across the change (within a few frames)
        assertThat(out.timestamps[firstB] - aEnd).isLessThanOrEqualTo(3 * 960);
    }

    /** A to B and back to A: the return is a change too, once A keeps coming (not a lone straggler). */
    @Test
    void ssrcThatComesBackIsFollowed() {
        EncodedStream s = EncodedStream.tone(MUSIC, 150, 440);
        ArrivalSchedule net = new ArrivalSchedule();
        for (int i = 0; i < 150; i++) {
            long ssrc = i < 50 ? 111 : i < 100 ? 222 : 111;
            int seqBase = ssrc == 111 ? 100 : 7000;
            net.add(seqBase + i, 9000L + i * 960L, ssrc, (i + 1) * 20 * MS + 10 * MS, s.packets[i]);
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(150);
        net.play(jb, out, 2 * MS, 151 * 20 * MS + 60 * MS);

        int back = JitterBufferConfig.defaults().reanchorAfterPackets();
        assertThat(jb.stats().ssrcChanges()).isEqualTo(2);
        assertThat(net.count(InsertResult.SSRC_CHANGED)).isEqualTo(2);
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(150 - (back - 1));
        for (int i = 1; i < out.frames; i++) {
            assertThat(out.timestamps[i]).isGreaterThanOrEqualTo(out.timestamps[i - 1] + out.samples[i - 1]);
        }
    }

    /**
     * A real DTX encoder: voice, 2 s of silence, voice. Like a WebRTC sender, it transmits the
     * first 1-byte DTX packet and then nothing until the encoder's next comfort-noise refresh, so
     * sequence numbers stay contiguous while the timestamp jumps. The gaps must come out as
     * SILENCE, never as concealment.
     */
    @Test
    void dtxGapsBecomeSilence() {
        int frames = 200;
        short[] pcm = new short[frames * 960];
        short[] part = new short[50 * 960];
        Signals.voice(part, 0, part.length, 10_000);
        System.arraycopy(part, 0, pcm, 0, part.length);
        Signals.voice(part, 150 * 960, part.length, 10_000);
        System.arraycopy(part, 0, pcm, 150 * 960, part.length);
        ArrivalSchedule net = new ArrivalSchedule();
        int seq = 500;
        int sent = 0;
        int suppressed = 0;
        byte[] buf = new byte[1500];
        try (OpusEncoder enc = OpusCodecs.newEncoder(OpusSettings.voice(1).withDtx(true), OpusBackend.AUTO)) {
            boolean previousTiny = false;
            for (int f = 0; f < frames; f++) {
                int n = enc.encode(pcm, f * 960, 960, buf, 0, buf.length);
                boolean tiny = OpusPacketInfo.isDtxOrEmpty(n);
                if (tiny && previousTiny) {
                    suppressed++;
                } else {
                    net.add(seq++, 3000L + f * 960L, 5, (f + 1) * 20 * MS + 12 * MS, Arrays.copyOf(buf, n));
                    sent++;
                }
                previousTiny = tiny;
            }
        }
        assertThat(suppressed).as("frames never sent").isGreaterThan(50);
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(frames);
        net.play(jb, out, 2 * MS, (frames + 1) * 20 * MS + 12 * MS + 40 * MS);

        assertThat(jb.stats().lost()).isZero();
        int lastNormal = 0;
        for (int i = 0; i < out.frames; i++) {
            if (out.kinds[i] == FrameKind.NORMAL) {
                lastNormal = i;
            }
        }
        for (int i = 0; i < lastNormal; i++) { // (after the stream ends, the tail is concealed as usual)
            assertThat(out.kinds[i]).as("frame %d: no concealment noise in DTX gaps", i)
                    .isNotEqualTo(FrameKind.CONCEALED);
        }
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(sent);
        assertThat(out.samplesOf(FrameKind.SILENCE)).as("silence covers every suppressed frame")
                .isGreaterThanOrEqualTo(suppressed * 960L);
        assertThat(jb.stats().dtxSilenceFrames()).isEqualTo(out.count(FrameKind.SILENCE));
        out.assertContiguous();
        // the decoded silence is silent, the voice after it is back
        assertThat(Signals.rms(out.pcm, 100 * 960, 40 * 960)).isLessThan(30);
        assertThat(Signals.rms(out.pcm, 160 * 960, 30 * 960)).isGreaterThan(1000);
    }

    /** Without the DTX marker a gap looks like loss at first: a short concealment, then silence. */
    @Test
    void silentSenderWithoutMarkerGetsBriefConcealmentThenSilence() {
        EncodedStream s = EncodedStream.tone(MUSIC, 150, 440);
        ArrivalSchedule net = new ArrivalSchedule();
        for (int i = 0; i < 150; i++) {
            long mediaFrame = i < 50 ? i : i + 100; // 2 s with nothing sent, sequence contiguous
            net.add(i, mediaFrame * 960, 5, (mediaFrame + 1) * 20 * MS + 10 * MS, s.packets[i]);
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(300);
        net.play(jb, out, 2 * MS, 251 * 20 * MS + 60 * MS);

        assertThat(jb.stats().lost()).isZero();
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(150);
        long gapConcealed = 0;
        long gapSilence = 0;
        for (int i = 50; i < out.frames && out.kinds[i] != FrameKind.NORMAL; i++) {
            if (out.kinds[i] == FrameKind.CONCEALED) {
                gapConcealed += out.samples[i];
            } else if (out.kinds[i] == FrameKind.SILENCE) {
                gapSilence += out.samples[i];
            }
        }
        assertThat(gapConcealed).as("PLC in the gap: at most the 100 ms run").isLessThanOrEqualTo(100 * 48);
        assertThat(gapConcealed + gapSilence).as("the whole gap is covered").isEqualTo(100 * 960L);
        out.assertContiguous();
    }

    /** Hostile input: 20 000 packets with random sequence numbers and timestamps. Memory is capped. */
    @Test
    void floodFarAheadStaysWithinTheCap() {
        EncodedStream s = EncodedStream.tone(MUSIC, 100, 440);
        JitterBufferConfig cfg = JitterBufferConfig.defaults();
        JitterBuffer jb = new JitterBuffer(cfg, decoder);
        RecordingSink out = sink(200);
        long now = 0;
        for (int i = 0; i < 50; i++) {
            now = (i + 1) * 20 * MS + 5 * MS;
            jb.insert(i, i * 960L, 7, now, s.packets[i], 0, s.packets[i].length);
            jb.drainDue(now, out);
        }
        Random rnd = new Random(99);
        int[] seqs = new int[20_000];
        long[] tss = new long[20_000];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = rnd.nextInt(65_536);
            tss[i] = rnd.nextLong() & 0xFFFF_FFFFL;
        }
        byte[] payload = s.packets[60];
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int maxBuffered = 0;
        long before = mx.getCurrentThreadAllocatedBytes();
        int accepted = 0;
        for (int i = 0; i < seqs.length; i++) {
            if (jb.insert(seqs[i], tss[i], 7, now, payload, 0, payload.length) == InsertResult.ACCEPTED) {
                accepted++;
            }
            maxBuffered = Math.max(maxBuffered, jb.stats().bufferedFrames());
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 20 000 hostile inserts").isLessThan(1024);
        assertThat(maxBuffered).isLessThanOrEqualTo(cfg.capacityPackets());
        assertThat(jb.stats().overflowDropped() + jb.stats().late() + jb.stats().duplicates() + accepted)
                .isEqualTo(20_000);
        // random numbers are ahead or behind the window about half and half; none may move the target
        assertThat(jb.stats().overflowDropped()).isGreaterThan(9_000);
        assertThat(jb.stats().late()).isGreaterThan(9_000);
        assertThat(jb.stats().reanchors()).isZero();
        assertThat(jb.stats().targetDelayMs()).as("target after the flood").isLessThan(45);
        // the real stream carries on
        for (int i = 50; i < 100; i++) {
            now = (i + 1) * 20 * MS + 5 * MS;
            jb.insert(i, i * 960L, 7, now, s.packets[i], 0, s.packets[i].length);
            jb.drainDue(now, out);
        }
        assertThat(out.count(FrameKind.NORMAL)).isGreaterThanOrEqualTo(99 - accepted);
        System.out.println("flood: " + jb.stats());
    }

    /** A sender that restarts its numbering without a new SSRC is followed after a short run. */
    @Test
    void senderJumpReanchorsAfterARun() {
        EncodedStream s = EncodedStream.tone(MUSIC, 200, 440);
        ArrivalSchedule net = new ArrivalSchedule();
        for (int i = 0; i < 200; i++) {
            int seq = i < 100 ? i : 30_000 + i;
            long ts = i < 100 ? i * 960L : 2_000_000_000L + i * 960L;
            net.add(seq, ts, 5, (i + 1) * 20 * MS + 10 * MS, s.packets[i]);
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(200);
        net.play(jb, out, 2 * MS, 201 * 20 * MS + 60 * MS);

        int reanchorAfter = JitterBufferConfig.defaults().reanchorAfterPackets();
        assertThat(jb.stats().reanchors()).isEqualTo(1);
        assertThat(net.count(InsertResult.TOO_FAR_AHEAD)).isEqualTo(reanchorAfter - 1);
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(200 - (reanchorAfter - 1));
        for (int i = 1; i < out.frames; i++) {
            assertThat(out.timestamps[i]).as("timestamps never go back").isGreaterThanOrEqualTo(
                    out.timestamps[i - 1] + out.samples[i - 1]);
        }
    }

    @Test
    void badInputIsRejectedWithAReason() {
        EncodedStream s = EncodedStream.tone(MUSIC, 20, 440);
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(40);
        byte[] big = new byte[2000];
        big[0] = s.packets[0][0];
        byte[] zeroFrames = {(byte) ((31 << 3) | 3), 0};
        for (int i = 0; i < 20; i++) {
            long now = (i + 1) * 20 * MS;
            assertThat(jb.insert(i, i * 960L, 1, now, s.packets[i], 0, s.packets[i].length))
                    .isEqualTo(InsertResult.ACCEPTED);
            assertThat(jb.insert(i, i * 960L, 1, now, big, 0, big.length)).isEqualTo(InsertResult.OVERSIZE);
            assertThat(jb.insert(i, i * 960L, 1, now, zeroFrames, 0, 2)).isEqualTo(InsertResult.MALFORMED);
            assertThat(jb.insert(i, i * 960L, 1, now, s.packets[i], 0, 0)).isEqualTo(InsertResult.MALFORMED);
            assertThat(jb.insert(i, i * 960L, 1, now, null, 0, 10)).isEqualTo(InsertResult.MALFORMED);
            assertThat(jb.insert(i, i * 960L, 1, now, s.packets[i], 5, s.packets[i].length))
                    .isEqualTo(InsertResult.MALFORMED);
            jb.drainDue(now, out);
        }
        assertThat(jb.stats().oversize()).isEqualTo(20);
        assertThat(jb.stats().malformed()).isEqualTo(80);
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(20);
        out.assertContiguous();
    }

    /** Packets of 10, 20, 40 and 60 ms in one stream; a lost 40 ms packet is concealed as 40 ms. */
    @Test
    void frameDurationsVaryPacketToPacket() {
        int[] pattern = {480, 960, 1920, 2880, 960, 480, 1920};
        int total = 0;
        int count = 70;
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = pattern[i % pattern.length];
            total += sizes[i];
        }
        short[] pcm = new short[total];
        Signals.voice(pcm, 0, total, 10_000);
        ArrivalSchedule net = new ArrivalSchedule();
        byte[] buf = new byte[1500];
        int lostIndex = 30; // 30 % 7 == 2: a 40 ms packet
        try (OpusEncoder enc = OpusCodecs.newEncoder(OpusSettings.voice(1), OpusBackend.AUTO)) {
            int pos = 0;
            for (int i = 0; i < count; i++) {
                int n = enc.encode(pcm, pos, sizes[i], buf, 0, buf.length);
                assertThat(n).isPositive();
                pos += sizes[i];
                if (i != lostIndex) {
                    net.add(i, pos - sizes[i], 3, pos * 62_500L / 3 + 10 * MS, Arrays.copyOf(buf, n));
                }
            }
        }
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(count);
        net.play(jb, out, MS, total * 62_500L / 3 + 100 * MS);

        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(count - 1);
        int lostFrame = -1;
        for (int i = 0; i < count; i++) {
            if (out.kinds[i] != FrameKind.NORMAL) {
                lostFrame = i;
                break;
            }
            assertThat(out.samples[i]).isEqualTo(sizes[i]);
        }
        assertThat(lostFrame).isEqualTo(lostIndex);
        // the 40 ms hole is filled exactly (as one or more concealed frames), then the stream resumes
        long filled = 0;
        int i = lostIndex;
        for (; out.kinds[i] != FrameKind.NORMAL; i++) {
            filled += out.samples[i];
        }
        // tail concealment runs at the pace of the last frame size (20 ms), so it may cover part of
        // the longer packet that follows; that packet is then played from where concealment stopped
        assertThat(filled).isGreaterThanOrEqualTo(1920);
        assertThat(filled + out.samples[i]).isEqualTo(1920 + sizes[lostIndex + 1]);
        assertThat(jb.stats().lost()).isEqualTo(1);
        out.assertContiguous();
    }

    /** The arrival baseline follows a sender clock 200 ppm off in either direction. */
    @Test
    void bestCaseArrivalTracksClockDrift() {
        for (double ppm : new double[] {200, -200}) {
            EncodedStream s = EncodedStream.tone(MUSIC.withComplexity(0).withBitrate(16_000), 3000, 440);
            OpusDecoder dec = OpusCodecs.newDecoder(1, OpusBackend.AUTO);
            JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), dec);
            RecordingSink out = sink(3000);
            Random rnd = new Random(3);
            double worst = 0;
            long pathDelay = 25 * MS;
            for (int i = 0; i < 3000; i++) {
                // the sender's 20 ms are (1 + ppm) of our 20 ms
                long sentEnd = (long) ((i + 1) * 20 * MS * (1 + ppm * 1e-6));
                long arrival = sentEnd + pathDelay + (long) (rnd.nextDouble() * 15 * MS);
                jb.insert(i, i * 960L, 1, arrival, s.packets[i], 0, s.packets[i].length);
                jb.drainDue(arrival, out);
                if (i > 250) { // after a 5 s warm-up
                    long predicted = jb.bestCaseArrivalNanos((i + 1) * 960L);
                    worst = Math.max(worst, Math.abs(predicted - (sentEnd + pathDelay)) / 1e6);
                }
            }
            dec.close();
            System.out.printf("drift %+.0f ppm: worst anchor error %.2f ms%n", ppm, worst);
            assertThat(worst).as("anchor error with %+.0f ppm drift, ms", ppm).isLessThan(3.0);
        }
    }

    /** Stereo, 10 ms frames, 10 % loss: both channels keep their own tone and every hole is filled once. */
    @Test
    void stereoTenMillisecondFramesWithLoss() {
        int frames = 300;
        OpusSettings stereo = OpusSettings.music(2).withFrameSamples(480);
        short[] pcm = new short[frames * 480 * 2];
        Signals.tone(pcm, 2, 0, 0, frames * 480, 440, 9000);
        Signals.tone(pcm, 2, 1, 0, frames * 480, 660, 9000);
        EncodedStream s = EncodedStream.encode(stereo, pcm);
        Random rnd = new Random(17);
        boolean[] drop = new boolean[frames];
        int dropped = 0;
        for (int i = 10; i < frames - 5; i++) {
            if (rnd.nextDouble() < 0.10) {
                drop[i] = true;
                dropped++;
            }
        }
        try (OpusDecoder stereoDecoder = OpusCodecs.newDecoder(2, OpusBackend.AUTO)) {
            JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), stereoDecoder);
            assertThat(jb.channels()).isEqualTo(2);
            ArrivalSchedule net = ArrivalSchedule.regular(s, 3, 0, 77, 10 * MS, null, drop);
            RecordingSink out = new RecordingSink(frames * 4, frames * 480 + 48_000, 2);
            net.play(jb, out, MS, (frames + 1) * 10 * MS + 10 * MS + 10 * MS);

            assertThat(jb.stats().lost()).isEqualTo(dropped);
            assertThat(jb.stats().concealed() + jb.stats().fecRecovered()).isEqualTo(dropped);
            assertThat(out.count(FrameKind.NORMAL)).isEqualTo(frames - dropped);
            for (int i = 0; i < frames; i++) {
                assertThat(out.samples[i]).isEqualTo(480);
            }
            out.assertContiguous();
            int from = 9600;
            assertThat(Signals.peakFrequency(out.pcm, 2, 0, from, 48_000)).isCloseTo(440, within(2.0));
            assertThat(Signals.peakFrequency(out.pcm, 2, 1, from, 48_000)).isCloseTo(660, within(2.0));
        }
    }

    /** reset() forgets the stream; what follows is played again, never at an earlier timestamp. */
    @Test
    void resetStartsOverWithoutGoingBack() {
        EncodedStream s = EncodedStream.tone(MUSIC, 100, 440);
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
        RecordingSink out = sink(100);
        for (int i = 0; i < 50; i++) {
            long now = (i + 1) * 20 * MS + 10 * MS;
            assertThat(jb.insert(i, 500_000L + i * 960L, 4, now, s.packets[i], 0, s.packets[i].length))
                    .isEqualTo(InsertResult.ACCEPTED);
            jb.drainDue(now, out);
        }
        long endBefore = out.endTimestamp();
        jb.reset();
        assertThat(jb.stats().bufferedFrames()).isZero();
        for (int i = 50; i < 100; i++) { // the sender starts over from small numbers
            long now = (i + 1) * 20 * MS + 10 * MS;
            assertThat(jb.insert(i - 50, (i - 50) * 960L, 4, now, s.packets[i], 0, s.packets[i].length))
                    .isEqualTo(InsertResult.ACCEPTED);
            jb.drainDue(now, out);
        }
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(100);
        assertThat(out.timestamps[50]).isGreaterThanOrEqualTo(endBefore);
        out.assertContiguous(0, 50);
        out.assertContiguous(50, out.frames);
        assertThat(jb.stats().received()).isEqualTo(100);
    }

    /** A packet the decoder rejects (framing valid, content not) is concealed and counted, in place. */
    @Test
    void decoderRejectionIsConcealedInPlace() {
        EncodedStream s = EncodedStream.tone(MUSIC, 60, 440);
        byte[] poisoned = s.packets[30];
        OpusDecoder picky = new OpusDecoder() { // the real decoder, except it refuses one payload
            @Override
            public int decode(byte[] p, int off, int len, short[] pcm, int pcmOff, int max) {
                if (len == poisoned.length && Arrays.equals(p, off, off + len, poisoned, 0, len)) {
                    return org.duet.mixer.opus.OpusError.INVALID_PACKET;
                }
                return decoder.decode(p, off, len, pcm, pcmOff, max);
            }

            @Override
            public int decodeFec(byte[] p, int off, int len, short[] pcm, int pcmOff, int samples) {
                return decoder.decodeFec(p, off, len, pcm, pcmOff, samples);
            }

            @Override
            public int conceal(short[] pcm, int pcmOff, int samples) {
                return decoder.conceal(pcm, pcmOff, samples);
            }

            @Override
            public void reset() {
                decoder.reset();
            }

            @Override
            public int channels() {
                return 1;
            }

            @Override
            public void close() {
            }
        };
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), picky);
        ArrivalSchedule net = ArrivalSchedule.regular(s, 0, 0, 1, 10 * MS, null, null);
        RecordingSink out = sink(60);
        net.play(jb, out, MS, 61 * 20 * MS + 10 * MS);

        assertThat(jb.stats().decodeErrors()).isEqualTo(1);
        assertThat(out.kinds[30]).isEqualTo(FrameKind.CONCEALED);
        assertThat(out.samples[30]).isEqualTo(960);
        assertThat(out.count(FrameKind.NORMAL)).isEqualTo(59);
        out.assertContiguous();
    }
}
