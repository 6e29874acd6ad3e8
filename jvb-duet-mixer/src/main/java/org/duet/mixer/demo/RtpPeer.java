package org.duet.mixer.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpRtcpDemux;
import org.duet.mixer.rtp.RtpWriter;

/**
 * A plain-RTP endpoint the way a SIP gateway or hardware encoder would be: it sends a signal as
 * 20 ms Opus RTP packets in real time (with an RTCP Sender Report each second) and records what
 * it receives, decoded, with arrival times. Used by the demo, the end-to-end tests and the
 * benchmarks. Not part of the mixer's media path.
 */
public final class RtpPeer implements AutoCloseable {

    public static final int FRAME = 960;

    private final String name;
    private final DatagramChannel channel;
    private final OpusEncoder encoder;
    private final OpusDecoder decoder;
    private final long ssrc = ThreadLocalRandom.current().nextLong(1, 1L << 32);
    private final int payloadType;
    private volatile InetSocketAddress mixer;
    private volatile boolean running = true;
    private Thread sender;
    private Thread receiver;

    // What was received: decoded samples placed by RTP timestamp, plus per-packet arrival times.
    private final Object lock = new Object();
    private float[] received = new float[48_000 * 4];
    private int receivedLength;
    private long firstTimestamp = -1;
    private long streamSsrc = -1;
    private long[] packetArrivalNanos = new long[4096];
    private long[] packetSampleOffset = new long[4096];
    private int[] packetSamples = new int[4096];
    private int packetCount;
    private long sendStartNanos;
    private volatile long packetsSent;
    private volatile long extraDelayNanos;
    private volatile boolean senderReports = true;
    private volatile long firstPacketDelayNanos;

    public RtpPeer(String name, int payloadType) throws IOException {
        this.name = name;
        this.payloadType = payloadType;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        this.encoder = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.AUDIO, FRAME));
        this.decoder = OpusCodecs.newDecoder(1);
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Holds every packet (RTP and RTCP) this long before sending: a longer network path. Capture
     * times in the Sender Reports stay true, as they would on a real slow path.
     */
    public void setExtraDelayNanos(long nanos) {
        this.extraDelayNanos = nanos;
    }

    /** Whether to send RTCP Sender Reports (off: a sender with no clock information at all). */
    public void setSenderReports(boolean send) {
        this.senderReports = send;
    }

    /** Holds only the first packet this much longer: an early packet that was late, the worst anchor. */
    public void setFirstPacketDelayNanos(long nanos) {
        this.firstPacketDelayNanos = nanos;
    }

    /** Where the mixer listens for this peer. */
    public void connect(InetSocketAddress mixerAddress) {
        this.mixer = mixerAddress;
    }

    /** Starts receiving (and decoding) whatever the mixer sends. */
    public void startReceiving() {
        receiver = new Thread(this::receiveLoop, name + "-rx");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Sends {@code signal} (48 kHz mono) in real time as 20 ms packets; returns at once. */
    public void startSending(float[] signal) {
        startSending(signal, System.nanoTime());
    }

    /**
     * Like {@link #startSending(float[])}, with frame 0 captured at {@code startNanos}
     * ({@link System#nanoTime()}): peers given the same start capture in lockstep.
     */
    public void startSending(float[] signal, long startNanos) {
        sender = new Thread(() -> sendLoop(signal, startNanos), name + "-tx");
        sender.setDaemon(true);
        sender.start();
    }

    /** Waits (bounded) until the whole signal was sent. */
    public void awaitSent(long timeoutMillis) throws InterruptedException {
        if (sender != null) {
            sender.join(timeoutMillis);
        }
    }

    public long sendStartNanos() {
        return sendStartNanos;
    }

    public long packetsSent() {
        return packetsSent;
    }

    private void sendLoop(float[] signal, long start) {
        short[] pcm = new short[FRAME];
        byte[] opus = new byte[1500];
        byte[] packet = new byte[1500];
        byte[] rtcp = new byte[256];
        RtpWriter writer = new RtpWriter();
        RtcpWriter rtcpWriter = new RtcpWriter();
        ByteBuffer out = ByteBuffer.allocate(1500);
        int seq = ThreadLocalRandom.current().nextInt(1 << 16);
        long ts0 = ThreadLocalRandom.current().nextLong(1L << 32);
        long unixStart = start + org.duet.mixer.clock.ServerClock.unixNanosMinusNanoTime();
        sendStartNanos = start;
        long octets = 0;
        int frames = signal.length / FRAME;
        for (int f = 0; f < frames && running; f++) {
            long due = start + f * 20_000_000L + extraDelayNanos + (f == 0 ? firstPacketDelayNanos : 0);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            for (int i = 0; i < FRAME; i++) {
                float v = Math.max(-1f, Math.min(1f, signal[f * FRAME + i]));
                pcm[i] = (short) Math.round(v * 32767f);
            }
            int len = encoder.encode(pcm, 0, FRAME, opus, 0, opus.length);
            if (len <= 0) {
                continue;
            }
            long ts = (ts0 + (long) f * FRAME) & 0xFFFFFFFFL;
            int h = writer.reset().payloadType(payloadType).sequenceNumber((seq + f) & 0xFFFF).timestamp(ts).ssrc(ssrc)
                    .write(packet, 0);
            System.arraycopy(opus, 0, packet, h, len);
            send(out, packet, h + len);
            packetsSent++;
            octets += len;
            if (f % 50 == 0 && senderReports) {
                // Like a real sender, NTP and RTP time in the SR come from one capture clock: the
                // end of the frame just captured (not the moment a busy thread got to send it).
                long ntp = NtpTime.fromUnixNanos(unixStart + (f + 1) * 20_000_000L);
                long rtpNow = (ts + FRAME) & 0xFFFFFFFFL;
                rtcpWriter.clearReportBlocks();
                int n = rtcpWriter.writeSenderReport(rtcp, 0, ssrc, ntp, rtpNow, f + 1, octets);
                send(out, rtcp, n);
            }
        }
    }

    private void send(ByteBuffer out, byte[] data, int len) {
        InetSocketAddress to = mixer;
        if (to == null || len <= 0) {
            return;
        }
        out.clear();
        out.put(data, 0, len).flip();
        try {
            channel.send(out, to);
        } catch (IOException e) {
            // the mixer went away; the test notices from what it received
        }
    }

    private void receiveLoop() {
        ByteBuffer in = ByteBuffer.allocate(2048);
        RtpPacket rtp = new RtpPacket();
        short[] pcm = new short[5760];
        try {
            channel.configureBlocking(true);
        } catch (IOException e) {
            return;
        }
        while (running) {
            in.clear();
            try {
                if (channel.receive(in) == null) {
                    continue;
                }
            } catch (IOException e) {
                return; // closed
            }
            long arrival = System.nanoTime();
            int len = in.position();
            byte[] data = in.array();
            if (RtpRtcpDemux.isRtcp(data, 0, len) || rtp.parse(data, 0, len) != org.duet.mixer.rtp.RtpDropReason.NONE) {
                continue;
            }
            int n = decoder.decode(data, rtp.payloadOffset(), rtp.payloadLength(), pcm, 0, 5760);
            if (n <= 0) {
                continue;
            }
            synchronized (lock) {
                if (firstTimestamp < 0) {
                    firstTimestamp = rtp.timestamp();
                    streamSsrc = rtp.ssrc();
                } else if (rtp.ssrc() != streamSsrc) {
                    // A new stream (the mixer restarted): its timestamps have a new random base, so
                    // it is placed right after what was received, as a receiver starts a new stream.
                    streamSsrc = rtp.ssrc();
                    firstTimestamp = (rtp.timestamp() - receivedLength) & 0xFFFFFFFFL;
                }
                long offset = (rtp.timestamp() - firstTimestamp) & 0xFFFFFFFFL;
                if (offset > 48_000L * 600) {
                    continue; // older than the first packet (reordered) or absurd
                }
                int at = (int) offset;
                ensure(at + n);
                for (int i = 0; i < n; i++) {
                    received[at + i] = pcm[i] / 32768f;
                }
                receivedLength = Math.max(receivedLength, at + n);
                if (packetCount == packetArrivalNanos.length) {
                    packetArrivalNanos = Arrays.copyOf(packetArrivalNanos, packetCount * 2);
                    packetSampleOffset = Arrays.copyOf(packetSampleOffset, packetCount * 2);
                    packetSamples = Arrays.copyOf(packetSamples, packetCount * 2);
                }
                packetArrivalNanos[packetCount] = arrival;
                packetSampleOffset[packetCount] = at;
                packetSamples[packetCount] = n;
                packetCount++;
            }
        }
    }

    private void ensure(int size) {
        if (size > received.length) {
            received = Arrays.copyOf(received, Math.max(size, received.length * 2));
        }
    }

    /** Everything received so far, decoded, placed by RTP timestamp from the first packet. */
    public float[] receivedAudio() {
        synchronized (lock) {
            return Arrays.copyOf(received, receivedLength);
        }
    }

    /** Arrival time of the received sample at {@code offset} (from the packet that carried it). */
    public long arrivalNanosOfSample(long offset) {
        synchronized (lock) {
            for (int i = 0; i < packetCount; i++) {
                long start = packetSampleOffset[i];
                if (offset >= start && offset < start + packetSamples[i]) {
                    return packetArrivalNanos[i];
                }
            }
            return -1;
        }
    }

    public int packetsReceived() {
        synchronized (lock) {
            return packetCount;
        }
    }

    /** Packets that arrived in {@code [fromNanos, toNanos)} ({@link System#nanoTime()}). */
    public long packetsArrivedBetween(long fromNanos, long toNanos) {
        synchronized (lock) {
            long n = 0;
            for (int i = 0; i < packetCount; i++) {
                if (packetArrivalNanos[i] >= fromNanos && packetArrivalNanos[i] < toNanos) {
                    n++;
                }
            }
            return n;
        }
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        running = false;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        encoder.close();
        decoder.close();
    }
}
