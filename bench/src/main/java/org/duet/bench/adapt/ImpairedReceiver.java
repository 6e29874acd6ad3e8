package org.duet.bench.adapt;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.duet.mixer.demo.FixedDelayPlayout;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusPacketInfo;
import org.duet.mixer.rtcp.ReceptionStatistics;
import org.duet.mixer.rtcp.RtcpListener;
import org.duet.mixer.rtcp.RtcpParser;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpRtcpDemux;

/**
 * A receiving endpoint behind an emulated bad path: every RTP packet the mixer sends it is dropped
 * with a probability, or delayed by a base delay plus uniform jitter (reordering when the jitter
 * exceeds the packet interval), as {@code tc netem delay D J loss L%} would do; the impairment can
 * change while it runs. What survives is played by a fixed-delay playout buffer with a real Opus
 * decoder (in-band FEC used where the next packet carries it, else concealment), and the
 * receiver sends RTCP Receiver
 * Reports (fraction lost, cumulative loss, jitter, LSR/DLSR) every {@code reportIntervalMs}
 * (randomised 0.5 to 1.5x), as a browser would. Used where the kernel has no netem (see
 * docs/adaptation.md). Counters are per phase ({@link #resetCounters}).
 */
public final class ImpairedReceiver implements AutoCloseable {

    private final String name;
    private final DatagramChannel channel;
    private final long reportIntervalNanos;
    private final long playoutDelayNanos;
    private volatile FixedDelayPlayout playout;
    private final long ssrc = ThreadLocalRandom.current().nextLong(1, 1L << 32);
    private final SplittableRandom random;
    private volatile InetSocketAddress mixer;
    private volatile boolean running = true;
    private final Thread thread;
    private int lastSeqIn = -2;
    private long lastTsIn;
    private int lastSamplesIn;
    private volatile long streamJumps;

    private volatile double lossPercent;
    private volatile double delayMs;
    private volatile double jitterMs;

    // counters (written by the receive thread, read by the test)
    private volatile boolean resetRequested;
    private volatile long packetsReceived;
    private volatile long packetsWithFec;
    private volatile long packetsDropped;
    private volatile long bytesReceived;
    private volatile int lastFrameSamples;
    private volatile long firstFecPacketNanos = Long.MIN_VALUE;

    /** One second's bitrate, sampled by the receive thread: bits received in the last full second. */
    private volatile double lastSecondKbps = Double.NaN;

    /**
     * @param reportIntervalMs mean interval of its Receiver Reports
     * @param playoutDelayMs   its fixed playout delay after the first packet's arrival (must cover
     *                         the emulated delay plus jitter, or everything counts as concealed)
     */
    public ImpairedReceiver(String name, long seed, long reportIntervalMs, long playoutDelayMs) throws IOException {
        this.playoutDelayNanos = playoutDelayMs * 1_000_000L;
        this.name = name;
        this.random = new SplittableRandom(seed);
        this.reportIntervalNanos = reportIntervalMs * 1_000_000L;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
        this.thread = new Thread(this::run, name + "-rx");
        thread.setDaemon(true);
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Where to send Receiver Reports (the mixer's socket for this participant). */
    public void connect(InetSocketAddress mixerAddress) {
        this.mixer = mixerAddress;
    }

    public void start() {
        thread.start();
    }

    /** The path from now on: {@code delay +- jitter} ms, {@code loss} percent dropped. */
    public void impair(double delay, double jitter, double loss) {
        if (delay < 0 || jitter < 0 || jitter > delay || loss < 0 || loss > 100) {
            throw new IllegalArgumentException("bad impairment");
        }
        this.delayMs = delay;
        this.jitterMs = jitter;
        this.lossPercent = loss;
    }

    private record Pending(long dueNanos, byte[] data) {
    }

    private void run() {
        ByteBuffer in = ByteBuffer.allocate(2048);
        RtpPacket rtp = new RtpPacket();
        RtcpParser parser = new RtcpParser();
        RtcpWriter writer = new RtcpWriter();
        byte[] rtcp = new byte[256];
        ByteBuffer out = ByteBuffer.allocate(256);
        FixedDelayPlayout playout = new FixedDelayPlayout(OpusCodecs.newDecoder(1), playoutDelayNanos);
        this.playout = playout;
        PriorityQueue<Pending> pending = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos, b.dueNanos));
        ReceptionStatistics[] reception = new ReceptionStatistics[1];
        long[] srArrival = new long[1];
        long nextReport = System.nanoTime() + reportIntervalNanos;
        long secondStart = System.nanoTime();
        long secondBytes = 0;
        RtcpListener onSr = new RtcpListener() {
            @Override
            public void onSenderReport(long s, long ntp, long rtpTs, long packets, long octets) {
                if (reception[0] != null && reception[0].sourceSsrc() == s) {
                    reception[0].onSenderReport(ntp, srArrival[0]);
                }
            }
        };
        while (running) {
            long now = System.nanoTime();
            // 1. take what arrived; drop or schedule it
            for (int i = 0; i < 64; i++) {
                in.clear();
                try {
                    if (channel.receive(in) == null) {
                        break;
                    }
                } catch (IOException e) {
                    return;
                }
                int len = in.position();
                byte[] data = in.array();
                if (RtpRtcpDemux.isRtcp(data, 0, len)) {
                    srArrival[0] = now;
                    parser.parse(data, 0, len, onSr);
                    continue;
                }
                if (rtp.parse(data, 0, len) == RtpDropReason.NONE) {
                    int seq = rtp.sequenceNumber();
                    long ts = rtp.timestamp();
                    if (seq == ((lastSeqIn + 1) & 0xFFFF) && ts != ((lastTsIn + lastSamplesIn) & 0xFFFFFFFFL)) {
                        streamJumps++; // as sent by the mixer, before the emulated path
                    }
                    lastSeqIn = seq;
                    lastTsIn = ts;
                    lastSamplesIn = Math.max(0, OpusPacketInfo.totalSamples(data, rtp.payloadOffset(), rtp.payloadLength()));
                }
                double loss = lossPercent;
                if (loss > 0 && random.nextDouble() * 100 < loss) {
                    packetsDropped++;
                    continue;
                }
                double j = jitterMs;
                double d = delayMs + (j > 0 ? (random.nextDouble() * 2 - 1) * j : 0);
                pending.add(new Pending(now + (long) (d * 1e6), java.util.Arrays.copyOf(data, len)));
            }
            // 2. deliver what is due to the jitter buffer, as if it arrived now
            while (!pending.isEmpty() && pending.peek().dueNanos <= now) {
                byte[] p = pending.poll().data;
                if (rtp.parse(p, 0, p.length) != RtpDropReason.NONE) {
                    continue;
                }
                if (reception[0] == null || reception[0].sourceSsrc() != rtp.ssrc()) {
                    reception[0] = new ReceptionStatistics(rtp.ssrc());
                }
                reception[0].onRtp(rtp.sequenceNumber(), rtp.timestamp(), now, 48_000);
                packetsReceived++;
                bytesReceived += p.length;
                secondBytes += p.length;
                lastFrameSamples = OpusPacketInfo.totalSamples(p, rtp.payloadOffset(), rtp.payloadLength());
                if (OpusPacketInfo.hasInbandFec(p, rtp.payloadOffset(), rtp.payloadLength())) {
                    packetsWithFec++;
                    if (firstFecPacketNanos == Long.MIN_VALUE) {
                        firstFecPacketNanos = now;
                    }
                }
                playout.insert(rtp.timestamp(), now, p, rtp.payloadOffset(), rtp.payloadLength());
            }
            if (resetRequested) {
                resetRequested = false; // on the receive thread, which owns the playout
                playout.resetCounters();
            }
            playout.play(now);
            if (now - secondStart >= 1_000_000_000L) {
                lastSecondKbps = secondBytes * 8e6 / (now - secondStart);
                secondStart = now;
                secondBytes = 0;
            }
            // 3. report
            if (now - nextReport >= 0 && reception[0] != null && mixer != null) {
                nextReport = now + reportIntervalNanos / 2 + random.nextLong(reportIntervalNanos);
                writer.clearReportBlocks();
                reception[0].writeReportBlock(writer, now);
                int n = writer.writeReceiverReport(rtcp, 0, ssrc);
                if (n > 0) {
                    out.clear();
                    out.put(rtcp, 0, n).flip();
                    try {
                        channel.send(out, mixer);
                    } catch (IOException e) {
                        return;
                    }
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    /** Starts a new measurement phase. */
    public void resetCounters() {
        resetRequested = true;
        packetsReceived = 0;
        packetsWithFec = 0;
        packetsDropped = 0;
        bytesReceived = 0;
        firstFecPacketNanos = Long.MIN_VALUE;
    }

    /** Share of played audio that was concealment (not decoded, not rebuilt from FEC), this phase. */
    public double concealedRate() {
        FixedDelayPlayout p = playout;
        return p == null ? Double.NaN : p.concealedRate();
    }

    public double fecRecoveredRate() {
        FixedDelayPlayout p = playout;
        return p == null ? Double.NaN : p.fecRate();
    }

    /** Share of received packets that carry in-band FEC, this phase. */
    public double fecPacketShare() {
        long n = packetsReceived;
        return n == 0 ? Double.NaN : (double) packetsWithFec / n;
    }

    /** First packet with in-band FEC this phase ({@link System#nanoTime()}), MIN_VALUE if none. */
    public long firstFecPacketNanos() {
        return firstFecPacketNanos;
    }

    public double lastSecondKbps() {
        return lastSecondKbps;
    }

    /** Duration of the last packet received, in 48 kHz samples. */
    public int lastFrameSamples() {
        return lastFrameSamples;
    }

    /** Packets whose timestamp did not follow on from the previous sequence number's, as sent. */
    public long streamJumps() {
        return streamJumps;
    }

    public long packetsReceived() {
        return packetsReceived;
    }

    public long packetsDropped() {
        return packetsDropped;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
