package org.duet.mixer.webrtc.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.duet.mixer.webrtc.WebRtcConfig;
import org.duet.mixer.webrtc.WebRtcEndpointFactory;
import org.duet.mixer.webrtc.WebRtcSession;
import org.duet.mixer.webrtc.WebRtcState;
import org.duet.mixer.webrtc.sdp.MediaDirection;
import org.duet.mixer.webrtc.sdp.MediaSection;
import org.duet.mixer.webrtc.sdp.SdpTestOffers;
import org.duet.mixer.webrtc.sdp.SessionDescription;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.junit.jupiter.api.Test;

/**
 * A hand-made browser on a loopback socket: it checks (with the credentials from the real
 * Chromium offer and Duet's answer), nominates, then goes silent. The session must fail with the
 * consent reason (RFC 7675), not hang.
 */
class ConsentTest {

    @Test
    void aBrowserThatStopsCheckingLosesConsent() throws Exception {
        WebRtcEndpointFactory endpoints = new WebRtcEndpointFactory(WebRtcConfig.defaults()
                .withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(800)));
        String offer = SdpTestOffers.load(SdpTestOffers.SENDRECV); // ufrag qROl, pwd tCTHbPiRQ0lpVUqOL+9RcGCu
        try (WebRtcSession session = endpoints.create(offer, MediaDirection.SENDRECV);
             DatagramSocket browser = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            MediaSection answer = SessionDescription.parse(session.answerSdp()).mediaSections().get(0);
            String duetUfrag = answer.attribute("ice-ufrag");
            String duetPwd = answer.attribute("ice-pwd");

            Request check = MessageFactory.createBindingRequest();
            check.setTransactionID(new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2});
            check.putAttribute(AttributeFactory.createUsernameAttribute(duetUfrag + ":qROl"));
            check.putAttribute(AttributeFactory.createPriorityAttribute(1845501695L));
            check.putAttribute(AttributeFactory.createIceControllingAttribute(42L));
            check.putAttribute(AttributeFactory.createUseCandidateAttribute());
            byte[] body = check.encode(null);
            byte[] signed = Arrays.copyOf(body, body.length + 64);
            int len = StunIntegrity.sign(signed, body.length, duetPwd.getBytes(StandardCharsets.UTF_8));
            browser.send(new DatagramPacket(signed, len, session.localAddress()));

            byte[] in = new byte[512];
            DatagramPacket response = new DatagramPacket(in, in.length);
            browser.setSoTimeout(3000);
            browser.receive(response);
            Message m = Message.decode(in, 0, response.getLength());
            assertThat((int) m.getMessageType()).isEqualTo((int) Message.BINDING_SUCCESS_RESPONSE);
            assertThat(StunIntegrity.verify(in, 0, response.getLength(), duetPwd.getBytes(StandardCharsets.UTF_8))).isTrue();
            // The pair is recorded as the response goes out: give that a moment on a busy machine.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3))
                    .until(() -> session.stats().selectedPair() != null);
            assertThat(session.stats().selectedPair()).endsWith("-> 127.0.0.1:" + browser.getLocalPort());

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (session.state() != WebRtcState.FAILED && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(session.state()).isEqualTo(WebRtcState.FAILED);
            assertThat(session.failureReason()).startsWith("ICE consent expired");
        }
    }

    /** Checks without USE-CANDIDATE (libwebrtc may delay nominating) keep consent as long as they come. */
    @Test
    void checksWithoutNominationKeepConsentWhileTheyCome() throws Exception {
        WebRtcEndpointFactory endpoints = new WebRtcEndpointFactory(WebRtcConfig.defaults()
                .withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(1500)));
        String offer = SdpTestOffers.load(SdpTestOffers.SENDRECV);
        try (WebRtcSession session = endpoints.create(offer, MediaDirection.SENDRECV);
             DatagramSocket browser = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            MediaSection answer = SessionDescription.parse(session.answerSdp()).mediaSections().get(0);
            byte[] key = answer.attribute("ice-pwd").getBytes(StandardCharsets.UTF_8);
            String username = answer.attribute("ice-ufrag") + ":qROl";
            for (int i = 0; i < 12; i++) { // 3.6 s of checks every 300 ms, more than twice the consent timeout
                Request check = MessageFactory.createBindingRequest();
                check.setTransactionID(new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, (byte) i});
                check.putAttribute(AttributeFactory.createUsernameAttribute(username));
                check.putAttribute(AttributeFactory.createPriorityAttribute(1845501695L));
                check.putAttribute(AttributeFactory.createIceControllingAttribute(42L));
                byte[] body = check.encode(null);
                byte[] signed = Arrays.copyOf(body, body.length + 64);
                int len = StunIntegrity.sign(signed, body.length, key);
                browser.send(new DatagramPacket(signed, len, session.localAddress()));
                Thread.sleep(300);
                assertThat(session.state()).isEqualTo(WebRtcState.CONNECTING);
            }
            assertThat(session.stats().selectedPair()).isNull();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (session.state() != WebRtcState.FAILED && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(session.failureReason()).startsWith("ICE consent expired");
        }
    }
}
