package org.duet.bench.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.duet.mixer.webrtc.sdp.AnswerWriter;
import org.duet.mixer.webrtc.sdp.Fingerprint;
import org.duet.mixer.webrtc.sdp.IceCandidate;
import org.duet.mixer.webrtc.sdp.IceCredentials;
import org.duet.mixer.webrtc.sdp.LocalDescription;
import org.duet.mixer.webrtc.sdp.MediaDirection;
import org.duet.mixer.webrtc.sdp.Negotiation;
import org.duet.mixer.webrtc.sdp.OfferNegotiator;
import org.duet.mixer.webrtc.sdp.SdpException;
import org.duet.mixer.webrtc.sdp.SessionDescription;
import org.duet.mixer.webrtc.sdp.SetupRole;

/**
 * Browser SDP offers as the WebRTC transport takes them: parse, negotiate (Opus, ICE, DTLS
 * fingerprint, direction) and write the answer. Seeds are real Chromium offers (the test
 * resources of jvb-duet-mixer); a refusal is an {@link SdpException} with a sentence for the user.
 */
final class SdpTarget implements FuzzTarget {

    static final Path OFFERS = Path.of("jvb-duet-mixer/src/test/resources/webrtc");

    private final LocalDescription local = new LocalDescription(IceCredentials.random(),
            new Fingerprint("sha-256", new byte[32]),
            List.of(new IceCandidate("1", IceCandidate.COMPONENT_RTP, "udp", IceCandidate.priority(126, 65535, 1),
                    "127.0.0.1", 40_000, "host", null, -1)), true, 0x1234, "duet", "duet-s1", "duet-s1-audio", 1);
    private long sink;

    @Override
    public String name() {
        return "sdp";
    }

    @Override
    public List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(OFFERS)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".sdp")).sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new IllegalStateException("run from the repository root: the Chromium offers are read from "
                    + OFFERS.toAbsolutePath(), e);
        }
        return out;
    }

    @Override
    public List<byte[]> dictionary() {
        return Seeds.ascii("\r\n", "\n", "a=", "m=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\n", "m=application ",
                "a=rtpmap:111 opus/48000/2\r\n", "a=fmtp:111 minptime=10;useinbandfec=1\r\n", "a=mid:0\r\n",
                "a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:sha-256 ", "a=setup:actpass\r\n", "a=setup:active",
                "a=group:BUNDLE 0 1\r\n", "a=candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\r\n",
                "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", "a=sendrecv", "a=recvonly",
                "a=inactive", "a=rtcp-mux", "c=IN IP4 0.0.0.0\r\n", "o=- 1 2 IN IP4 127.0.0.1\r\n", "v=0\r\n",
                " ", ":", "/", "=", "4294967296", "-1", "65536", "\u0000");
    }

    @Override
    public int maxLength() {
        return 8192;
    }

    @Override
    public boolean run(byte[] b) {
        String sdp = new String(b, StandardCharsets.UTF_8);
        boolean accepted = false;
        // a singer's offer (we send and receive) and a listener's (we only send)
        for (MediaDirection wanted : new MediaDirection[] {MediaDirection.SENDRECV, MediaDirection.SENDONLY}) {
            try {
                Negotiation n = OfferNegotiator.negotiate(SessionDescription.parse(sdp), wanted, SetupRole.PASSIVE);
                sink += AnswerWriter.write(n, local).length();
                accepted = true;
            } catch (SdpException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    throw new BrokenContract("an SDP refusal without a reason", e);
                }
            }
        }
        return accepted;
    }

    @Override
    public void close() {
    }
}
