package org.duet.mixer.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.jitter.JitterBuffer;
import org.duet.mixer.jitter.JitterBufferConfig;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpWriter;
import org.duet.mixer.testing.SignalAnalysis;
import org.junit.jupiter.api.Test;

/**
 * Two voices without any sender clock (no RTCP, no abs-capture-time: like plain RTP or the Jitsi
 * media export) travel identical paths (30 ms, 0-8 ms of jitter). Singer A's first packet is the
 * late one (8 ms), B's is on time. Both clap at the same capture instants. After 5 s both voices
 * must sit within 1 ms of each other on the timeline, and at capture + the minimum path delay:
 * the arrival anchor converged to the minimum observed delay instead of staying where the first
 * packet put it. Deterministic: real Opus, a virtual clock.
 */
class ArrivalAnchorTest {

    private static final long MS = 1_000_000L;
    private static final int FRAME = 960;
    private static final int PERIOD = 12_000; // a clap every 250 ms
    /** The encoder's look-ahead (AUDIO application): decoded audio lags the input by this much. */
    private static final double OPUS_LOOKAHEAD_MS = 6.5;

    private record Arrival(long at, VoiceInput to, byte[] packet) {
    }

    @Test
    void identicalPathsWithoutSenderClocksLineUpWithin1msAfter5Seconds() {
        ServerClock clock = new ServerClock(0);
        VoiceInput a = newInput(clock);
        VoiceInput b = newInput(clock);
        int seconds = 7;
        float[] claps = new float[48_000 * seconds];
        for (int at = 6_000; at < claps.length; at += PERIOD) {
            TestSignal.addClick(claps, at);
        }
        long captureStart = 1_000 * MS; // server time of sample 0 of both signals
        long path = 30 * MS;
        List<Arrival> arrivals = new ArrayList<>();
        Random random = new Random(13);
        addStream(arrivals, a, claps, captureStart, path, 8 * MS, random, 0x1234_5678L);
        addStream(arrivals, b, claps, captureStart, path, 0, random, 0x9abc_def0L);
        arrivals.sort(Comparator.comparingLong(Arrival::at));

        RtpPacket rtp = new RtpPacket();
        int next = 0;
        long end = captureStart + seconds * 1_000 * MS;
        for (long now = captureStart; now < end; now += MS) {
            while (next < arrivals.size() && arrivals.get(next).at() <= now) {
                Arrival x = arrivals.get(next++);
                rtp.parse(x.packet(), 0, x.packet().length);
                x.to().onRtp(rtp, x.at());
            }
            if ((now / MS) % 10 == 0) {
                a.drain(now);
                b.drain(now);
            }
        }

        // Claps captured in the last second: where does each voice have them on the timeline?
        long expectedShift = ServerClock.nanosToSamples(captureStart + path);
        double[] errorsA = clapErrors(a, claps, expectedShift, seconds);
        double[] errorsB = clapErrors(b, claps, expectedShift, seconds);
        System.out.printf("arrival_anchor_error_ms A %s B %s (A's first packet 8 ms late)%n",
                Arrays.toString(errorsA), Arrays.toString(errorsB));
        assertThat(errorsA).isNotEmpty();
        assertThat(errorsA.length).isEqualTo(errorsB.length);
        for (int i = 0; i < errorsA.length; i++) {
            assertThat(Math.abs(errorsA[i] - errorsB[i])).as("A against B, ms").isLessThanOrEqualTo(1.0);
            // The minimum of 0-8 ms uniform jitter over ~250 packets is well under 1 ms.
            assertThat(errorsA[i] - OPUS_LOOKAHEAD_MS).as("A against capture + minimum path delay + Opus look-ahead, ms").isBetween(-0.5, 1.0);
        }
        assertThat(a.placement().slewedSamples()).as("A was slewed, not jumped").isGreaterThan(0);
        assertThat(a.reanchors()).isZero();
    }

    /**
     * A queue builds up upstream of singer A for 10 s (a busy bridge: A's packets come 150-350 ms
     * late, in bursts every 200 ms) and then drains. A voice's capture estimate must not follow
     * the queue: A's claps stay where B's are, during the backlog and after it, and A is never
     * re-placed. (The jitter buffer's own arrival baseline forgets within seconds; anchored on it,
     * A moved by tens of ms late in the backlog and jumped back when it drained.)
     */
    @Test
    void aBacklogUpstreamOfOneRelayedSingerDoesNotMoveItsVoice() {
        ServerClock clock = new ServerClock(0);
        VoiceInput a = newInput(clock, true);
        VoiceInput b = newInput(clock, true);
        int seconds = 16;
        float[] claps = new float[48_000 * seconds];
        for (int at = 6_000; at < claps.length; at += PERIOD) {
            TestSignal.addClick(claps, at);
        }
        long captureStart = 1_000 * MS;
        long path = 30 * MS;
        List<Arrival> arrivals = new ArrayList<>();
        Random random = new Random(17);
        // frames 100-600 (2 s to 12 s): held until the next 200 ms release, plus a standing 150 ms
        addStream(arrivals, a, claps, captureStart, path, 0, random, 0x1111_2222L, f -> {
            if (f < 100 || f >= 600) {
                return 0;
            }
            long sent = (f + 1) * 20 * MS;
            long release = (sent / (200 * MS) + 1) * 200 * MS;
            return 150 * MS + release - sent;
        });
        addStream(arrivals, b, claps, captureStart, path, 0, random, 0x3333_4444L);
        arrivals.sort(Comparator.comparingLong(Arrival::at));

        RtpPacket rtp = new RtpPacket();
        int next = 0;
        long end = captureStart + seconds * 1_000 * MS;
        for (long now = captureStart; now < end; now += MS) {
            while (next < arrivals.size() && arrivals.get(next).at() <= now) {
                Arrival x = arrivals.get(next++);
                rtp.parse(x.packet(), 0, x.packet().length);
                x.to().onRtp(rtp, x.at());
            }
            if ((now / MS) % 10 == 0) {
                a.drain(now);
                b.drain(now);
            }
        }

        long expectedShift = ServerClock.nanosToSamples(captureStart + path);
        double[] errorsA = clapErrorsBetween(a, claps, expectedShift, 3, seconds - 1);
        double[] errorsB = clapErrorsBetween(b, claps, expectedShift, 3, seconds - 1);
        System.out.printf("arrival_anchor_backlog_error_ms A %s B %s%n", Arrays.toString(errorsA),
                Arrays.toString(errorsB));
        // (claps of A that came while the jitter buffer was still learning the backlog are concealed: NaN)
        List<Double> gaps = new ArrayList<>();
        for (int i = 0; i < errorsA.length; i++) {
            if (!Double.isNaN(errorsA[i]) && !Double.isNaN(errorsB[i])) {
                gaps.add(Math.abs(errorsA[i] - errorsB[i]));
            }
        }
        assertThat(gaps.size()).as("claps found in both voices from 3 s on").isGreaterThanOrEqualTo(24);
        double[] sorted = gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        assertThat(sorted[sorted.length / 2]).as("median |A - B|, ms").isLessThanOrEqualTo(0.5);
        // a clap next to a concealed frame can come out 2-4 ms off; a voice that followed the queue drifts further
        assertThat(sorted[sorted.length - 1]).as("largest |A - B|, ms").isLessThanOrEqualTo(5.0);
        int n = errorsA.length;
        for (int i = n - 4; i < n; i++) { // after the backlog drained
            assertThat(Math.abs(errorsA[i] - errorsB[i])).as("A against B after the backlog, clap " + i + ", ms")
                    .isLessThanOrEqualTo(1.0);
        }
        assertThat(a.reanchors()).as("A re-placed").isZero();
    }

    private static VoiceInput newInput(ServerClock clock) {
        return newInput(clock, false);
    }

    private static VoiceInput newInput(ServerClock clock, boolean relayed) {
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), OpusCodecs.newDecoder(1));
        return new VoiceInput(jb, clock, 48_000 * 8, 48 * 15, 48 * 400, 0, relayed);
    }

    private static void addStream(List<Arrival> out, VoiceInput to, float[] signal, long captureStart, long path,
                                  long firstPacketJitter, Random random, long ts0) {
        addStream(out, to, signal, captureStart, path, firstPacketJitter, random, ts0, f -> 0);
    }

    /** {@code extraDelay}: frame index to extra delay (ns) on top of the path and its jitter. */
    private static void addStream(List<Arrival> out, VoiceInput to, float[] signal, long captureStart, long path,
                                  long firstPacketJitter, Random random, long ts0,
                                  java.util.function.IntToLongFunction extraDelay) {
        OpusEncoder enc = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.AUDIO, FRAME));
        short[] pcm = new short[FRAME];
        byte[] opus = new byte[1500];
        RtpWriter w = new RtpWriter();
        for (int f = 0; f < signal.length / FRAME; f++) {
            for (int i = 0; i < FRAME; i++) {
                pcm[i] = (short) Math.round(Math.max(-1f, Math.min(1f, signal[f * FRAME + i])) * 32767f);
            }
            int len = enc.encode(pcm, 0, FRAME, opus, 0, opus.length);
            byte[] packet = new byte[12 + len];
            int h = w.reset().payloadType(111).sequenceNumber(f & 0xFFFF).timestamp((ts0 + (long) f * FRAME) & 0xFFFFFFFFL)
                    .ssrc(ts0).write(packet, 0);
            System.arraycopy(opus, 0, packet, h, len);
            long jitter = f == 0 ? firstPacketJitter : (long) (random.nextDouble() * 8 * MS);
            // Sent when the frame's last sample was captured, then the path.
            long arrival = captureStart + (f + 1) * 20 * MS + path + jitter + extraDelay.applyAsLong(f);
            out.add(new Arrival(arrival, to, packet));
        }
        enc.close();
    }

    /** Timeline position of each clap of the last second minus (its capture position + shift), in ms. */
    private static double[] clapErrors(VoiceInput in, float[] claps, long shift, int seconds) {
        return clapErrorsBetween(in, claps, shift, seconds - 2, seconds);
    }

    /** The same for the claps captured between {@code fromSecond} and {@code toSecond}. */
    private static double[] clapErrorsBetween(VoiceInput in, float[] claps, long shift, int fromSecond, int toSecond) {
        List<Double> errors = new ArrayList<>();
        float[] template = TestSignal.clickTemplate();
        for (int at = 6_000; at < claps.length; at += PERIOD) {
            if (at < 48_000 * fromSecond || at >= 48_000 * toSecond || at + 2 * PERIOD > claps.length) {
                continue;
            }
            long expected = shift + at;
            int from = -PERIOD / 2;
            float[] window = new float[PERIOD];
            in.mixInto(expected + from, 1f, window, 0, PERIOD);
            int[] found = SignalAnalysis.findClicks(window, template, PERIOD, 0.5);
            if (found.length == 1) {
                errors.add((found[0] + from) / 48.0);
            } else if (fromSecond < toSecond - 2) {
                errors.add(Double.NaN); // keeps clap i at index i for comparisons across voices
            }
        }
        return errors.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
