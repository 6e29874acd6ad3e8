package org.duet.mixer.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.duet.mixer.testing.PeerJoin.join;

import java.nio.file.Path;
import java.util.Arrays;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.record.OggOpusFiles;
import org.duet.mixer.record.TakeInfo;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.SignalAnalysis;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A take from two plain-RTP singers sending click trains (A at 3 kHz, B at 7 kHz, 100 ms after
 * A, every 250 ms). Each voice file holds every packet its singer sent, and each decodes; the
 * listener-mix file has both singers' clicks where the capture timeline puts them: sample
 * {@code i} of a singer's signal, captured at {@code start + i} on the server clock, lands at
 * file sample {@code start + i + codec delay - take start}, within 1 ms.
 */
class TakeRecordingTest {

    private static final int PERIOD = 12_000;
    private static final int B_LATER = 4_800;

    @TempDir
    Path dir;

    @BeforeAll
    static void warmUp() {
        CodecWarmUp.run();
    }

    /** Where a click at sample 0 comes out of the peers' encoder and a decoder (their look-ahead). */
    static int codecDelay(double hz) {
        float[] signal = new float[960 * 10];
        TestSignal.addClick(signal, 3 * 960, hz);
        float[] out = new float[signal.length];
        try (OpusEncoder e = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.AUDIO, 960)); OpusDecoder d = OpusCodecs.newDecoder(1)) {
            short[] pcm = new short[960];
            byte[] pkt = new byte[1500];
            for (int f = 0; f < 10; f++) {
                for (int i = 0; i < 960; i++) {
                    pcm[i] = (short) Math.round(signal[f * 960 + i] * 32767);
                }
                int len = e.encode(pcm, 0, 960, pkt, 0, pkt.length);
                int n = d.decode(pkt, 0, len, pcm, 0, 960);
                for (int i = 0; i < n; i++) {
                    out[f * 960 + i] = pcm[i] / 32768f;
                }
            }
        }
        int[] at = SignalAnalysis.findClicks(out, TestSignal.clickTemplate(hz), out.length, 0.5);
        return at[0] - 3 * 960;
    }

    @Test
    void voicesAsReceivedAndTheListenerMixOnOneTimeline() throws Exception {
        int delayA = codecDelay(3000);
        int delayB = codecDelay(7000);
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RehearsalService rehearsal = new RehearsalService(mixer, RehearsalSettings.from(
                     DuetConfig.withOverrides("duet.rehearsal.takes.dir = \"" + dir + "\"").raw()));
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111);
             RtpPeer listener = new RtpPeer("l", 111)) {
            Room room = mixer.openRoom("takes");
            join(room, "a", Role.singer("a"), a);
            join(room, "b", Role.singer("b"), b);
            join(room, "l", Role.LISTENER, listener);

            int samples = 48_000 * 4;
            float[] sa = new float[samples];
            float[] sb = new float[samples];
            for (int at = 6_000; at < samples; at += PERIOD) {
                TestSignal.addClick(sa, at, 3000);
                TestSignal.addClick(sb, at + B_LATER, 7000);
            }
            TakeInfo take = rehearsal.startTake("takes", "test");
            long start = System.nanoTime() + 100_000_000L;
            a.startSending(sa, start);
            b.startSending(sb, start);
            a.awaitSent(15_000);
            b.awaitSent(15_000);
            Thread.sleep(500);
            rehearsal.stopTake("takes");
            TakeInfo done = rehearsal.awaitTake("takes", take.id(), 10_000);
            assertThat(done.status()).isEqualTo(TakeInfo.DONE);
            System.out.printf("take_duration_ms %d (%d bytes, %d files)%n", done.durationMs(), done.bytes(),
                    done.tracks().size());

            Path takeDir = dir.resolve(take.id());
            OggOpusFiles.Contents va = OggOpusFiles.read(takeDir.resolve("voice-singer-a.opus"));
            OggOpusFiles.Contents vb = OggOpusFiles.read(takeDir.resolve("voice-singer-b.opus"));
            System.out.printf("take_voice_packets a %d of %d sent, b %d of %d sent%n", va.audioPackets(),
                    a.packetsSent(), vb.audioPackets(), b.packetsSent());
            assertThat(va.audioPackets()).as("A's packets in A's file").isEqualTo(a.packetsSent());
            assertThat(vb.audioPackets()).as("B's packets in B's file").isEqualTo(b.packetsSent());
            assertThat(va.decodeErrors() + vb.decodeErrors()).as("packets that do not decode").isZero();

            long startPos = room.clock().toSamples(start) - done.startPosition();
            OggOpusFiles.Contents mix = OggOpusFiles.read(takeDir.resolve("mix.opus"));
            double[] errA = errors(mix.audio(), 3000, startPos + 6_000 + delayA);
            double[] errB = errors(mix.audio(), 7000, startPos + 6_000 + B_LATER + delayB);
            double[] errVa = errors(va.audio(), 3000, startPos + 6_000 + delayA);
            System.out.printf("take_mix_click_error_a_ms median %.3f max %.3f (%d clicks)%n", errA[0], errA[1], (int) errA[2]);
            System.out.printf("take_mix_click_error_b_ms median %.3f max %.3f (%d clicks)%n", errB[0], errB[1], (int) errB[2]);
            System.out.printf("take_voice_a_click_error_ms median %.3f max %.3f%n", errVa[0], errVa[1]);
            assertThat(errA[2]).as("A's clicks found in the mix").isGreaterThanOrEqualTo(10);
            assertThat(errB[2]).as("B's clicks found in the mix").isGreaterThanOrEqualTo(10);
            assertThat(errA[0]).as("A's clicks in the mix file vs the capture timeline, ms").isLessThanOrEqualTo(1.0);
            assertThat(errB[0]).as("B's clicks in the mix file vs the capture timeline, ms").isLessThanOrEqualTo(1.0);
            assertThat(errVa[0]).as("A's clicks in A's own file, ms").isLessThanOrEqualTo(1.0);
        }
    }

    /** {median |error| ms, max |error| ms, clicks found} of clicks against {@code first + k * PERIOD}. */
    private static double[] errors(float[] x, double hz, long first) {
        int[] found = SignalAnalysis.findClicks(x, TestSignal.clickTemplate(hz), PERIOD, 0.5);
        double[] e = new double[found.length];
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < found.length; i++) {
            long rel = found[i] - first;
            long k = Math.round(rel / (double) PERIOD);
            e[i] = Math.abs(rel - k * PERIOD) / 48.0;
            each.append(String.format(java.util.Locale.ROOT, " %d:%.2f", k, (rel - k * PERIOD) / 48.0));
        }
        System.out.printf("take_mix_clicks_%.0fHz (click: ms off):%s%n", hz, each); // the order shows when a miss came
        Arrays.sort(e);
        return new double[] {e.length == 0 ? 99 : e[e.length / 2], e.length == 0 ? 99 : e[e.length - 1], e.length};
    }
}
