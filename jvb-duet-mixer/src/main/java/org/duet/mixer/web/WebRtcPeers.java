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

    private final java.util.concurrent.CompletableFuture<WebRtcEndpointFactory> endpoints;

    private WebRtcPeers(java.util.concurrent.CompletableFuture<WebRtcEndpointFactory> endpoints) {
        this.endpoints = endpoints;
    }

    /** Reads {@code duet.webrtc.*}; generates the DTLS certificate once, before returning. */
    static WebRtcPeerFactory defaultFactory(DuetConfig config) {
        return new WebRtcPeers(java.util.concurrent.CompletableFuture.completedFuture(
                new WebRtcEndpointFactory(config.raw())));
    }

    /**
     * As {@link #defaultFactory}, but the DTLS certificate and the SRTP library's start-up (it times
     * its AES implementations: seconds on a busy machine) run on their own thread, so a restarting
     * server listens, and restores its plain-RTP participants, at once; only the first browser
     * offer waits for them. For {@code serve}.
     */
    static WebRtcPeerFactory startingFactory(DuetConfig config) {
        java.util.concurrent.CompletableFuture<WebRtcEndpointFactory> f = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(new WebRtcEndpointFactory(config.raw()));
            } catch (Throwable e) {
                org.slf4j.LoggerFactory.getLogger(WebRtcPeers.class).error("the WebRTC transport could not start", e);
                f.completeExceptionally(e);
            }
        }, "duet-webrtc-init");
        t.setDaemon(true);
        t.start();
        return new WebRtcPeers(f);
    }

    @Override
    public WebRtcPeer answer(String participantId, Role role, String offerSdp) throws SignalingException {
        // Directions are Duet's: a singer's voice comes in and their mix goes out; a listener only receives.
        MediaDirection wanted = role.isSinger() ? MediaDirection.SENDRECV : MediaDirection.SENDONLY;
        WebRtcEndpointFactory ready;
        try {
            ready = endpoints.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignalingException(ErrorCode.WEBRTC_UNAVAILABLE, "the server is shutting down");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new SignalingException(ErrorCode.WEBRTC_UNAVAILABLE, "the WebRTC transport could not start");
        }
        try {
            return new WebRtcSessionPeer(ready.create(offerSdp, wanted));
        } catch (SdpException e) {
            throw new SignalingException(ErrorCode.NEGOTIATION_FAILED, "the offer cannot be answered: " + e.getMessage());
        } catch (IOException e) {
            throw new SignalingException(ErrorCode.NEGOTIATION_FAILED, "no UDP port for media: " + e.getMessage());
        }
    }
}
