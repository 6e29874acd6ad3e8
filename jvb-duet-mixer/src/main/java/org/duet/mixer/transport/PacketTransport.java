package org.duet.mixer.transport;

/**
 * One participant's media transport as the engine sees it: plaintext RTP and RTCP in both
 * directions. A plain UDP socket is one implementation; WebRTC (ICE + DTLS-SRTP) is another;
 * a Jitsi Videobridge media export is a third. Encryption, ICE and framing stay behind this
 * interface, so the mixer never knows which one it talks to.
 *
 * <p>Threading: {@link #send} is called from the media loop thread and must not block on I/O
 * or on locks held by signaling; it copies what it needs before returning, because the caller
 * reuses {@code buf}. Received packets are delivered to the {@link PacketReceiver} on the
 * transport's own thread.
 */
public interface PacketTransport extends AutoCloseable {

    /** Sends one plaintext RTP packet. Drops (and counts) rather than blocks when the socket is full. */
    void sendRtp(byte[] buf, int off, int len);

    /** Sends one plaintext RTCP (compound) packet. */
    void sendRtcp(byte[] buf, int off, int len);

    /** Where received plaintext packets go; set once before the transport starts. */
    void setReceiver(PacketReceiver receiver);

    /** A short human-readable description for logs and metrics, e.g. "udp 127.0.0.1:40000". */
    String describe();

    /**
     * True when what is sent can reach the participant (a WebRTC session whose DTLS is done). Outputs
     * whose receivers are all unconnected are not encoded: a listener that never connects costs no
     * codec time. Plain UDP is always connected.
     */
    default boolean isConnected() {
        return true;
    }

    /**
     * True when a person listens at this end who can be calibrated at join (clicks in their mix,
     * found again in their voice: docs/sync.md). Plain RTP peers (gateways, encoders, test peers)
     * have nobody to hear the clicks, and a voice a mixer takes over mid-duet was calibrated by the
     * mixer before it: they are calibrated on request only.
     */
    default boolean calibrateAtJoin() {
        return true;
    }

    @Override
    void close();
}
