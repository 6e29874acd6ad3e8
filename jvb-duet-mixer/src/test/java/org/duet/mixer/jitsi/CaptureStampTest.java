package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.clock.SenderClockSync;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.testing.CodecWarmUp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The capture time a singer's page writes into its Opus packets' padding (the page's writer is
 * {@code capture-stamp.js}, tested by {@code capture-stamp.test.mjs} with the same layout): read
 * back exactly, harmless to a decoder, refused in any other shape, and taken by the engine as
 * the voice's sender clock (abs-capture-time) through a real WebSocket.
 */
class CaptureStampTest {

    @BeforeAll
    static void warm() {
        CodecWarmUp.run();
    }

    /** The page's stamp, byte for byte (capture-stamp.js stampOpus). */
    static byte[] stamp(byte[] packet, double unixMs) {
        byte[] out = new byte[packet.length + 2 + CaptureStamp.PADDING];
        out[0] = (byte) (packet[0] | 0x3);
        out[1] = 0x41;
        out[2] = CaptureStamp.PADDING;
        System.arraycopy(packet, 1, out, 3, packet.length - 1);
        ByteBuffer.wrap(out, out.length - CaptureStamp.PADDING, CaptureStamp.PADDING).put(new byte[] {'D', 'u', 'e', 't'})
                .putDouble(unixMs);
        return out;
    }

    static byte[][] toneFrames(int count) {
        OpusEncoder encoder = OpusCodecs.newEncoder(new OpusSettings(1, 48_000, 5, true, 5, false, OpusApplication.AUDIO, 960));
        short[] pcm = new short[960];
        byte[] out = new byte[1500];
        byte[][] frames = new byte[count][];
        for (int f = 0; f < count; f++) {
            for (int i = 0; i < 960; i++) {
                pcm[i] = (short) (0.3 * 32767 * Math.sin(2 * Math.PI * 523.25 * (f * 960 + i) / 48_000.0));
            }
            frames[f] = Arrays.copyOf(out, encoder.encode(pcm, 0, 960, out, 0, out.length));
        }
        encoder.close();
        return frames;
    }

    @Test
    void theCaptureTimeIsReadBackAndTheStampedPacketDecodesToTheSameAudio() {
        byte[][] frames = toneFrames(20);
        double unixMs = 1_796_191_386_342.125;
        OpusDecoder plain = OpusCodecs.newDecoder(1);
        OpusDecoder stamped = OpusCodecs.newDecoder(1);
        short[] a = new short[960];
        short[] b = new short[960];
        for (byte[] f : frames) {
            assertThat(f[0] & 0x3).as("the encoder's 20 ms packets are code 0").isZero();
            byte[] s = stamp(f, unixMs);
            long ntp = CaptureStamp.captureNtp(s, s.length);
            assertThat(NtpTime.toUnixNanos(ntp) / 1e6).isCloseTo(unixMs, org.assertj.core.data.Offset.offset(0.001));
            assertThat(CaptureStamp.captureNtp(f, f.length)).as("an unstamped packet").isZero();
            assertThat(plain.decode(f, 0, f.length, a, 0, 960)).isEqualTo(960);
            assertThat(stamped.decode(s, 0, s.length, b, 0, 960)).isEqualTo(960);
            assertThat(b).as("the decoder skips the padding").isEqualTo(a);
        }
        plain.close();
        stamped.close();
    }

    @Test
    void anythingElseIsNoStamp() {
        byte[] s = stamp(toneFrames(1)[0], 1_796_191_386_342.0);
        assertThat(CaptureStamp.captureNtp(s, s.length)).isNotZero();
        assertThat(CaptureStamp.captureNtp(s, s.length - 1)).as("cut short").isZero();
        byte[] vbr = s.clone();
        vbr[1] = (byte) 0xC1;
        assertThat(CaptureStamp.captureNtp(vbr, vbr.length)).as("VBR frame count byte").isZero();
        byte[] twoFrames = s.clone();
        twoFrames[1] = 0x42;
        assertThat(CaptureStamp.captureNtp(twoFrames, twoFrames.length)).isZero();
        byte[] otherPadding = s.clone();
        otherPadding[2] = 11;
        assertThat(CaptureStamp.captureNtp(otherPadding, otherPadding.length)).isZero();
        byte[] otherMagic = s.clone();
        otherMagic[otherMagic.length - 12] = 'd';
        assertThat(CaptureStamp.captureNtp(otherMagic, otherMagic.length)).isZero();
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1, 0, 1e15}) {
            byte[] t = stamp(toneFrames(1)[0], bad);
            assertThat(CaptureStamp.captureNtp(t, t.length)).as("capture time %s", bad).isZero();
        }
        Random random = new Random(7);
        byte[] noise = new byte[64];
        for (int i = 0; i < 100_000; i++) {
            random.nextBytes(noise);
            CaptureStamp.captureNtp(noise, random.nextInt(noise.length + 1)); // never throws
        }
    }

    @Test
    void aStampedVoiceIsPlacedByItsCaptureTimeAndAnUnstampedOneByArrival() throws Exception {
        String secret = "stamp-secret";
        DuetConfig config = DuetConfig.withOverrides("duet.jitsi.port = 0\nduet.jitsi.secret = \"" + secret + "\"\n"
                + "duet.mixer.loops = 1");
        DuetMixer mixer = DuetMixer.start(config);
        JitsiServer server = JitsiServer.start(mixer, config);
        String a = "aaaa5555-a0";
        String b = "bbbb5555-a0";
        byte[][] frames = toneFrames(50);
        try (FakeBridge bridge = FakeBridge.connect(URI.create(server.uri() + "/meeting-s"), "Bearer " + secret)) {
            bridge.sources(List.of(a, b), List.of(a + ".duet", b + ".duet"));
            bridge.start(a, "aaaa5555");
            bridge.start(b, "bbbb5555");
            long start = System.nanoTime();
            double startUnixMs = System.currentTimeMillis();
            for (int f = 0; f < 100; f++) { // 2 s
                long wait = start + f * 20_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                byte[] frame = frames[f % frames.length];
                // A's page: captured 5 ms before it was sent, one frame in five stamped
                byte[] aFrame = f % 5 == 0 ? stamp(frame, startUnixMs + f * 20 - 5) : frame;
                bridge.media(a, 100 + f, 960L * f, aFrame, aFrame.length);
                bridge.media(b, 300 + f, 960L * f, frame, frame.length);
            }
            var room = mixer.room("jitsi-meeting-s");
            await().atMost(Duration.ofSeconds(5)).until(() -> room.participants().size() >= 2);
            Participant pa = room.participants().stream().filter(p -> p.id().startsWith("aaaa")).findFirst().orElseThrow();
            Participant pb = room.participants().stream().filter(p -> p.id().startsWith("bbbb")).findFirst().orElseThrow();
            await().atMost(Duration.ofSeconds(5)).until(() -> pa.clockSync() != null
                    && pa.clockSync().mode() == SenderClockSync.Mode.SENDER_WALL_CLOCK);
            assertThat(pb.clockSync().mode()).isEqualTo(SenderClockSync.Mode.ARRIVAL);
        } finally {
            server.close();
            mixer.close();
        }
    }
}
