package org.duet.mixer.signaling;

import java.util.function.Consumer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.transport.PacketTransport;

/**
 * The server side of one browser's peer connection, as signaling needs it: the SDP answer, the
 * negotiated media format, trickle ICE and the plaintext packet transport the engine joins. The
 * WebRTC transport (package {@code webrtc}) implements it; signaling never touches ICE or DTLS.
 */
public interface WebRtcPeer extends AutoCloseable {

    /** The SDP answer to the offer this peer was created from. */
    String answerSdp();

    /** Opus payload type, channels and header-extension ids as negotiated. */
    MediaFormat mediaFormat();

    /** Plaintext RTP/RTCP to and from the browser, for {@code Room.join}. */
    PacketTransport transport();

    /** A candidate the browser trickled; an end-of-candidates marker is allowed. */
    void addRemoteCandidate(IceCandidate candidate) throws SignalingException;

    /**
     * Starts trickling the server's candidates (called once the answer is sent); the consumer may
     * be called on any thread, ending with an end-of-candidates marker.
     */
    void trickleLocalCandidates(Consumer<IceCandidate> consumer);

    /** A short connection state for the page ("new", "checking", "connected", "failed", "closed"). */
    String connectionState();

    /**
     * Calls {@code listener} once, with a reason for the client, when the connection failed (ICE
     * consent lost, DTLS error) or the browser closed it. Not called for our own {@link #close}.
     */
    default void onEnded(Consumer<String> listener) {
    }

    /** Milliseconds since the browser's last ICE consent check on the media path; -1 before the first. */
    default long consentAgeMillis() {
        return -1;
    }

    @Override
    void close();
}
