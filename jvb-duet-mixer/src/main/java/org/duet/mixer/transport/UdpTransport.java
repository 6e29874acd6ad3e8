package org.duet.mixer.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.mixer.format.DatagramLimits;
import org.duet.mixer.rtp.RtpRtcpDemux;

/**
 * A plain RTP participant: RTP and RTCP multiplexed on one UDP socket (RFC 5761), no ICE, no
 * encryption. This is how SIP gateways, hardware encoders and the benchmark join.
 *
 * <p>When the remote address is not given, the transport latches onto the first sender and then
 * accepts packets only from it. Once the remote is known the channel is connected, so reads and
 * writes need no address objects and allocate nothing.
 */
public final class UdpTransport implements PacketTransport {

    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final ByteBuffer rxBuffer = ByteBuffer.allocateDirect(DatagramLimits.MAX_DATAGRAM + 1);
    private final byte[] rxArray = new byte[DatagramLimits.MAX_DATAGRAM + 1];
    private final ByteBuffer txBuffer = ByteBuffer.allocateDirect(DatagramLimits.MAX_DATAGRAM);
    private volatile InetSocketAddress remote;
    private volatile PacketReceiver receiver;
    private volatile boolean closed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong droppedOversize = new AtomicLong();
    private final AtomicLong droppedNotRtp = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();

    private UdpTransport(DatagramChannel channel, InetSocketAddress remote) throws IOException {
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.remote = remote;
    }

    /**
     * Opens a socket bound to {@code local} (port 0 picks a free port).
     *
     * @param remote where to send, or null to latch onto the first sender
     */
    public static UdpTransport open(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            ch.bind(local);
            ch.configureBlocking(false);
            if (remote != null) {
                ch.connect(remote);
            }
            UdpTransport t = new UdpTransport(ch, remote);
            UdpReceiveThread.shared().register(t);
            return t;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The peer, once known. */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    DatagramChannel channel() {
        return channel;
    }

    @Override
    public void setReceiver(PacketReceiver receiver) {
        this.receiver = receiver;
    }

    /** Called on the receive thread when the socket is readable: drains every queued datagram. */
    void readAvailable() {
        for (int i = 0; i < 64 && !closed; i++) { // bounded: let other sockets have their turn
            int n;
            try {
                rxBuffer.clear();
                if (remote == null) {
                    SocketAddress from = channel.receive(rxBuffer);
                    if (from == null) {
                        return;
                    }
                    latch((InetSocketAddress) from);
                    n = rxBuffer.position();
                } else {
                    n = channel.read(rxBuffer);
                    if (n <= 0) {
                        return;
                    }
                }
            } catch (PortUnreachableException e) {
                continue; // ICMP from an earlier send: the peer is not listening yet
            } catch (IOException e) {
                return;
            }
            long arrival = System.nanoTime();
            received.incrementAndGet();
            if (n > DatagramLimits.MAX_DATAGRAM) {
                droppedOversize.incrementAndGet();
                continue;
            }
            rxBuffer.flip();
            rxBuffer.get(rxArray, 0, n);
            boolean rtcp = RtpRtcpDemux.isRtcp(rxArray, 0, n);
            if (!rtcp && !RtpRtcpDemux.looksLikeRtp(rxArray, 0, n)) {
                droppedNotRtp.incrementAndGet();
                continue;
            }
            PacketReceiver r = receiver;
            if (r != null) {
                r.onPacket(rxArray, 0, n, rtcp, arrival);
            }
        }
    }

    private void latch(InetSocketAddress from) throws IOException {
        remote = from;
        channel.connect(from);
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        send(buf, off, len);
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        send(buf, off, len);
    }

    private void send(byte[] buf, int off, int len) {
        if (remote == null || closed || len > DatagramLimits.MAX_DATAGRAM) {
            sendFailures.incrementAndGet();
            return;
        }
        txBuffer.clear();
        txBuffer.put(buf, off, len);
        txBuffer.flip();
        try {
            if (channel.write(txBuffer) == len) {
                sent.incrementAndGet();
            } else {
                sendFailures.incrementAndGet(); // socket buffer full: drop, never block the tick
            }
        } catch (IOException e) {
            sendFailures.incrementAndGet();
        }
    }

    public long packetsReceived() {
        return received.get();
    }

    public long packetsSent() {
        return sent.get();
    }

    public long droppedOversize() {
        return droppedOversize.get();
    }

    public long droppedNotRtp() {
        return droppedNotRtp.get();
    }

    public long sendFailures() {
        return sendFailures.get();
    }

    @Override
    public String describe() {
        return "udp " + localAddress + " <-> " + (remote == null ? "(waiting)" : remote);
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
    }
}
