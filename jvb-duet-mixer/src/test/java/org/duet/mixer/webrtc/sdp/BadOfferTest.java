package org.duet.mixer.webrtc.sdp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Offers Duet must refuse, each with a reason a user can act on. */
class BadOfferTest {

    private static final String GOOD = SdpTestOffers.load(SdpTestOffers.SENDRECV);

    private static void refused(String sdp, String reasonPart) {
        assertThatThrownBy(() -> OfferNegotiator.negotiate(SessionDescription.parse(sdp), MediaDirection.SENDRECV,
                SetupRole.PASSIVE))
                .isInstanceOf(SdpException.class)
                .hasMessageContaining(reasonPart);
    }

    private static String withoutLines(String sdp, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (String line : sdp.split("\r\n")) {
            if (!line.startsWith(prefix)) {
                sb.append(line).append("\r\n");
            }
        }
        return sb.toString();
    }

    @Test
    void noAudioSection() {
        String dataOnly = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
                + "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=mid:0\r\na=sctp-port:5000\r\n";
        refused(dataOnly, "no audio section");
        refused(GOOD.replace("m=audio 9", "m=audio 0"), "disabled (port 0)");
    }

    @Test
    void noOpus() {
        String sdp = GOOD.replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 G7221/16000");
        refused(sdp, "no Opus/48000/2");
        refused(sdp, "PCMU/8000");
        // Opus in rtpmap but not in the m= line's payload list
        refused(GOOD.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111 63", "m=audio 9 UDP/TLS/RTP/SAVPF 63"), "no Opus");
    }

    @Test
    void noFingerprint() {
        refused(withoutLines(GOOD, "a=fingerprint"), "no DTLS fingerprint");
        refused(GOOD.replace("a=fingerprint:sha-256 99:5C", "a=fingerprint:md5 99:5C"), "unsupported hash function 'md5'");
        refused(GOOD.replace("a=fingerprint:sha-256 99:5C:", "a=fingerprint:sha-256 "), "must have 32 hex pairs");
        refused(GOOD.replace("a=fingerprint:sha-256 99:5C", "a=fingerprint:sha-256 9Z:5C"), "malformed hex pair '9Z'");
    }

    @Test
    void noIceCredentials() {
        refused(withoutLines(GOOD, "a=ice-pwd"), "no ICE credentials");
        refused(withoutLines(GOOD, "a=ice-ufrag"), "no ICE credentials");
        refused(GOOD.replace("a=ice-ufrag:qROl", "a=ice-ufrag:q-R"), "a=ice-ufrag 'q-R' is invalid");
        refused(GOOD.replace("a=ice-pwd:tCTHbPiRQ0lpVUqOL+9RcGCu", "a=ice-pwd:short"), "a=ice-pwd is invalid");
    }

    @Test
    void plainRtpOrNoRtcpMux() {
        refused(GOOD.replace("UDP/TLS/RTP/SAVPF", "RTP/AVP"), "only accepts DTLS-SRTP");
        refused(withoutLines(GOOD, "a=rtcp-mux"), "rtcp-mux");
    }

    @Test
    void garbage() {
        refused("", "empty");
        refused("hello world", "first line must be 'v=0'");
        refused("\u0000\u0001\u00ff\u0013garbage\r\n", "first line must be 'v=0'");
        refused("v=0\r\nthis is not sdp\r\n", "line 2");
        refused("v=0\r\ns=-\r\no=- 1 2 IN IP4 127.0.0.1\r\nt=0 0\r\n", "second line must be 'o='");
        refused(GOOD.replace("t=0 0\r\n", ""), "t= line");
        refused(GOOD.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=audio nine UDP/TLS/RTP/SAVPF 111"), "port 'nine'");
        refused(GOOD.replace("a=rtpmap:111 opus/48000/2", "a=rtpmap:111opus/48000/2"), "a=rtpmap");
        refused(GOOD.replace("c=IN IP4 0.0.0.0", "c=IN IP9 0.0.0.0"), "c= must be");
        refused(GOOD.replace("a=mid:0\r\n", "a=mid:0\r\nc=IN IP4 0.0.0.0\r\n"), "out of order");
        refused(GOOD.replace("a=fmtp:111 minptime=10;", "a=fmtp:111 minptime=ten;"), "minptime=ten is not a number");
        refused(GOOD.replace("a=extmap:1 ", "a=extmap:15 "), "id 15");
        refused(GOOD + "a=" + "x".repeat(5000) + "\r\n", "longer than");
        refused("v=0\r\n" + "a=x\r\n".repeat(20000), "more than the");
    }

    @Test
    void holdconnAndBadSetup() {
        refused(GOOD.replace("a=setup:actpass", "a=setup:holdconn"), "holdconn");
        refused(GOOD.replace("a=setup:actpass", "a=setup:sideways"), "a=setup:sideways");
    }

    @Test
    void malformedCandidates() {
        String withCandidate = GOOD.replace("a=mid:0\r\n", "a=mid:0\r\na=candidate:1 1 udp 2122194687 127.0.0.1 port typ host\r\n");
        refused(withCandidate, "port 'port' is not a number");
        refused(GOOD.replace("a=mid:0\r\n", "a=mid:0\r\na=candidate:1 1 udp 5 127.0.0.1 9 kind host\r\n"), "'typ'");
    }

    /** Whatever is done to a real offer, parsing and negotiating only ever fail with SdpException. */
    @Test
    void mutatedOffersNeverThrowAnythingElse() {
        Random random = new Random(20261126L);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(GOOD);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations && sb.length() > 0; m++) {
                int at = random.nextInt(sb.length());
                char value = (char) random.nextInt(256);
                switch (random.nextInt(4)) {
                    case 0: sb.setCharAt(at, value); break;
                    case 1: sb.insert(at, value); break;
                    case 2: sb.insert(at, "\r\n"); break;
                    default: sb.delete(at, Math.min(sb.length(), at + 1 + random.nextInt(40))); break;
                }
            }
            try {
                OfferNegotiator.negotiate(SessionDescription.parse(sb.toString()), MediaDirection.SENDRECV,
                        SetupRole.PASSIVE);
            } catch (SdpException expected) {
                // a refusal with a reason is the only acceptable failure
            }
        }
    }
}
