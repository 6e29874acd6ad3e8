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

    /** The page's stamp with an echo of one of the mixer's send times (28 bytes of padding). */
    static byte[] stamp(byte[] packet, double unixMs, double echoedSend, double received) {
        byte[] out = new byte[packet.length + 2 + CaptureStamp.PADDING_WITH_ECHO];
        out[0] = (byte) (packet[0] | 0x3);
        out[1] = 0x41;
        out[2] = CaptureStamp.PADDING_WITH_ECHO;
        System.arraycopy(packet, 1, out, 3, packet.length - 1);
        ByteBuffer.wrap(out, out.length - CaptureStamp.PADDING_WITH_ECHO, CaptureStamp.PADDING_WITH_ECHO)
                .put(new byte[] {'D', 'u', 'e', 't'}).putDouble(unixMs).putDouble(echoedSend).putDouble(received);
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
    void theEchoIsReadAndTheMixersSendStampReplacesAPagesStampAndDecodesTheSame() {
        byte[] f = toneFrames(3)[2];
        byte[] echoed = stamp(f, 1_796_191_386_342.5, 1_796_191_386_300.25, 1_796_191_386_310.75);
        assertThat(NtpTime.toUnixNanos(CaptureStamp.captureNtp(echoed, echoed.length)) / 1e6)
                .isCloseTo(1_796_191_386_342.5, org.assertj.core.data.Offset.offset(0.001));
        assertThat(CaptureStamp.echoedSendUnixMs(echoed, echoed.length)).isEqualTo(1_796_191_386_300.25);
        assertThat(CaptureStamp.echoReceivedUnixMs(echoed, echoed.length)).isEqualTo(1_796_191_386_310.75);
        byte[] plain = stamp(f, 1_796_191_386_342.5);
        assertThat(CaptureStamp.echoedSendUnixMs(plain, plain.length)).isNaN();

        byte[] out = new byte[1500];
        short[] a = new short[960];
        short[] b = new short[960];
        for (byte[] in : new byte[][] {f, plain, echoed}) {
            byte[] framed = new byte[in.length + 5]; // at an offset, as in an RTP packet
            System.arraycopy(in, 0, framed, 5, in.length);
            int n = CaptureStamp.stampSend(framed, 5, in.length, 1_796_191_386_400.125, out);
            assertThat(n).isEqualTo(f.length + 2 + CaptureStamp.PADDING);
            assertThat(CaptureStamp.sendUnixMs(Arrays.copyOf(out, n), n)).isEqualTo(1_796_191_386_400.125);
            assertThat(CaptureStamp.captureNtp(out, n)).as("a page's stamp is replaced").isZero();
            try (OpusDecoder d1 = OpusCodecs.newDecoder(1); OpusDecoder d2 = OpusCodecs.newDecoder(1)) {
                assertThat(d1.decode(f, 0, f.length, a, 0, 960)).isEqualTo(960);
                assertThat(d2.decode(out, 0, n, b, 0, 960)).isEqualTo(960);
                assertThat(b).isEqualTo(a);
            }
        }
        byte[] twoFrames = f.clone();
        twoFrames[0] = (byte) ((f[0] & ~0x3) | 1);
        assertThat(CaptureStamp.stampSend(twoFrames, 0, twoFrames.length, 1_796_191_386_400.0, out)).isEqualTo(-1);
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

    /** A mixer with its Jitsi endpoint and one bridge exporting singers A and B of one meeting. */
    static final class Meeting implements AutoCloseable {
        final DuetMixer mixer;
        final JitsiServer server;
        final FakeBridge bridge;
        final String room;
        final String a;
        final String b;
        private final long start;

        Meeting(String id, String endpointA, String endpointB) throws Exception {
            DuetConfig config = DuetConfig.withOverrides("duet.jitsi.port = 0\nduet.jitsi.secret = \"stamps\"\n"
                    + "duet.mixer.loops = 1");
            mixer = DuetMixer.start(config);
            server = JitsiServer.start(mixer, config);
            bridge = FakeBridge.connect(URI.create(server.uri() + "/" + id), "Bearer stamps");
            room = "jitsi-" + id;
            a = endpointA + "-a0";
            b = endpointB + "-a0";
            bridge.sources(List.of(a, b), List.of(a + ".duet", b + ".duet"));
            bridge.start(a, endpointA);
            bridge.start(b, endpointB);
            start = System.nanoTime();
        }

        /** Waits until frame {@code f} is due (20 ms frames in real time from the meeting's start). */
        void pace(int f) throws InterruptedException {
            long wait = start + f * 20_000_000L - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }

        /** When frame {@code f} is due, Unix ms on our clock. */
        double unixMsOfFrame(int f) {
            return (start + f * 20_000_000L + org.duet.mixer.clock.ServerClock.unixNanosMinusNanoTime()) / 1e6;
        }

        Participant singer(String endpoint) {
            await().atMost(Duration.ofSeconds(10)).until(() -> singerNow(endpoint) != null);
            return singerNow(endpoint);
        }

        /** The room's participant for {@code endpoint}, or null while it has not joined. */
        Participant singerNow(String endpoint) {
            var r = mixer.room(room);
            return r == null ? null : r.participants().stream().filter(p -> p.id().startsWith(endpoint)).findFirst().orElse(null);
        }

        @Override
        public void close() throws Exception {
            try {
                bridge.close();
            } finally {
                server.close();
                mixer.close();
            }
        }
    }

    /**
     * A page whose clock runs 300 ms behind ours (plausible, so its wall clock alone would be taken
     * as ours and place the voice 300 ms early): once its stamps echo our send times, the offset is
     * measured, within the error bound (half the round trip), and the voice moves there.
     */
    @Test
    void echoedSendTimesMeasureAPageClockThatIsOff() throws Exception {
        double pageBehindMs = 300;
        byte[][] frames = toneFrames(50);
        try (Meeting m = new Meeting("meeting-e", "aaaa6666", "bbbb6666")) {
            int echoed = 0;
            Participant pa = null;
            // until the offset is measured and at least 4 s in; at most 20 s (a loaded machine is slow to start the mix)
            for (int f = 0; f < 1000 && (f < 200 || !measured(pa)); f++) {
                m.pace(f);
                if (f % 50 == 0 && pa == null) {
                    pa = m.singerNow("aaaa");
                }
                double pageNow = (System.nanoTime() + org.duet.mixer.clock.ServerClock.unixNanosMinusNanoTime()) / 1e6 - pageBehindMs;
                byte[] frame = frames[f % frames.length];
                byte[] aFrame = frame;
                if (f % 5 == 0) {
                    // the page's echo: the newest of our stamped events A received, at its receive time
                    double[] echo = newestSendStamp(m.bridge.received(m.a + ".duet"));
                    aFrame = echo == null ? stamp(frame, pageNow - 5) : stamp(frame, pageNow - 5, echo[0], echo[1] - pageBehindMs);
                    echoed += echo == null ? 0 : 1;
                }
                m.bridge.media(m.a, 100 + f, 960L * f, aFrame, aFrame.length);
                m.bridge.media(m.b, 300 + f, 960L * f, frame, frame.length);
            }
            assertThat(echoed).as("stamps that echoed one of the mixer's send times").isGreaterThan(10);
            assertThat(pa).as("singer A joined the room").isNotNull();
            SenderClockSync.Snapshot s = pa.clockSync();
            assertThat(s.mode()).isEqualTo(SenderClockSync.Mode.MEASURED);
            System.out.printf("page clock 300 ms behind: measured offset %.2f ms, error bound %.2f ms%n", s.offsetMs(), s.errorBoundMs());
            assertThat(s.offsetMs()).isCloseTo(pageBehindMs, org.assertj.core.data.Offset.offset(Math.max(5, s.errorBoundMs())));
        }
    }

    static boolean placedByItsClock(Participant p) {
        return p != null && p.clockSync() != null && p.clockSync().mode() == SenderClockSync.Mode.SENDER_WALL_CLOCK;
    }

    static boolean measured(Participant p) {
        return p != null && p.clockSync() != null && p.clockSync().mode() == SenderClockSync.Mode.MEASURED;
    }

    /** [send time, our receive time as Unix ms] of the newest received event that carries the mixer's stamp. */
    static double[] newestSendStamp(List<FakeBridge.Received> received) {
        for (int i = received.size() - 1; i >= Math.max(0, received.size() - 20); i--) {
            FakeBridge.Received r = received.get(i);
            double send = CaptureStamp.sendUnixMs(r.payload(), r.payload().length);
            if (!Double.isNaN(send)) {
                return new double[] {send, (r.arrivalNanos() + org.duet.mixer.clock.ServerClock.unixNanosMinusNanoTime()) / 1e6};
            }
        }
        return null;
    }

    @Test
    void aStampedVoiceIsPlacedByItsCaptureTimeAndAnUnstampedOneByArrival() throws Exception {
        byte[][] frames = toneFrames(50);
        try (Meeting m = new Meeting("meeting-s", "aaaa5555", "bbbb5555")) {
            Participant pa = null;
            // at least 2 s, until A is placed by its stamps; at most 20 s (a loaded machine is slow)
            for (int f = 0; f < 1000 && (f < 100 || !placedByItsClock(pa)); f++) {
                m.pace(f);
                if (f % 50 == 0 && pa == null) {
                    pa = m.singerNow("aaaa");
                }
                byte[] frame = frames[f % frames.length];
                // A's page: captured 5 ms before it was sent, one frame in five stamped
                byte[] aFrame = f % 5 == 0 ? stamp(frame, m.unixMsOfFrame(f) - 5) : frame;
                m.bridge.media(m.a, 100 + f, 960L * f, aFrame, aFrame.length);
                m.bridge.media(m.b, 300 + f, 960L * f, frame, frame.length);
            }
            assertThat(pa).as("singer A joined the room").isNotNull();
            assertThat(pa.clockSync().mode()).isEqualTo(SenderClockSync.Mode.SENDER_WALL_CLOCK);
            assertThat(m.singer("bbbb").clockSync().mode()).isEqualTo(SenderClockSync.Mode.ARRIVAL);
        }
    }
}
