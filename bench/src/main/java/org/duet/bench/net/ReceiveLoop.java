package org.duet.bench.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.rtcp.RtcpWriter;

/**
 * One thread reading every endpoint's socket through a selector: RTP packets are recorded with
 * their arrival time; an RTCP Sender Report from the server is answered with a Receiver Report
 * (LSR echoed, DLSR 0) sent after twice the endpoint's emulated one-way delay, so the server's
 * round-trip estimate sees the emulated path.
 */
public final class ReceiveLoop implements AutoCloseable {

    private static final int RTCP_SR = 200;

    private final List<Endpoint> endpoints;
    private final PacedSender sender;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean stopped;

    public ReceiveLoop(List<Endpoint> endpoints, PacedSender sender) throws IOException {
        this.endpoints = List.copyOf(endpoints);
        this.sender = sender;
        this.selector = Selector.open();
        for (Endpoint e : this.endpoints) {
            e.channel().register(selector, SelectionKey.OP_READ, e);
        }
        this.thread = new Thread(this::run, "bench-receiver");
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MAX_PRIORITY);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        byte[] buf = new byte[2048];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        RtcpWriter writer = new RtcpWriter();
        byte[] out = new byte[256];
        try {
            while (!stopped) {
                if (selector.select(50) == 0) {
                    continue;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Endpoint e = (Endpoint) key.attachment();
                    // bounded drain: at most 64 datagrams per socket per wakeup
                    for (int i = 0; i < 64; i++) {
                        bb.clear();
                        if (e.channel().receive(bb) == null) {
                            break;
                        }
                        long arrival = System.nanoTime();
                        int len = bb.position();
                        if (len < 2) {
                            continue;
                        }
                        int second = buf[1] & 0xFF;
                        if (second >= 192 && second <= 223) {
                            e.received().onRtcp();
                            answerSenderReport(e, buf, len, arrival, writer, out);
                        } else {
                            e.received().onRtp(buf, 0, len, arrival);
                        }
                    }
                }
            }
        } catch (IOException | ClosedSelectorException ex) {
            // closed under us at shutdown
        }
    }

    private void answerSenderReport(Endpoint e, byte[] buf, int len, long arrival, RtcpWriter writer, byte[] out) {
        // walk the compound packet for an SR
        int off = 0;
        while (off + 8 <= len) {
            int pt = buf[off + 1] & 0xFF;
            int words = ((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF);
            int plen = (words + 1) * 4;
            if (plen > len - off) {
                return;
            }
            if (pt == RTCP_SR && plen >= 28) {
                long serverSsrc = u32(buf, off + 4);
                long lsr = u32(buf, off + 10); // middle 32 bits of the NTP timestamp
                writer.clearReportBlocks();
                int cumulative = 0;
                long highest = e.received().count() == 0 ? 0 : e.received().seq(e.received().count() - 1);
                writer.addReportBlock(serverSsrc, 0, cumulative, highest, 0, lsr, 0);
                int n = writer.writeReceiverReport(out, 0, e.ssrc());
                byte[] cname = e.label().getBytes(StandardCharsets.US_ASCII);
                n += RtcpWriter.writeSdesCname(out, n, e.ssrc(), cname, 0, cname.length);
                sender.sendLater(arrival + 2 * e.delayNanos(), e, java.util.Arrays.copyOf(out, n));
                return;
            }
            off += plen;
        }
    }

    private static long u32(byte[] b, int o) {
        return ((b[o] & 0xFFL) << 24) | ((b[o + 1] & 0xFFL) << 16) | ((b[o + 2] & 0xFFL) << 8) | (b[o + 3] & 0xFFL);
    }

    @Override
    public void close() {
        stopped = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to read
        }
    }
}
