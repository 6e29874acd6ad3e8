package org.duet.mixer.signaling;

import org.duet.mixer.room.Role;

/** Creates the server side of a browser's peer connection from the browser's SDP offer. */
public interface WebRtcPeerFactory {

    /**
     * @param participantId for logs and metrics
     * @param role          singers send and receive; listeners only receive
     * @param offerSdp      the browser's offer (one audio m-section)
     * @throws SignalingException {@link ErrorCode#NEGOTIATION_FAILED} when the offer cannot be answered
     */
    WebRtcPeer answer(String participantId, Role role, String offerSdp) throws SignalingException;
}
