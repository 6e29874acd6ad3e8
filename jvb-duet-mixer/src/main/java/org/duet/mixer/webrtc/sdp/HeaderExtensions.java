package org.duet.mixer.webrtc.sdp;

/** URIs of the RTP header extensions Duet negotiates (ids are taken from the offer). */
public final class HeaderExtensions {

    /** RFC 6464 client-to-mixer audio level. */
    public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    /** libwebrtc's absolute capture time (NTP capture timestamp of the first sample). */
    public static final String ABS_CAPTURE_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";

    /**
     * Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01): taken
     * only together with {@code a=rtcp-fb:<opus pt> transport-cc}, then we stamp every packet we send
     * and read the receiver's feedback (docs/adaptation.md).
     */
    public static final String TRANSPORT_CC =
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    private HeaderExtensions() {
    }
}
