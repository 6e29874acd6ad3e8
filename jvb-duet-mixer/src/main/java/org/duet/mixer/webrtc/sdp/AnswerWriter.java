package org.duet.mixer.webrtc.sdp;

/**
 * Writes Duet's SDP answer for a {@link Negotiation}: the accepted audio m-section with Opus only,
 * the two negotiated header extensions, our ICE credentials, fingerprint, DTLS role, candidates and
 * (when Duet sends) msid and ssrc lines; every other offered m-section mirrored with port 0.
 */
public final class AnswerWriter {

    private static final String CRLF = "\r\n";

    private AnswerWriter() {
    }

    public static String write(Negotiation n, LocalDescription local) {
        StringBuilder sb = new StringBuilder(1536);
        IceCandidate first = local.candidates().isEmpty() ? null : local.candidates().get(0);
        String address = first == null ? "0.0.0.0" : first.address();
        int port = first == null ? 9 : first.port();
        boolean sends = n.answerDirection().sends();

        line(sb, "v=0");
        line(sb, "o=duet " + local.sessionId() + " 2 IN " + addrType(address) + " " + address);
        line(sb, "s=-");
        line(sb, "t=0 0");
        if (local.iceLite()) {
            line(sb, "a=ice-lite");
        }
        if (n.mid() != null && !n.offer().bundleGroup().isEmpty()) {
            line(sb, "a=group:BUNDLE " + n.mid());
        }
        line(sb, "a=msid-semantic: WMS" + (sends ? " " + local.streamId() : ""));

        for (MediaSection m : n.offer().mediaSections()) {
            if (m == n.audio()) {
                writeAudio(sb, n, local, address, port, sends);
            } else {
                writeRejected(sb, m);
            }
        }
        return sb.toString();
    }

    private static void writeAudio(StringBuilder sb, Negotiation n, LocalDescription local, String address, int port,
                                   boolean sends) {
        int pt = n.opus().payloadType();
        line(sb, "m=audio " + port + " " + n.audio().proto() + " " + pt);
        line(sb, "c=IN " + addrType(address) + " " + address);
        line(sb, "a=rtcp:" + port + " IN " + addrType(address) + " " + address);
        line(sb, "a=ice-ufrag:" + local.ice().ufrag());
        line(sb, "a=ice-pwd:" + local.ice().pwd());
        line(sb, "a=ice-options:trickle");
        line(sb, "a=fingerprint:" + local.fingerprint().attributeValue());
        line(sb, "a=setup:" + n.localSetup().attribute());
        if (n.mid() != null) {
            line(sb, "a=mid:" + n.mid());
        }
        if (n.audioLevelExtensionId() > 0) {
            line(sb, "a=extmap:" + n.audioLevelExtensionId() + " " + HeaderExtensions.AUDIO_LEVEL);
        }
        if (n.absCaptureTimeExtensionId() > 0) {
            line(sb, "a=extmap:" + n.absCaptureTimeExtensionId() + " " + HeaderExtensions.ABS_CAPTURE_TIME);
        }
        if (n.transportCcExtensionId() > 0) {
            line(sb, "a=extmap:" + n.transportCcExtensionId() + " " + HeaderExtensions.TRANSPORT_CC);
        }
        line(sb, "a=" + n.answerDirection().attribute());
        if (sends) {
            line(sb, "a=msid:" + local.streamId() + " " + local.trackId());
        }
        line(sb, "a=rtcp-mux");
        line(sb, "a=rtpmap:" + pt + " opus/48000/2");
        if (n.transportCcExtensionId() > 0) {
            line(sb, "a=rtcp-fb:" + pt + " transport-cc"); // the receiver sends RTPFB FMT 15 about what we send
        }
        // What we want to receive: FEC from singers helps us conceal their losses; 10 ms frames are
        // the shortest we accept.
        line(sb, "a=fmtp:" + pt + " minptime=10;useinbandfec=1");
        if (sends && local.ssrc() >= 0) {
            line(sb, "a=ssrc:" + local.ssrc() + " cname:" + local.cname());
            line(sb, "a=ssrc:" + local.ssrc() + " msid:" + local.streamId() + " " + local.trackId());
        }
        for (IceCandidate c : local.candidates()) {
            line(sb, "a=" + c.attributeValue());
        }
        if (local.iceLite() && !local.candidates().isEmpty()) {
            line(sb, "a=end-of-candidates");
        }
    }

    private static void writeRejected(StringBuilder sb, MediaSection m) {
        line(sb, "m=" + m.media() + " 0 " + m.proto() + " " + String.join(" ", m.formats()));
        line(sb, "c=IN IP4 0.0.0.0");
        if (m.mid() != null) {
            line(sb, "a=mid:" + m.mid());
        }
        if (m.proto().contains("RTP")) {
            line(sb, "a=inactive");
        }
    }

    private static String addrType(String address) {
        return address.indexOf(':') >= 0 ? "IP6" : "IP4";
    }

    private static void line(StringBuilder sb, String s) {
        sb.append(s).append(CRLF);
    }
}
