package org.duet.mixer.webrtc.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.duet.mixer.webrtc.sdp.IceCredentials;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.junit.jupiter.api.Test;

/** The ICE-lite responder against requests built the way a browser builds them (RFC 8445 section 7.1.1). */
class IceLiteResponderTest {

    private static final IceCredentials DUET = new IceCredentials("duet", "duetpassworddisnotshort");
    private static final IceCredentials BROWSER = new IceCredentials("brow", "browserpasswordisnotshort");
    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 50123);

    /** A Binding request: USERNAME, PRIORITY, ICE-CONTROLLING, [USE-CANDIDATE], MESSAGE-INTEGRITY, FINGERPRINT. */
    private static byte[] request(String username, String password, boolean useCandidate) throws Exception {
        Request r = MessageFactory.createBindingRequest();
        r.setTransactionID(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        r.putAttribute(AttributeFactory.createUsernameAttribute(username));
        r.putAttribute(AttributeFactory.createPriorityAttribute(1845501695L));
        r.putAttribute(AttributeFactory.createIceControllingAttribute(0x1234567890L));
        if (useCandidate) {
            r.putAttribute(AttributeFactory.createUseCandidateAttribute());
        }
        byte[] body = r.encode(null);
        byte[] out = new byte[body.length + 64];
        System.arraycopy(body, 0, out, 0, body.length);
        int len = StunIntegrity.sign(out, body.length, password.getBytes(StandardCharsets.UTF_8));
        return java.util.Arrays.copyOf(out, len);
    }

    @Test
    void answersAnAuthenticatedCheckWithASignedResponse() throws Exception {
        IceLiteResponder responder = new IceLiteResponder(DUET, BROWSER);
        byte[] req = request("duet:brow", DUET.pwd(), false);
        byte[] out = new byte[512];
        int[] len = new int[1];
        assertThat(responder.handle(req, 0, req.length, FROM, out, len)).isEqualTo(IceLiteResponder.Outcome.RESPONDED);

        Message response = Message.decode(out, 0, len[0]); // ice4j checks the FINGERPRINT
        assertThat((int) response.getMessageType()).isEqualTo((int) Message.BINDING_SUCCESS_RESPONSE);
        assertThat(response.getTransactionID()).isEqualTo(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        XorMappedAddressAttribute mapped = (XorMappedAddressAttribute) response.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        assertThat(mapped.getAddress(response.getTransactionID()).getPort()).isEqualTo(50123);
        assertThat(mapped.getAddress(response.getTransactionID()).getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(StunIntegrity.verify(out, 0, len[0], DUET.pwd().getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(StunIntegrity.verify(out, 0, len[0], BROWSER.pwd().getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void useCandidateNominates() throws Exception {
        IceLiteResponder responder = new IceLiteResponder(DUET, BROWSER);
        byte[] req = request("duet:brow", DUET.pwd(), true);
        assertThat(responder.handle(req, 0, req.length, FROM, new byte[512], new int[1]))
                .isEqualTo(IceLiteResponder.Outcome.NOMINATED);
    }

    @Test
    void wrongUsernamePasswordOrBitsAreRejectedAndCounted() throws Exception {
        IceLiteResponder responder = new IceLiteResponder(DUET, BROWSER);
        byte[] out = new byte[512];
        int[] len = new int[1];
        byte[] wrongUser = request("duet:evil", DUET.pwd(), true);
        byte[] wrongPassword = request("duet:brow", "notthepasswordatallreally", true);
        byte[] flipped = request("duet:brow", DUET.pwd(), true);
        flipped[30] ^= 0x10; // inside an attribute: the fingerprint no longer matches
        byte[] truncated = java.util.Arrays.copyOf(request("duet:brow", DUET.pwd(), true), 40);
        for (byte[] r : new byte[][] {wrongUser, wrongPassword, flipped, truncated}) {
            assertThat(responder.handle(r, 0, r.length, FROM, out, len)).isEqualTo(IceLiteResponder.Outcome.REJECTED);
        }
        assertThat(responder.rejected()).isEqualTo(4);
        assertThat(responder.lastRejection()).isNotNull();
    }
}
