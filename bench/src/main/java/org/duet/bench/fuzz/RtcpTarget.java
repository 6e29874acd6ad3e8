package org.duet.bench.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.rtcp.RtcpDropCounters;
import org.duet.mixer.rtcp.RtcpDropReason;
import org.duet.mixer.rtcp.RtcpListener;
import org.duet.mixer.rtcp.RtcpParser;
import org.duet.mixer.rtcp.RtcpWriter;

/**
 * RTCP compound packets through {@link RtcpParser} with a listener that reads every byte range
 * it is handed (SDES items, unknown packets), as the session's listener does. Refusals are an
 * {@link RtcpDropReason}, counted per reason.
 */
final class RtcpTarget implements FuzzTarget {

    private final RtcpParser parser = new RtcpParser();
    final RtcpDropCounters drops = new RtcpDropCounters();
    private long sink;
    private final RtcpListener listener = new RtcpListener() {
        @Override
        public void onSenderReport(long ssrc, long ntp, long rtp, long packets, long octets) {
            sink += ntp + rtp + packets + octets;
        }

        @Override
        public void onReportBlock(long reporter, long source, int fraction, int lost, long ehsn, long jitter,
                                  long lsr, long dlsr) {
            sink += fraction + lost + ehsn + jitter + lsr + dlsr;
        }

        @Override
        public void onSdesItem(long ssrc, int type, byte[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                sink += buf[i]; // the range must lie inside the packet
            }
        }

        @Override
        public void onBye(long ssrc) {
            sink += ssrc;
        }

        @Override
        public void onOtherPacket(int type, int count, byte[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                sink += buf[i];
            }
        }
    };

    @Override
    public String name() {
        return "rtcp";
    }

    @Override
    public List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        byte[] cname = "duet-fuzz@example".getBytes(StandardCharsets.US_ASCII);
        for (int blocks = 0; blocks < 3; blocks++) {
            for (int kind = 0; kind < 3; kind++) {
                RtcpWriter w = new RtcpWriter();
                for (int i = 0; i < blocks; i++) {
                    w.addReportBlock(0x1000 + i, 25 * i, 3 * i, 65_536L + i, 40 + i, 0x1234_5678L, 6553);
                }
                byte[] b = new byte[1500];
                int n = kind == 1 ? w.writeReceiverReport(b, 0, 0xABCD)
                        : w.writeSenderReport(b, 0, 0xABCD, 0xE000_0000_8000_0000L, 123_456L, 77, 7700);
                n += RtcpWriter.writeSdesCname(b, n, 0xABCD, cname, 0, cname.length);
                if (kind == 2) {
                    n += RtcpWriter.writeBye(b, n, 0xABCD);
                }
                out.add(java.util.Arrays.copyOf(b, n));
            }
        }
        return out;
    }

    @Override
    public List<byte[]> dictionary() {
        return List.of(new byte[] {(byte) 0x80, (byte) 200}, new byte[] {(byte) 0x81, (byte) 201},
                new byte[] {(byte) 0x81, (byte) 202}, new byte[] {(byte) 0x81, (byte) 203},
                new byte[] {(byte) 0x81, (byte) 205}, new byte[] {(byte) 0x8F, (byte) 206},
                new byte[] {(byte) 0x80, (byte) 207}, new byte[] {(byte) 0xA0}, new byte[] {0x01, 0x00});
    }

    @Override
    public int maxLength() {
        return 1500;
    }

    @Override
    public boolean run(byte[] b) {
        RtcpDropReason reason = parser.parse(b, 0, b.length, listener);
        drops.count(reason);
        return reason == RtcpDropReason.NONE;
    }

    @Override
    public void close() {
        if (sink == 42) {
            System.err.print("");
        }
    }
}
