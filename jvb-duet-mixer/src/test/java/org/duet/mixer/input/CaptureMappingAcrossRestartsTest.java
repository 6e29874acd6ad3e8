package org.duet.mixer.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.duet.mixer.clock.CaptureClock;
import org.duet.mixer.clock.NtpTime;
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
 * A voice placed by its sender's capture clock (abs-capture-time on one frame in five, as a Jitsi
 * singer's page stamps them) whose stream restarts: a new SSRC with other timestamps, or the same
 * SSRC jumping after the sender stalled. The jitter buffer re-maps media time to continue where
 * play-out is; the capture mapping must be stated in that same media time, or the voice lands off
 * its capture time by whatever the re-map moved (a Jitsi run had one singer 1.1 s late for good
 * after a stall). Claps must sit where they were captured before and after. Deterministic: real
 * Opus, a virtual clock.
 */
class CaptureMappingAcrossRestartsTest {

    private static final long MS = 1_000_000L;
    private static final int FRAME = 960;
    private static final int PERIOD = 12_000; // a clap every 250 ms
    private static final int SECONDS = 7;
    private static final int RESTART_FRAME = 150; // at 3 s
    private static final long CAPTURE_START = 1_000 * MS;
    private static final long PATH = 30 * MS;

    /** How the sender's stream goes on at {@link #RESTART_FRAME}. */
    private interface Restart {
        /** SSRC, sequence number and RTP timestamp of frame {@code f}; null: not sent. */
        long[] header(int f);
    }

    @Test
    void aNewSsrcWithOtherTimestampsKeepsTheVoiceAtItsCaptureTime() {
        double[][] errors = run(f -> f < RESTART_FRAME
                ? new long[] {0x1111, f, 1_000 + (long) f * FRAME}
                : new long[] {0x2222, 40_000 + f, 0x7000_0000L + (long) f * FRAME});
        check("new SSRC", errors);
    }

    @Test
    void aStreamThatJumpsAfterAStallKeepsTheVoiceAtItsCaptureTime() {
        // one second not sent, then the timestamps 5 s further on (more than the buffer holds)
        double[][] errors = run(f -> f < RESTART_FRAME ? new long[] {0x3333, f, 5_000 + (long) f * FRAME}
                : f < RESTART_FRAME + 50 ? null
                : new long[] {0x3333, f - 50, 5_000 + (long) f * FRAME + 5L * 48_000});
        check("jump after a stall", errors);
    }

    private static void check(String what, double[][] errors) {
        System.out.printf("capture_mapping_across_restart (%s): clap minus capture, ms: before %s after %s%n", what,
                Arrays.toString(errors[0]), Arrays.toString(errors[1]));
        assertThat(errors[0]).as("claps found before the restart").hasSizeGreaterThanOrEqualTo(6);
        assertThat(errors[1]).as("claps found in the last 2 s").hasSizeGreaterThanOrEqualTo(6);
        double before = median(errors[0]);
        // the decoded audio lags its input by the encoder's look-ahead (6.5 ms) and a clap's onset
        assertThat(before).as("%s: before the restart, clap minus capture, ms", what).isBetween(0.0, 10.0);
        for (double e : errors[1]) {
            assertThat(Math.abs(e - before)).as("%s: a clap after the restart against before, ms", what)
                    .isLessThanOrEqualTo(1.0);
        }
    }

    private static double[][] run(Restart sender) {
        ServerClock clock = new ServerClock(0);
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), OpusCodecs.newDecoder(1));
        VoiceInput in = new VoiceInput(jb, clock, 48_000 * 8, 48 * 15, 48 * 400, 1);
        float[] claps = new float[48_000 * SECONDS];
        for (int at = 6_000; at < claps.length; at += PERIOD) {
            TestSignal.addClick(claps, at);
        }
        OpusEncoder enc = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.AUDIO, FRAME));
        short[] pcm = new short[FRAME];
        byte[] opus = new byte[1500];
        byte[] packet = new byte[1600];
        RtpWriter w = new RtpWriter();
        RtpPacket rtp = new RtpPacket();
        for (int f = 0; f < claps.length / FRAME; f++) {
            for (int i = 0; i < FRAME; i++) {
                pcm[i] = (short) Math.round(Math.max(-1f, Math.min(1f, claps[f * FRAME + i])) * 32767f);
            }
            int len = enc.encode(pcm, 0, FRAME, opus, 0, opus.length);
            long[] h = sender.header(f);
            long sentAt = CAPTURE_START + (f + 1) * 20 * MS; // when its last sample was captured
            if (h != null) {
                w.reset().payloadType(111).sequenceNumber((int) (h[1] & 0xFFFF)).timestamp(h[2] & 0xFFFF_FFFFL).ssrc(h[0]);
                if (f % 5 == 0) { // the sender's capture clock (Unix time) of the frame's first sample
                    long captureUnix = CAPTURE_START + f * 20 * MS + ServerClock.unixNanosMinusNanoTime();
                    w.addAbsCaptureTime(1, NtpTime.fromUnixNanos(captureUnix));
                }
                int hl = w.write(packet, 0);
                System.arraycopy(opus, 0, packet, hl, len);
                rtp.parse(packet, 0, hl + len);
                in.onRtp(rtp, sentAt + PATH);
            }
            in.drain(sentAt + PATH);
            in.drain(sentAt + PATH + 10 * MS);
        }
        enc.close();
        for (long t = CAPTURE_START + SECONDS * 1_000 * MS; t < CAPTURE_START + (SECONDS + 1) * 1_000 * MS; t += 10 * MS) {
            in.drain(t);
        }
        assertThat(in.captureClock().sourceFor(0)).as("placed by the sender's clock")
                .isEqualTo(CaptureClock.Source.SENDER_WALL_CLOCK);
        long shift = clock.toSamples(CAPTURE_START);
        return new double[][] {clapErrors(in, claps, shift, 1, 3), clapErrors(in, claps, shift, SECONDS - 2, SECONDS)};
    }

    /** Timeline position of each clap captured in [fromSecond, toSecond) minus its capture position, ms. */
    private static double[] clapErrors(VoiceInput in, float[] claps, long shift, int fromSecond, int toSecond) {
        List<Double> errors = new ArrayList<>();
        float[] template = TestSignal.clickTemplate();
        for (int at = 6_000; at < claps.length; at += PERIOD) {
            if (at < 48_000 * fromSecond || at >= 48_000 * toSecond || at + PERIOD > claps.length) {
                continue;
            }
            int from = -PERIOD / 2;
            float[] window = new float[PERIOD];
            in.mixInto(shift + at + from, 1f, window, 0, PERIOD);
            int[] found = SignalAnalysis.findClicks(window, template, PERIOD, 0.5);
            if (found.length == 1) {
                errors.add((found[0] + from) / 48.0);
            }
        }
        return errors.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
