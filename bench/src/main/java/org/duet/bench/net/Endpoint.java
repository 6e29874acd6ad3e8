package org.duet.bench.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import org.duet.bench.rtp.EncodedLoop;

/**
 * One simulated participant: a loopback UDP socket (RTP and RTCP muxed) that a singer sends its
 * Opus stream from and every participant receives its mix on. A singer may carry an emulated
 * one-way network delay, applied to what it sends and to the server's RTCP it answers, so round
 * trips measured by the server include it twice, as on a real path.
 */
public final class Endpoint implements AutoCloseable {

    public enum Kind { SINGER, LISTENER }

    private final String label;
    private final Kind kind;
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final ReceivedStream received;
    private final EncodedLoop loop;
    private final long delayNanos;
    private final long ssrc;
    private final long[] sendNanos;
    private volatile InetSocketAddress remote;
    private long captureEpochNanos;

    private Endpoint(String label, Kind kind, DatagramChannel channel, ReceivedStream received, EncodedLoop loop,
                     long delayNanos, long ssrc, int maxFrames) throws IOException {
        this.label = label;
        this.kind = kind;
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.received = received;
        this.loop = loop;
        this.delayNanos = delayNanos;
        this.ssrc = ssrc;
        this.sendNanos = kind == Kind.SINGER ? new long[maxFrames] : new long[0];
    }

    /**
     * Binds a loopback socket. {@code port} 0 picks an ephemeral one; a fixed port lets a netem
     * filter recognise client traffic by source port.
     */
    public static Endpoint open(String label, Kind kind, int port, EncodedLoop loop, long delayNanos, long ssrc,
                                int maxFrames, boolean recordAudio) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            ch.configureBlocking(false);
            // 50 packets/s for the run plus slack for bursts
            int capacity = maxFrames * 3 + 200;
            return new Endpoint(label, kind, ch, new ReceivedStream(capacity, recordAudio), loop, delayNanos, ssrc,
                    maxFrames);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public String label() {
        return label;
    }

    public Kind kind() {
        return kind;
    }

    public DatagramChannel channel() {
        return channel;
    }

    public InetSocketAddress local() {
        return local;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    /** Where this participant's packets go (the server's port for it); null until joined. */
    public void setRemote(InetSocketAddress remote) {
        this.remote = remote;
    }

    public ReceivedStream received() {
        return received;
    }

    public EncodedLoop loop() {
        return loop;
    }

    public long delayNanos() {
        return delayNanos;
    }

    public long ssrc() {
        return ssrc;
    }

    /** When frame n was actually handed to the socket (0 = never sent). */
    public long sendNanos(long n) {
        return n < sendNanos.length ? sendNanos[(int) n] : 0;
    }

    void markSent(long n, long nanos) {
        if (n < sendNanos.length) {
            sendNanos[(int) n] = nanos;
        }
    }

    public int maxFrames() {
        return sendNanos.length;
    }

    /** System.nanoTime() at which frame 0 was captured; frame n was captured n * 20 ms later. */
    public long captureEpochNanos() {
        return captureEpochNanos;
    }

    public void setCaptureEpochNanos(long nanos) {
        this.captureEpochNanos = nanos;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a datagram socket cannot lose data we still need
        }
    }
}
