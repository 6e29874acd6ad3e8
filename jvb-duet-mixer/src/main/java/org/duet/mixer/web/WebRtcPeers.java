package org.duet.mixer.web;

import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.signaling.WebRtcPeerFactory;

/** Picks the WebRTC transport that answers browsers' offers. */
final class WebRtcPeers {

    private WebRtcPeers() {
    }

    /** The WebRTC transport of package {@code webrtc}; null until it is merged. */
    static WebRtcPeerFactory defaultFactory(DuetConfig config) {
        return null;
    }
}
