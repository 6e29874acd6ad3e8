package org.duet.mixer.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.rtcp.ReceptionStatistics;
import org.duet.mixer.rtcp.RtcpDropCounters;
import org.duet.mixer.rtcp.RtcpDropReason;
import org.duet.mixer.rtcp.RtcpListener;
import org.duet.mixer.rtcp.RtcpParser;
import org.duet.mixer.rtcp.RtcpWriter;
import org.junit.jupiter.api.Test;

/**
 * A sender and a receiver on one muxed loopback UDP port each: RTP with audio-level and abs-capture-time,
 * SR + SDES compounds in between, a few packets deliberately not sent, garbage datagrams. The receiver
 * demultiplexes, parses, keeps reception statistics and answers with an RR whose report block the sender
 * parses to a round-trip time.
 */
class RtpOverLoopbackUdpTest {
    private static final int PACKETS = 300;
    private static final int FIRST_SEQ = 65_400; // wraps during the run
    private static final long SSRC = 0x5EED_0001L;

    @Test
    void streamSurvivesTheNetworkPathWithLossWrapAndGarbage() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            receiver.setReceiveBufferSize(1 << 20);
            receiver.setSoTimeout(2_000);
            sender.setSoTimeout(2_000);

            // --- send ---
            RtpWriter writer = new RtpWriter().payloadType(111).ssrc(SSRC);
            RtcpWriter rtcpWriter = new RtcpWriter();
            byte[] cname = "singer-a".getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[1500];
            int notSent = 0;
            int datagrams = 0;
            long firstCaptureNtp = NtpTime.nowNtp();
            for (int i = 0; i < PACKETS; i++) {
                int seq = (FIRST_SEQ + i) & 0xFFFF;
                if (i % 37 == 5) {
                    notSent++; // lost on the "network"
                    continue;
                }
                long captureNtp = firstCaptureNtp + ((long) i * 20 << 32) / 1000; // 20 ms frames
                int header = writer.clearExtensions().sequenceNumber(seq).timestamp(960L * i).marker(i == 0)
                        .addAudioLevel(1, i % 2 == 0, i % 128).addAbsCaptureTime(3, captureNtp).write(out, 0);
                for (int k = 0; k < 40; k++) {
                    out[header + k] = (byte) (seq * 31 + k);
                }
                sender.send(new DatagramPacket(out, header + 40, receiver.getLocalSocketAddress()));
                datagrams++;
                if (i % 100 == 50) {
                    int n = rtcpWriter.writeSenderReport(out, 0, SSRC, NtpTime.nowNtp(), 960L * i, i, 40L * i);
                    n += RtcpWriter.writeSdesCname(out, n, SSRC, cname, 0, cname.length);
                    sender.send(new DatagramPacket(out, n, receiver.getLocalSocketAddress()));
                    byte[] junk = {(byte) 0x80, (byte) 0xC8, 0x7F, 0x7F, 1, 2, 3}; // RTCP-looking garbage
                    sender.send(new DatagramPacket(junk, junk.length, receiver.getLocalSocketAddress()));
                    datagrams += 2;
                }
            }

            // --- receive: bounded by datagram count and socket timeout ---
            RtpPacket packet = new RtpPacket();
            RtpDropCounters rtpDrops = new RtpDropCounters();
            RtcpDropCounters rtcpDrops = new RtcpDropCounters();
            RtcpParser rtcpParser = new RtcpParser();
            ReceptionStatistics stats = new ReceptionStatistics(SSRC);
            List<Long> senderReportNtp = new ArrayList<>();
            List<String> cnames = new ArrayList<>();
            int badLevels = 0;
            int badPayloads = 0;
            long lastCapture = 0;
            boolean captureMonotonic = true;
            byte[] in = new byte[1500];
            DatagramPacket datagram = new DatagramPacket(in, in.length);
            for (int d = 0; d < datagrams; d++) {
                try {
                    receiver.receive(datagram);
                } catch (SocketTimeoutException e) {
                    break;
                }
                long arrival = System.nanoTime();
                int len = datagram.getLength();
                if (RtpRtcpDemux.isRtcp(in, 0, len)) {
                    RtcpDropReason reason = rtcpParser.parse(in, 0, len, new RtcpListener() {
                        @Override
                        public void onSenderReport(long ssrc, long ntp, long rtp, long packets, long octets) {
                            senderReportNtp.add(ntp);
                            stats.onSenderReport(ntp, arrival);
                        }

                        @Override
                        public void onSdesItem(long ssrc, int type, byte[] buf, int off, int n) {
                            cnames.add(new String(buf, off, n, StandardCharsets.US_ASCII));
                        }
                    });
                    rtcpDrops.count(reason);
                    continue;
                }
                RtpDropReason reason = packet.parse(in, 0, len);
                rtpDrops.count(reason);
                if (reason != RtpDropReason.NONE) {
                    continue;
                }
                int seq = packet.sequenceNumber();
                int i = (seq - FIRST_SEQ) & 0xFFFF; // the run is shorter than one wrap
                int levelAt = packet.extensionOffset(1);
                if (AudioLevelExtension.level(in, levelAt, packet.extensionLength(1)) != i % 128
                        || AudioLevelExtension.voiceActivity(in, levelAt, 1) != (i % 2 == 0)) {
                    badLevels++;
                }
                long capture = AbsCaptureTimeExtension.captureNtp(in, packet.extensionOffset(3));
                captureMonotonic &= Long.compareUnsigned(capture, lastCapture) > 0;
                lastCapture = capture;
                for (int k = 0; k < packet.payloadLength(); k++) {
                    if (in[packet.payloadOffset() + k] != (byte) (seq * 31 + k)) {
                        badPayloads++;
                        break;
                    }
                }
                stats.onRtp(seq, packet.timestamp(), arrival, 48_000);
            }

            assertThat(rtpDrops.total()).isZero();
            assertThat(rtpDrops.get(RtpDropReason.NONE)).isEqualTo(PACKETS - notSent);
            assertThat(rtcpDrops.get(RtcpDropReason.NONE)).isEqualTo(3);
            assertThat(rtcpDrops.get(RtcpDropReason.BAD_LENGTH)).isEqualTo(3);
            assertThat(badLevels).isZero();
            assertThat(badPayloads).isZero();
            assertThat(captureMonotonic).isTrue();
            assertThat(cnames).containsExactly("singer-a", "singer-a", "singer-a");
            // seq 65400 + 299 wraps to 163: one cycle
            assertThat(stats.extendedHighestSequence()).isEqualTo(FIRST_SEQ + PACKETS - 1L);
            assertThat(stats.cumulativeLost()).isEqualTo(notSent);
            assertThat(stats.jitter()).as("loopback jitter in 48 kHz units").isLessThan(48_000 / 10.0);

            // --- the receiver answers with an RR; the sender computes the round trip from it ---
            Thread.sleep(300); // the receiver holds the report: DLSR must account for it
            RtcpWriter rr = new RtcpWriter();
            assertThat(stats.writeReportBlock(rr, System.nanoTime())).isTrue();
            int n = rr.writeReceiverReport(out, 0, 0x5EED_0002L);
            receiver.send(new DatagramPacket(out, n, sender.getLocalSocketAddress()));
            DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
            sender.receive(reply);
            long arrivalCompact = NtpTime.middle32(NtpTime.nowNtp());
            long[] rtt = {-2};
            long[] dlsr = {-1};
            int[] lost = {-1};
            assertThat(rtcpParser.parse(reply.getData(), 0, reply.getLength(), new RtcpListener() {
                @Override
                public void onReportBlock(long reporter, long source, int fraction, int cumulativeLost, long ehsn,
                                          long jitter, long lastSr, long delaySinceLastSr) {
                    assertThat(source).isEqualTo(SSRC);
                    assertThat(lastSr).isEqualTo(NtpTime.middle32(senderReportNtp.get(2)));
                    lost[0] = cumulativeLost;
                    dlsr[0] = delaySinceLastSr;
                    rtt[0] = NtpTime.roundTripNanos(arrivalCompact, lastSr, delaySinceLastSr);
                }
            })).isEqualTo(RtcpDropReason.NONE);
            assertThat(lost[0]).isEqualTo(notSent);
            assertThat(NtpTime.compactToNanos(dlsr[0])).isGreaterThanOrEqualTo(300_000_000L);
            // Sanity only: this "round trip" includes the receiver draining the burst (cold code on a
            // shared machine); the precise check is the test below.
            assertThat(rtt[0]).isGreaterThanOrEqualTo(0).isLessThan(2_000_000_000L);
            System.out.printf("SR->RR round trip after a burst: %.2f ms (includes the receiver draining the "
                    + "burst before it read the SR), DLSR %.1f ms%n", rtt[0] / 1e6,
                    NtpTime.compactToNanos(dlsr[0]) / 1e6);
        }
    }

    @Test
    void roundTripFromSenderReportAndReceiverReportSubtractsTheHoldTime() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            receiver.setSoTimeout(2_000);
            sender.setSoTimeout(2_000);
            RtcpParser parser = new RtcpParser();
            // Warm the code paths once so class loading is not counted as network time.
            byte[] out = new byte[256];
            byte[] in = new byte[256];
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                int n = new RtcpWriter().writeSenderReport(out, 0, SSRC, NtpTime.nowNtp(), 0, 0, 0);
                sender.send(new DatagramPacket(out, n, receiver.getLocalSocketAddress()));
                DatagramPacket sr = new DatagramPacket(in, in.length);
                receiver.receive(sr);
                long srArrival = System.nanoTime();
                ReceptionStatistics stats = new ReceptionStatistics(SSRC);
                stats.onRtp(1, 0, srArrival, 48_000);
                long[] ntp = {0};
                assertThat(parser.parse(in, 0, sr.getLength(), new RtcpListener() {
                    @Override
                    public void onSenderReport(long ssrc, long ntpTimestamp, long rtp, long packets, long octets) {
                        ntp[0] = ntpTimestamp;
                    }
                })).isEqualTo(RtcpDropReason.NONE);
                stats.onSenderReport(ntp[0], srArrival);
                Thread.sleep(100);
                RtcpWriter rr = new RtcpWriter();
                stats.writeReportBlock(rr, System.nanoTime());
                n = rr.writeReceiverReport(out, 0, 2);
                receiver.send(new DatagramPacket(out, n, sender.getLocalSocketAddress()));
                DatagramPacket reply = new DatagramPacket(in, in.length);
                sender.receive(reply);
                long arrivalCompact = NtpTime.middle32(NtpTime.nowNtp());
                long[] rtt = {-1};
                long[] dlsr = {-1};
                parser.parse(in, 0, reply.getLength(), new RtcpListener() {
                    @Override
                    public void onReportBlock(long reporter, long source, int fraction, int lost, long ehsn,
                                              long jitter, long lastSr, long delaySinceLastSr) {
                        dlsr[0] = delaySinceLastSr;
                        rtt[0] = NtpTime.roundTripNanos(arrivalCompact, lastSr, delaySinceLastSr);
                    }
                });
                assertThat(NtpTime.compactToNanos(dlsr[0])).isGreaterThanOrEqualTo(100_000_000L);
                assertThat(rtt[0]).isGreaterThanOrEqualTo(0);
                best = Math.min(best, rtt[0]);
            }
            System.out.printf("loopback SR/RR round trip (best of 3): %.3f ms%n", best / 1e6);
            // Loopback with a 100 ms hold: what remains after subtracting DLSR is scheduling noise.
            assertThat(best).isLessThan(20_000_000L);
        }
    }
}
