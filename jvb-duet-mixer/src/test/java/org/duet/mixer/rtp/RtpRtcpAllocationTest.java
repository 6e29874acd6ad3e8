package org.duet.mixer.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.duet.mixer.rtcp.ReceptionStatistics;
import org.duet.mixer.rtcp.RtcpDropCounters;
import org.duet.mixer.rtcp.RtcpListener;
import org.duet.mixer.rtcp.RtcpParser;
import org.duet.mixer.rtcp.RtcpWriter;
import org.junit.jupiter.api.Test;

/** The per-packet paths allocate nothing in steady state (measured with the thread allocation counter). */
class RtpRtcpAllocationTest {
    private static final int PACKETS = 200_000;

    private long sink;

    @Test
    void parseWriteRewriteAndStatisticsAllocateNothingPerPacket() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);

        RtpPacket packet = new RtpPacket();
        RtpWriter writer = new RtpWriter().payloadType(111).ssrc(0x1234);
        RtpDropCounters rtpDrops = new RtpDropCounters();
        RtcpParser rtcpParser = new RtcpParser();
        RtcpWriter rtcpWriter = new RtcpWriter();
        RtcpDropCounters rtcpDrops = new RtcpDropCounters();
        ReceptionStatistics stats = new ReceptionStatistics(0x1234);
        byte[] cname = "duet@example".getBytes(StandardCharsets.US_ASCII);
        byte[] rtp = new byte[1500];
        byte[] rtcp = new byte[1500];
        RtcpListener listener = new RtcpListener() {
            @Override
            public void onSenderReport(long ssrc, long ntp, long ts, long packets, long octets) {
                sink += ntp;
            }

            @Override
            public void onReportBlock(long reporter, long source, int fraction, int lost, long ehsn, long jitter,
                                      long lsr, long dlsr) {
                sink += ehsn;
            }

            @Override
            public void onSdesItem(long ssrc, int type, byte[] buf, int off, int len) {
                sink += len;
            }
        };

        Runnable round = new Runnable() {
            int seq;

            @Override
            public void run() {
                for (int i = 0; i < PACKETS; i++, seq++) {
                    int header = writer.clearExtensions().sequenceNumber(seq).timestamp(960L * seq)
                            .addAudioLevel(1, true, seq & 0x7F).addAbsCaptureTime(3, seq * 0x1_0000_0000L)
                            .write(rtp, 0);
                    int len = header + 60;
                    rtpDrops.count(packet.parse(rtp, 0, len));
                    sink += AudioLevelExtension.level(rtp, packet.extensionOffset(1), packet.extensionLength(1));
                    sink += AbsCaptureTimeExtension.captureNtp(rtp, packet.extensionOffset(3));
                    RtpWriter.rewrite(rtp, 0, 0x9999, seq + 7, 123L * seq, 96);
                    stats.onRtp(packet.sequenceNumber(), packet.timestamp(), 20_000_000L * i, 48_000);
                    rtpDrops.count(packet.parse(rtp, 3, 5)); // garbage: counted, not thrown

                    if (i % 50 == 0) {
                        rtcpWriter.clearReportBlocks();
                        stats.writeReportBlock(rtcpWriter, 20_000_000L * i);
                        int n = rtcpWriter.writeSenderReport(rtcp, 0, 1, 2, 3, 4, 5);
                        n += RtcpWriter.writeSdesCname(rtcp, n, 1, cname, 0, cname.length);
                        rtcpDrops.count(rtcpParser.parse(rtcp, 0, n, listener));
                        rtcpDrops.count(rtcpParser.parse(rtcp, 0, n - 3, listener));
                    }
                }
            }
        };
        round.run(); // warm up (JIT, class loading)
        long before = threads.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        round.run();
        long elapsed = System.nanoTime() - started;
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        System.out.printf("RTP/RTCP hot path: %d bytes allocated for %d packets, %.0f ns per packet "
                + "(write + parse + 2 extension reads + rewrite + statistics + a garbage parse)%n",
                allocated, PACKETS, elapsed / (double) PACKETS);
        assertThat(rtpDrops.get(RtpDropReason.NONE)).isEqualTo(2L * PACKETS);
        assertThat(rtpDrops.get(RtpDropReason.TOO_SHORT)).isEqualTo(2L * PACKETS);
        assertThat(rtcpDrops.total()).isEqualTo(2L * PACKETS / 50);
        assertThat(sink).isNotZero();
        // A few hundred bytes of slack for the counter read itself; per packet this is well under one byte.
        assertThat(allocated).as("bytes allocated for %d packets", PACKETS).isLessThan(1024);
    }
}
