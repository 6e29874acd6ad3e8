package org.duet.mixer.webrtc.sdp;

import java.util.List;

/**
 * The outcome of accepting an offer: the one audio m-section Duet uses and everything the
 * transport and the engine need from it. Every other m-section is rejected in the answer.
 *
 * @param audio                     the accepted audio m-section of the offer
 * @param mid                       its a=mid, null when the offer had none
 * @param opus                      the Opus payload type and the offerer's fmtp preferences
 * @param audioLevelExtensionId     id of {@link HeaderExtensions#AUDIO_LEVEL}, 0 when not offered
 * @param absCaptureTimeExtensionId id of {@link HeaderExtensions#ABS_CAPTURE_TIME}, 0 when not offered
 * @param offerDirection            the direction the browser offered
 * @param answerDirection           the direction Duet answers with
 * @param remoteIce                 the browser's ICE credentials
 * @param remoteFingerprints        the browser's certificate fingerprints (at least one)
 * @param localSetup                Duet's DTLS role: {@link SetupRole#PASSIVE} (DTLS server) or {@link SetupRole#ACTIVE}
 * @param remoteCandidates          candidates already in the offer (none when the browser trickles)
 * @param remoteSsrc                the browser's sending SSRC from a=ssrc, -1 when none
 * @param remoteCname               its CNAME, null when none
 * @param transportCcExtensionId    id of {@link HeaderExtensions#TRANSPORT_CC}, 0 unless the offer had both
 *                                  the extension and {@code a=rtcp-fb:<opus pt> transport-cc}
 */
public record Negotiation(SessionDescription offer, MediaSection audio, String mid, OpusFormat opus,
                          int audioLevelExtensionId, int absCaptureTimeExtensionId,
                          MediaDirection offerDirection, MediaDirection answerDirection,
                          IceCredentials remoteIce, List<Fingerprint> remoteFingerprints, SetupRole localSetup,
                          List<IceCandidate> remoteCandidates, long remoteSsrc, String remoteCname,
                          int transportCcExtensionId) {

    public Negotiation {
        remoteFingerprints = List.copyOf(remoteFingerprints);
        remoteCandidates = List.copyOf(remoteCandidates);
    }

    /** True when Duet is the DTLS client (answered {@code a=setup:active}). */
    public boolean dtlsClient() {
        return localSetup == SetupRole.ACTIVE;
    }

    /** m-sections rejected in the answer (port 0): everything but {@link #audio}. */
    public List<MediaSection> rejected() {
        return offer.mediaSections().stream().filter(m -> m != audio).toList();
    }
}
