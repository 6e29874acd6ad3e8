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
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
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
    private final AtomicLong droppedBeforeLatch = new AtomicLong();
    private final AtomicLong droppedOtherSsrc = new AtomicLong();

    // acceptOnly: receive thread only (plus the volatile switch)
    private volatile int expectedPayloadType = -1;
    private final RtpPacket check = new RtpPacket();
    private long lockedSsrc = -1;

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

    /**
     * From now on accepts RTP with this payload type only, and only from one stream: the socket
     * latches (when opened without a remote) on the first valid RTP packet, not on any datagram,
     * and the first valid packet's SSRC is locked. Other SSRCs are dropped and counted. The one
     * way to change it is an RTCP BYE from the locked SSRC (RFC 3550 6.6: the stream ended), after
     * which the next valid RTP packet locks its SSRC.
     */
    public void acceptOnly(int payloadType) {
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("payload type must be 0..127");
        }
        this.expectedPayloadType = payloadType;
    }

    /** Datagrams ignored while waiting to latch (not valid RTP of the expected payload type). */
    public long droppedBeforeLatch() {
        return droppedBeforeLatch.get();
    }

    /** RTP packets dropped because their SSRC is not the locked one. */
    public long droppedOtherSsrc() {
        return droppedOtherSsrc.get();
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
                    n = rxBuffer.position();
                    if (expectedPayloadType >= 0) {
                        rxBuffer.flip();
                        int len = Math.min(n, rxArray.length);
                        rxBuffer.get(rxArray, 0, len);
                        if (n > DatagramLimits.MAX_DATAGRAM || !isExpectedRtp(rxArray, len)) {
                            droppedBeforeLatch.incrementAndGet(); // a stranger's byte does not capture the socket
                            continue;
                        }
                        rxBuffer.position(0).limit(n); // read again below like any datagram
                        rxBuffer.position(n);
                    }
                    latch((InetSocketAddress) from);
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
            if (expectedPayloadType >= 0 && !passesSsrcLock(n, rtcp)) {
                continue;
            }
            PacketReceiver r = receiver;
            if (r != null) {
                r.onPacket(rxArray, 0, n, rtcp, arrival);
            }
        }
    }

    private boolean isExpectedRtp(byte[] b, int len) {
        return !RtpRtcpDemux.isRtcp(b, 0, len) && check.parse(b, 0, len) == RtpDropReason.NONE
                && check.payloadType() == expectedPayloadType;
    }

    private boolean passesSsrcLock(int n, boolean rtcp) {
        if (rtcp) {
            if (lockedSsrc >= 0 && containsByeFrom(rxArray, n, lockedSsrc)) {
                lockedSsrc = -1; // the stream said goodbye: the next valid stream may take over
            }
            return true;
        }
        if (!isExpectedRtp(rxArray, n)) {
            return true; // not ours to judge: the media loop drops and counts it by reason
        }
        if (lockedSsrc < 0) {
            lockedSsrc = check.ssrc();
            return true;
        }
        if (check.ssrc() != lockedSsrc) {
            droppedOtherSsrc.incrementAndGet();
            return false;
        }
        return true;
    }

    /** True when the RTCP compound packet has a BYE (RFC 3550 6.6) naming {@code ssrc}. */
    static boolean containsByeFrom(byte[] b, int len, long ssrc) {
        int off = 0;
        for (int guard = 0; guard < 32 && off + 4 <= len; guard++) {
            int count = b[off] & 0x1F;
            int type = b[off + 1] & 0xFF;
            int words = ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
            int end = off + 4 + words * 4;
            if (end > len || (b[off] & 0xC0) != 0x80) {
                return false;
            }
            if (type == 203) {
                for (int i = 0; i < count && off + 8 + i * 4 <= end; i++) {
                    int at = off + 4 + i * 4;
                    long s = ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8)
                            | (b[at + 3] & 0xFFL);
                    if (s == ssrc) {
                        return true;
                    }
                }
            }
            off = end;
        }
        return false;
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
    public boolean calibrateAtJoin() {
        return false; // a plain RTP peer: nobody to hear the clicks
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
