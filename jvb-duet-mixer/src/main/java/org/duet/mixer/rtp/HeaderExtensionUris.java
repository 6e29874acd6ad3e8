package org.duet.mixer.rtp;

/** RTP header extension URIs as they appear in SDP {@code a=extmap} lines (RFC 8285). */
public final class HeaderExtensionUris {
    /** RFC 6464 client-to-mixer audio level. */
    public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    /** RFC 6465 mixer-to-client audio level (per CSRC). */
    public static final String CSRC_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:csrc-audio-level";
    /** libwebrtc absolute capture time. */
    public static final String ABS_CAPTURE_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";
    /** libwebrtc absolute send time (24-bit 6.18 fixed point seconds). */
    public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    /** Transport-wide sequence number for transport-cc feedback. */
    public static final String TRANSPORT_CC =
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /** RFC 8843 media identification (BUNDLE). */
    public static final String SDES_MID = "urn:ietf:params:rtp-hdrext:sdes:mid";

    private HeaderExtensionUris() {
    }
}
