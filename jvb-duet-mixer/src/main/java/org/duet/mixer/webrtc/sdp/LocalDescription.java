package org.duet.mixer.webrtc.sdp;

import java.util.List;

/**
 * What Duet puts in its answer about itself.
 *
 * @param ice                our ICE credentials
 * @param fingerprint        fingerprint of our DTLS certificate
 * @param candidates         our candidates (ICE-lite: the host candidates of the session's socket)
 * @param iceLite            write {@code a=ice-lite} (RFC 8445 section 2.5)
 * @param ssrc               SSRC of the stream Duet sends, announced with a=ssrc and its cname; -1 to announce
 *                           none (the engine's SSRC changes between forwarding and mixing, and Chromium
 *                           plays only an announced SSRC once one is announced)
 * @param cname              RTCP CNAME of that stream
 * @param streamId           msid stream id
 * @param trackId            msid track id
 * @param sessionId          o= session id
 */
public record LocalDescription(IceCredentials ice, Fingerprint fingerprint, List<IceCandidate> candidates,
                               boolean iceLite, long ssrc, String cname, String streamId, String trackId,
                               long sessionId) {

    public LocalDescription {
        candidates = List.copyOf(candidates);
        if (ssrc < -1 || ssrc > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("ssrc must be an unsigned 32-bit value, or -1 for none");
        }
        if (sessionId < 0) {
            throw new IllegalArgumentException("sessionId must not be negative");
        }
    }
}
