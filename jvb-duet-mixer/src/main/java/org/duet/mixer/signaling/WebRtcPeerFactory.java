package org.duet.mixer.signaling;

import java.util.function.Consumer;

/** Creates the server side of a browser's peer connection from the browser's SDP offer. */
public interface WebRtcPeerFactory {

    /**
     * @param participantId    for logs and metrics
     * @param offerSdp         the browser's offer (one audio m-line)
     * @param localCandidates  receives the server's ICE candidates as they are gathered (any thread)
     * @throws SignalingException {@link ErrorCode#NEGOTIATION_FAILED} when the offer cannot be answered
     */
    WebRtcPeer answer(String participantId, String offerSdp, Consumer<IceCandidate> localCandidates)
            throws SignalingException;
}
