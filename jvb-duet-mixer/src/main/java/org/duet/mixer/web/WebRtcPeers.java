package org.duet.mixer.web;

import java.io.IOException;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.Role;
import org.duet.mixer.signaling.ErrorCode;
import org.duet.mixer.signaling.SignalingException;
import org.duet.mixer.signaling.WebRtcPeer;
import org.duet.mixer.signaling.WebRtcPeerFactory;
import org.duet.mixer.webrtc.WebRtcEndpointFactory;
import org.duet.mixer.webrtc.sdp.MediaDirection;
import org.duet.mixer.webrtc.sdp.SdpException;

/** Answers browsers' offers with the WebRTC transport of package {@code webrtc}. */
final class WebRtcPeers implements WebRtcPeerFactory {

    private final WebRtcEndpointFactory endpoints;

    private WebRtcPeers(WebRtcEndpointFactory endpoints) {
        this.endpoints = endpoints;
    }

    /** Reads {@code duet.webrtc.*}; generates the DTLS certificate once. */
    static WebRtcPeerFactory defaultFactory(DuetConfig config) {
        return new WebRtcPeers(new WebRtcEndpointFactory(config.raw()));
    }

    @Override
    public WebRtcPeer answer(String participantId, Role role, String offerSdp) throws SignalingException {
        // Directions are Duet's: a singer's voice comes in and their mix goes out; a listener only receives.
        MediaDirection wanted = role.isSinger() ? MediaDirection.SENDRECV : MediaDirection.SENDONLY;
        try {
            return new WebRtcSessionPeer(endpoints.create(offerSdp, wanted));
        } catch (SdpException e) {
            throw new SignalingException(ErrorCode.NEGOTIATION_FAILED, "the offer cannot be answered: " + e.getMessage());
        } catch (IOException e) {
            throw new SignalingException(ErrorCode.NEGOTIATION_FAILED, "no UDP port for media: " + e.getMessage());
        }
    }
}
