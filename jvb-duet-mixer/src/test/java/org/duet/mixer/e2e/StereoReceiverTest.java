package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpRtcpDemux;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.PeerJoin;
import org.duet.mixer.testing.SignalAnalysis;
import org.duet.mixer.transport.UdpTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stereo where negotiated, through a real room over loopback UDP with real Opus: a listener whose
 * format says 2 channels (what a browser's {@code stereo=1} becomes) receives the listener mix
 * from a stereo encoder class - every packet's TOC byte says stereo, and both decoded channels
 * carry both singers - while a mono listener in the same room gets the mono mix, and a singer who
 * negotiated stereo but whose mix is the other voice alone gets it forwarded untouched.
 */
class StereoReceiverTest {

    private static final double A_HZ = 330;
    private static final double B_HZ = 2500;

    @BeforeAll
    static void warmUp() {
        CodecWarmUp.run();
    }

    @Test
    void aStereoListenerGetsAStereoMixAndEveryoneElseIsUntouched() throws Exception {
        MediaFormat stereo = new MediaFormat(111, 2, true, false, 0, 0);
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111);
             RtpPeer mono = new RtpPeer("mono", 111);
             DatagramSocket st = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Room room = mixer.openRoom("stereo");
            // Singer A negotiated stereo; its mix is B's voice alone: forwarded untouched.
            UdpTransport at = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), a.localAddress());
            Participant pa = room.join("a", Role.singer("a"), at, stereo);
            a.connect(at.localAddress());
            a.startReceiving();
            PeerJoin.join(room, "b", Role.singer("b"), b);
            PeerJoin.join(room, "mono", Role.LISTENER, mono);
            UdpTransport lt = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0),
                    (InetSocketAddress) st.getLocalSocketAddress());
            Participant pst = room.join("st", Role.LISTENER, lt, stereo);

            int seconds = 3;
            a.startSending(TestSignal.toneWithClicks(48_000 * seconds, A_HZ, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(48_000 * seconds, B_HZ, 0.3f, 0, 0));
            Received s = receive(st, 2, seconds * 1000L);
            a.awaitSent(5000);
            b.awaitSent(5000);

            System.out.printf("stereo listener: %d packets, %d stereo; L: A %.1f dB, B %.1f dB; R: A %.1f dB, B %.1f dB;"
                    + " singer A (stereo) forwarded %s, hears B %.1f dB%n", s.packets, s.stereoPackets,
                    level(s.left, A_HZ), level(s.left, B_HZ), level(s.right, A_HZ), level(s.right, B_HZ),
                    pa.stats().forwarding(), level(a.receivedAudio(), B_HZ));
            assertThat(s.packets).as("the stereo listener received the mix").isGreaterThan(100);
            // the stereo encoder is built off the media loop; until it arrives (a packet or two) the
            // receiver stays on the mono class, which a stereo decoder plays as well
            assertThat(s.stereoPackets).as("the stereo listener's packets are stereo Opus").isGreaterThanOrEqualTo(s.packets - 5);
            for (float[] ch : new float[][] {s.left, s.right}) {
                assertThat(level(ch, A_HZ)).as("A in each channel").isGreaterThan(-20);
                assertThat(level(ch, B_HZ)).as("B in each channel").isGreaterThan(-20);
            }
            assertThat(pa.stats().forwarding()).as("A's mix is B's voice forwarded untouched, stereo or not").isTrue();
            assertThat(level(a.receivedAudio(), B_HZ)).as("A hears B").isGreaterThan(-20);
            float[] heardByMono = mono.receivedAudio();
            assertThat(heardByMono.length).isGreaterThan(48_000);
            assertThat(mono.packetsReceived()).isGreaterThan(100);
            assertThat(SignalAnalysis.medianToneLevelDb(heardByMono, 24_000, 48_000, A_HZ)).isGreaterThan(-20);
            assertThat(pst.network().sharedEncoders()).as("the listener mix runs two encoder classes: mono and stereo")
                    .isEqualTo(2);
            assertThat(pst.network().receive().bitrate()).as("stereo at 1.5 x the mono bitrate").isEqualTo(96_000);
        }
    }

    private static double level(float[] x, double hz) {
        if (x.length < 48_000) {
            return -200; // too little received to measure
        }
        return SignalAnalysis.medianToneLevelDb(x, 24_000, Math.min(48_000, x.length - 24_000), hz);
    }

    private record Received(int packets, int stereoPackets, float[] left, float[] right) {
    }

    /** Reads RTP for {@code ms}: counts packets whose Opus TOC says stereo, decodes with {@code channels}. */
    private static Received receive(DatagramSocket s, int channels, long ms) throws Exception {
        OpusDecoder d = OpusCodecs.newDecoder(channels);
        byte[] buf = new byte[1500];
        short[] pcm = new short[5760 * 2];
        float[] left = new float[48_000 * 8];
        float[] right = new float[48_000 * 8];
        int n = 0;
        int packets = 0;
        int stereo = 0;
        RtpPacket rtp = new RtpPacket();
        s.setSoTimeout(100);
        long deadline = System.nanoTime() + ms * 1_000_000L;
        try {
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (RtpRtcpDemux.isRtcp(buf, 0, p.getLength()) || rtp.parse(buf, 0, p.getLength()) != RtpDropReason.NONE
                        || rtp.payloadLength() < 1) {
                    continue;
                }
                packets++;
                if ((buf[rtp.payloadOffset()] & 0x04) != 0) { // RFC 6716 3.1: the TOC byte's s bit
                    stereo++;
                }
                int got = d.decode(buf, rtp.payloadOffset(), rtp.payloadLength(), pcm, 0, 5760);
                for (int i = 0; i < got && n < left.length; i++, n++) {
                    left[n] = pcm[i * channels] / 32768f;
                    right[n] = pcm[i * channels + channels - 1] / 32768f;
                }
            }
        } finally {
            d.close();
        }
        return new Received(packets, stereo, Arrays.copyOf(left, n), Arrays.copyOf(right, n));
    }
}
