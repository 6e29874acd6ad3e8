package org.duet.mixer.webrtc.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Real Chromium offers parse, negotiate and produce an answer that itself parses back correctly. */
class ChromiumOfferTest {

    private static final LocalDescription LOCAL = new LocalDescription(
            new IceCredentials("duetUfrg", "abcdefghijklmnopqrstuvwx"),
            Fingerprint.sha256Of(new byte[] {1, 2, 3}),
            List.of(new IceCandidate("1", 1, "udp", IceCandidate.priority(126, 65535, 1), "127.0.0.1", 40000,
                    "host", null, -1)),
            true, 123456789L, "duet-cname", "duet-stream", "duet-track", 42L);

    @Test
    void sendrecvOfferParsesWithEverythingWeNeed() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpTestOffers.load(SdpTestOffers.SENDRECV));
        assertThat(offer.mediaSections()).hasSize(1);
        assertThat(offer.bundleGroup()).containsExactly("0");
        MediaSection audio = offer.mediaSections().get(0);
        assertThat(audio.media()).isEqualTo("audio");
        assertThat(audio.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
        assertThat(audio.formats()).containsExactly("111", "63", "9", "0", "8", "13", "110", "126");

        Negotiation n = OfferNegotiator.negotiate(offer, MediaDirection.SENDRECV, SetupRole.PASSIVE);
        assertThat(n.mid()).isEqualTo("0");
        assertThat(n.opus()).isEqualTo(new OpusFormat(111, false, true, false, 10, 48000));
        assertThat(n.opus().channels()).isEqualTo(1);
        assertThat(n.audioLevelExtensionId()).isEqualTo(1);
        assertThat(n.absCaptureTimeExtensionId()).isZero(); // Chromium does not offer it by default
        assertThat(n.transportCcExtensionId()).isEqualTo(3); // extmap:3 and a=rtcp-fb:111 transport-cc
        assertThat(n.remoteIce()).isEqualTo(new IceCredentials("qROl", "tCTHbPiRQ0lpVUqOL+9RcGCu"));
        assertThat(n.remoteFingerprints()).hasSize(1);
        assertThat(n.remoteFingerprints().get(0).attributeValue()).isEqualTo(
                "sha-256 99:5C:E3:04:66:93:09:A7:F1:69:0D:0A:FC:EC:90:E1:CE:14:BF:CF:4B:A8:73:D0:62:F3:9F:60:55:E5:A1:CF");
        assertThat(n.localSetup()).isEqualTo(SetupRole.PASSIVE);
        assertThat(n.dtlsClient()).isFalse();
        assertThat(n.offerDirection()).isEqualTo(MediaDirection.SENDRECV);
        assertThat(n.answerDirection()).isEqualTo(MediaDirection.SENDRECV);
        assertThat(n.remoteSsrc()).isEqualTo(3309861707L);
        assertThat(n.remoteCname()).isEqualTo("4DSo6RIbcGsYB5dc");
        assertThat(n.remoteCandidates()).isEmpty();
    }

    @Test
    void singerAnswerIsOpusOnlyIceLiteAndParsesBack() throws Exception {
        Negotiation n = OfferNegotiator.negotiate(
                SessionDescription.parse(SdpTestOffers.load(SdpTestOffers.SENDRECV)), MediaDirection.SENDRECV,
                SetupRole.PASSIVE);
        String answerText = AnswerWriter.write(n, LOCAL);
        assertThat(answerText).endsWith("\r\n").doesNotContain("\n\n");
        SessionDescription answer = SessionDescription.parse(answerText);

        assertThat(answer.sessionAttribute("ice-lite")).isEqualTo("");
        assertThat(answer.bundleGroup()).containsExactly("0");
        MediaSection a = answer.mediaSections().get(0);
        assertThat(a.toString()).isEqualTo("m=audio 40000 UDP/TLS/RTP/SAVPF 111");
        assertThat(a.connectionAddress()).isEqualTo("127.0.0.1");
        assertThat(a.attribute("rtpmap")).isEqualTo("111 opus/48000/2");
        assertThat(a.attributes("rtpmap")).hasSize(1);
        assertThat(a.attribute("fmtp")).isEqualTo("111 minptime=10;useinbandfec=1");
        assertThat(a.attributes("extmap")).containsExactly("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
        assertThat(a.attributes("rtcp-fb")).containsExactly("111 transport-cc");
        assertThat(a.direction()).isEqualTo(MediaDirection.SENDRECV);
        assertThat(a.attribute("setup")).isEqualTo("passive");
        assertThat(a.attribute("ice-ufrag")).isEqualTo("duetUfrg");
        assertThat(a.attribute("ice-pwd")).isEqualTo("abcdefghijklmnopqrstuvwx");
        assertThat(Fingerprint.parse(a.attribute("fingerprint"))).isEqualTo(LOCAL.fingerprint());
        assertThat(a.mid()).isEqualTo("0");
        assertThat(a.has("rtcp-mux")).isTrue();
        assertThat(a.attribute("msid")).isEqualTo("duet-stream duet-track");
        assertThat(a.attributes("ssrc")).containsExactly("123456789 cname:duet-cname",
                "123456789 msid:duet-stream duet-track");
        assertThat(IceCandidate.parse(a.attribute("candidate")))
                .isEqualTo(LOCAL.candidates().get(0));
        assertThat(a.has("end-of-candidates")).isTrue();
    }

    @Test
    void transportCcNeedsBothTheExtensionAndTheFeedbackMessage() throws Exception {
        String offer = SdpTestOffers.load(SdpTestOffers.SENDRECV).replace("a=rtcp-fb:111 transport-cc\r\n", "");
        Negotiation n = OfferNegotiator.negotiate(SessionDescription.parse(offer), MediaDirection.SENDRECV,
                SetupRole.PASSIVE);
        assertThat(n.transportCcExtensionId()).as("extension offered, feedback not: nothing would come back").isZero();
        MediaSection a = SessionDescription.parse(AnswerWriter.write(n, LOCAL)).mediaSections().get(0);
        assertThat(a.attributes("rtcp-fb")).isEmpty();
        assertThat(a.attributes("extmap")).containsExactly("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    }

    @Test
    void recvonlyOfferGetsASendonlyListenerAnswer() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpTestOffers.load(SdpTestOffers.RECVONLY));
        Negotiation n = OfferNegotiator.negotiate(offer, MediaDirection.SENDONLY, SetupRole.PASSIVE);
        assertThat(n.offerDirection()).isEqualTo(MediaDirection.RECVONLY);
        assertThat(n.answerDirection()).isEqualTo(MediaDirection.SENDONLY);
        assertThat(n.remoteSsrc()).isEqualTo(-1);
        MediaSection a = SessionDescription.parse(AnswerWriter.write(n, LOCAL)).mediaSections().get(0);
        assertThat(a.direction()).isEqualTo(MediaDirection.SENDONLY);
        assertThat(a.attributes("ssrc")).hasSize(2);

        LocalDescription unannounced = new LocalDescription(LOCAL.ice(), LOCAL.fingerprint(), LOCAL.candidates(), true,
                -1, "duet-cname", "duet-stream", "duet-track", 42L);
        MediaSection b = SessionDescription.parse(AnswerWriter.write(n, unannounced)).mediaSections().get(0);
        assertThat(b.attributes("ssrc")).isEmpty();
        assertThat(b.attribute("msid")).isEqualTo("duet-stream duet-track");
    }

    @Test
    void recvonlyOfferCannotBeASinger() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpTestOffers.load(SdpTestOffers.RECVONLY));
        assertThatThrownBy(() -> OfferNegotiator.negotiate(offer, MediaDirection.SENDRECV, SetupRole.PASSIVE))
                .isInstanceOf(SdpException.class)
                .hasMessageContaining("singer's offer must send audio")
                .hasMessageContaining("recvonly");
    }

    @Test
    void dataChannelIsRejectedWithPortZeroAndLeftOutOfTheBundle() throws Exception {
        SessionDescription offer = SessionDescription.parse(SdpTestOffers.load(SdpTestOffers.WITH_DATA_CHANNEL));
        assertThat(offer.mediaSections()).hasSize(2);
        assertThat(offer.bundleGroup()).containsExactly("0", "1");
        Negotiation n = OfferNegotiator.negotiate(offer, MediaDirection.SENDRECV, SetupRole.PASSIVE);
        assertThat(n.rejected()).extracting(MediaSection::media).containsExactly("application");

        SessionDescription answer = SessionDescription.parse(AnswerWriter.write(n, LOCAL));
        assertThat(answer.bundleGroup()).containsExactly("0");
        assertThat(answer.mediaSections()).hasSize(2);
        MediaSection data = answer.mediaSections().get(1);
        assertThat(data.toString()).isEqualTo("m=application 0 UDP/DTLS/SCTP webrtc-datachannel");
        assertThat(data.mid()).isEqualTo("1");
        assertThat(data.has("ice-ufrag")).isFalse();
    }

    @Test
    void gatheredOfferCarriesItsCandidates() throws Exception {
        Negotiation n = OfferNegotiator.negotiate(
                SessionDescription.parse(SdpTestOffers.load(SdpTestOffers.GATHERED)), MediaDirection.SENDRECV,
                SetupRole.PASSIVE);
        assertThat(n.remoteCandidates()).hasSize(8);
        IceCandidate loopback = n.remoteCandidates().get(0);
        assertThat(loopback.address()).isEqualTo("127.0.0.1");
        assertThat(loopback.port()).isEqualTo(58761);
        assertThat(loopback.isUdp()).isTrue();
        assertThat(loopback.type()).isEqualTo("host");
        assertThat(loopback.priority()).isEqualTo(2122194687L);
        assertThat(n.remoteCandidates()).filteredOn(IceCandidate::isUdp).hasSize(4);
    }

    @Test
    void activeRoleWhenConfiguredOrWhenTheBrowserInsistsOnPassive() throws Exception {
        String offer = SdpTestOffers.load(SdpTestOffers.SENDRECV);
        assertThat(OfferNegotiator.negotiate(SessionDescription.parse(offer), MediaDirection.SENDRECV,
                SetupRole.ACTIVE).localSetup()).isEqualTo(SetupRole.ACTIVE);
        String passiveOffer = offer.replace("a=setup:actpass", "a=setup:passive");
        assertThat(OfferNegotiator.negotiate(SessionDescription.parse(passiveOffer), MediaDirection.SENDRECV,
                SetupRole.PASSIVE).localSetup()).isEqualTo(SetupRole.ACTIVE);
        String activeOffer = offer.replace("a=setup:actpass", "a=setup:active");
        assertThat(OfferNegotiator.negotiate(SessionDescription.parse(activeOffer), MediaDirection.SENDRECV,
                SetupRole.ACTIVE).localSetup()).isEqualTo(SetupRole.PASSIVE);
    }

    @Test
    void opusParametersAndAbsCaptureTimeAreHonouredAndReported() throws Exception {
        String offer = SdpTestOffers.load(SdpTestOffers.SENDRECV)
                .replace("a=fmtp:111 minptime=10;useinbandfec=1", "a=fmtp:111 minptime=20; useinbandfec=0;stereo=1;usedtx=1")
                .replace("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
                        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                                + "a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time");
        Negotiation n = OfferNegotiator.negotiate(SessionDescription.parse(offer), MediaDirection.SENDRECV,
                SetupRole.PASSIVE);
        assertThat(n.opus()).isEqualTo(new OpusFormat(111, true, false, true, 20, 48000));
        assertThat(n.opus().channels()).isEqualTo(2);
        assertThat(n.absCaptureTimeExtensionId()).isEqualTo(7);
        MediaSection a = SessionDescription.parse(AnswerWriter.write(n, LOCAL)).mediaSections().get(0);
        assertThat(a.attributes("extmap")).containsExactly("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "7 http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
                "3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
    }

    /**
     * Firefox writes its fingerprint, setup and ICE credentials at session level and gives extmap
     * directions; this offer follows its layout (typed after Firefox's format, not captured here).
     */
    @Test
    void firefoxStyleSessionLevelAttributesAndExtmapDirections() throws Exception {
        String offer = String.join("\r\n",
                "v=0",
                "o=mozilla...THIS_IS_SDPARTA-128.0 5486829043522735744 0 IN IP4 0.0.0.0",
                "s=-",
                "t=0 0",
                "a=fingerprint:sha-256 9D:A7:7B:D0:C0:45:2D:36:D8:36:76:DA:37:63:32:16:84:D8:91:DE:CD:83:8F:82:37:1B:AA:B7:39:A3:DF:81",
                "a=group:BUNDLE 0",
                "a=ice-options:trickle",
                "a=msid-semantic:WMS *",
                "m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101",
                "c=IN IP4 0.0.0.0",
                "a=sendrecv",
                "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level",
                "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
                "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1",
                "a=fmtp:101 0-15",
                "a=ice-pwd:2c4e6a2b1b5fd9f1d9f9c1a0e3e0e2f1",
                "a=ice-ufrag:8a1c2b3d",
                "a=mid:0",
                "a=msid:{5a7c1d0e-1111-2222-3333-444455556666} {0b1c2d3e-7777-8888-9999-aaaabbbbcccc}",
                "a=rtcp-mux",
                "a=rtpmap:109 opus/48000/2",
                "a=rtpmap:9 G722/8000/1",
                "a=rtpmap:0 PCMU/8000",
                "a=rtpmap:8 PCMA/8000",
                "a=rtpmap:101 telephone-event/8000/1",
                "a=setup:actpass",
                "a=ssrc:2655508255 cname:{6f1f4b8e-2222-4c3d-9e8f-0123456789ab}",
                "") + "\r\n";
        Negotiation n = OfferNegotiator.negotiate(SessionDescription.parse(offer), MediaDirection.SENDRECV,
                SetupRole.PASSIVE);
        assertThat(n.opus()).isEqualTo(new OpusFormat(109, true, true, false, 0, 48000));
        assertThat(n.opus().channels()).isEqualTo(2);
        assertThat(n.remoteIce()).isEqualTo(new IceCredentials("8a1c2b3d", "2c4e6a2b1b5fd9f1d9f9c1a0e3e0e2f1"));
        assertThat(n.remoteFingerprints()).hasSize(1);
        assertThat(n.localSetup()).isEqualTo(SetupRole.PASSIVE);
        assertThat(n.audioLevelExtensionId()).isEqualTo(1);
        assertThat(n.remoteSsrc()).isEqualTo(2655508255L);
        assertThat(n.remoteCname()).isEqualTo("{6f1f4b8e-2222-4c3d-9e8f-0123456789ab}");
        MediaSection a = SessionDescription.parse(AnswerWriter.write(n, LOCAL)).mediaSections().get(0);
        assertThat(a.toString()).isEqualTo("m=audio 40000 UDP/TLS/RTP/SAVPF 109");
    }
}
