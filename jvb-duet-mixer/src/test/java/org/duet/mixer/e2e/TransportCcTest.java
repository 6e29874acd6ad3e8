package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.adapt.AdaptationSnapshot;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.engine.MediaDrops;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpRtcpDemux;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.PeerJoin;
import org.duet.mixer.transport.UdpTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * transport-cc over real UDP: a listener that negotiated it (extension id 3) receives every packet
 * of the listener mix with a transport-wide sequence number, one more each packet; it answers with
 * transport-wide feedback built here (RTPFB FMT 15, real arrival times, every tenth packet reported
 * lost) and the mixer's adaptation for that listener turns FEC on at the 10 % step within a second,
 * long before any receiver report. Malformed feedback is dropped and counted.
 */
class TransportCcTest {

    private static final int EXT = 3;

    @BeforeAll
    static void warmUp() {
        CodecWarmUp.run();
    }

    @Test
    void stampedPacketsAndFeedbackDriveTheAdaptation() throws Exception {
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111);
             DatagramSocket l = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Room room = mixer.openRoom("tcc");
            PeerJoin.join(room, "a", Role.singer("a"), a);
            PeerJoin.join(room, "b", Role.singer("b"), b);
            UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0),
                    (InetSocketAddress) l.getLocalSocketAddress());
            Participant listener = room.join("l", Role.LISTENER, t, MediaFormat.opusDefaults().withTransportCc(EXT));
            InetSocketAddress mixerAddress = t.localAddress();
            a.startSending(TestSignal.toneWithClicks(48_000 * 4, 330, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(48_000 * 4, 660, 0.3f, 0, 0));

            // Malformed feedback first: dropped and counted, nothing else happens.
            byte[] bad = TransportFeedbackWriter.write(0, new boolean[] {true}, new long[] {0});
            bad[20] = (byte) 0xF0; // a two-bit vector whose first symbol is the reserved 11
            l.send(new DatagramPacket(bad, bad.length, mixerAddress));

            RtpPacket rtp = new RtpPacket();
            byte[] buf = new byte[1500];
            l.setSoTimeout(200);
            List<Integer> seqs = new ArrayList<>();
            List<Long> arrivals = new ArrayList<>();
            long start = System.nanoTime();
            long fecAt = -1;
            int sentUpTo = 0;
            while (System.nanoTime() - start < 3_000_000_000L && fecAt < 0) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    l.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (RtpRtcpDemux.isRtcp(buf, 0, p.getLength()) || rtp.parse(buf, 0, p.getLength()) != RtpDropReason.NONE) {
                    continue;
                }
                int at = rtp.extensionOffset(EXT);
                assertThat(at).as("every packet carries the transport-wide sequence number").isPositive();
                assertThat(rtp.extensionLength(EXT)).isEqualTo(2);
                seqs.add(((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF));
                arrivals.add(System.nanoTime());
                if (seqs.size() - sentUpTo >= 10) {
                    // feedback for the last 10 packets, the first of them reported lost (10 %)
                    int n = seqs.size() - sentUpTo;
                    boolean[] received = new boolean[n];
                    long[] arrivalMicros = new long[n];
                    for (int i = 0; i < n; i++) {
                        received[i] = i != 0;
                        arrivalMicros[i] = (arrivals.get(sentUpTo + i) - start) / 1000;
                    }
                    byte[] fb = TransportFeedbackWriter.write(seqs.get(sentUpTo), received, arrivalMicros);
                    l.send(new DatagramPacket(fb, fb.length, mixerAddress));
                    sentUpTo = seqs.size();
                }
                AdaptationSnapshot s = listener.network().receive();
                if (s != null && s.fec() && s.lossHint() == 10) {
                    fecAt = System.nanoTime() - start;
                }
            }
            for (int i = 1; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as("transport-wide numbers count up by one").isEqualTo((seqs.get(i - 1) + 1) & 0xFFFF);
            }
            System.out.printf("transport_cc_fec_on_ms %d after %d packets, %d feedbacks; reason: %s%n",
                    fecAt / 1_000_000, seqs.size(), seqs.size() / 10, listener.network().receive().reason());
            assertThat(fecAt).as("FEC at the 10 % step from transport-wide feedback alone").isPositive();
            assertThat(mixer.drops().get(MediaDrops.Stage.TRANSPORT_FEEDBACK, "reserved_symbol"))
                    .as("the malformed feedback was counted").isEqualTo(1);
        }
    }
}
