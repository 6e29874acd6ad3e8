package org.duet.mixer.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpWriter;
import org.duet.mixer.webrtc.sdp.MediaDirection;
import org.duet.mixer.webrtc.sdp.SetupRole;
import org.duet.mixer.webrtc.srtp.SrtpProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Duet's WebRTC transport against a real libwebrtc peer on loopback: ICE-lite, DTLS 1.2 in both
 * roles, SRTP both ways with real Opus audio checked after decoding.
 */
class WebRtcTransportTest {

    private static WebRtcEndpointFactory endpoints;

    @BeforeAll
    static void createFactory() {
        endpoints = new WebRtcEndpointFactory(org.duet.mixer.config.DuetConfig.withOverrides(
                "duet.webrtc.bind-address = \"127.0.0.1\""));
    }

    @AfterAll
    static void nothingToClose() {
        endpoints = null;
    }

    /** Collects copies of received plaintext packets (test code: allocation is fine here). */
    private static final class Collector implements org.duet.mixer.transport.PacketReceiver {
        final List<byte[]> rtp = new CopyOnWriteArrayList<>();
        final AtomicLong rtcp = new AtomicLong();

        @Override
        public void onPacket(byte[] buf, int off, int len, boolean isRtcp, long arrivalNanos) {
            if (isRtcp) {
                rtcp.incrementAndGet();
                return;
            }
            byte[] copy = new byte[len];
            System.arraycopy(buf, off, copy, 0, len);
            rtp.add(copy);
        }
    }

    private static void await(String what, long timeoutMillis, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void singerToneArrivesDecryptedAndDecodesToTheTone() throws Exception {
        try (LibWebRtcPeer peer = LibWebRtcPeer.singer()) {
            WebRtcSession session = endpoints.create(peer.createOffer(), MediaDirection.SENDRECV);
            Collector collector = new Collector();
            session.transport().setReceiver(collector);
            List<WebRtcState> states = new CopyOnWriteArrayList<>();
            session.onStateChange(states::add);
            peer.setAnswer(session.answerSdp());
            // trickle our (already answered) candidate too, as signaling would
            session.onLocalCandidate(c -> peer.addRemoteCandidate(session.mid(), c));
            peer.startTone(440, 0.5);

            assertThat(session.mediaFormat().withTransportCc(0))
                    .isEqualTo(new org.duet.mixer.format.MediaFormat(111, 1, true, false, 1, 0));
            assertThat(session.mediaFormat().transportCcExtensionId()).as("libwebrtc offers transport-cc").isPositive();
            await("150 RTP packets from the peer", 15_000, () -> collector.rtp.size() >= 150);
            assertThat(states).containsSubsequence(WebRtcState.CONNECTING, WebRtcState.CONNECTED);

            OpusDecoder decoder = OpusCodecs.newDecoder(1);
            RtpPacket rtp = new RtpPacket();
            short[] pcm = new short[48000 * 10];
            int samples = 0;
            int withAudioLevel = 0;
            int previousSeq = -1;
            for (byte[] p : collector.rtp) {
                assertThat(rtp.parse(p, 0, p.length)).isEqualTo(RtpDropReason.NONE);
                assertThat(rtp.payloadType()).isEqualTo(session.opus().payloadType());
                if (rtp.extensionOffset(session.negotiation().audioLevelExtensionId()) >= 0) {
                    withAudioLevel++;
                }
                if (previousSeq >= 0) {
                    assertThat(rtp.sequenceNumber()).isEqualTo((previousSeq + 1) & 0xFFFF); // loopback: no loss, no reorder
                }
                previousSeq = rtp.sequenceNumber();
                int n = decoder.decode(p, rtp.payloadOffset(), rtp.payloadLength(), pcm, samples, 5760);
                assertThat(n).isPositive();
                samples += n;
                if (samples > pcm.length - 5760) {
                    break;
                }
            }
            decoder.close();
            assertThat(withAudioLevel).as("packets carrying the negotiated audio-level extension").isGreaterThan(100);
            // skip the first second (encoder start-up), analyse the rest
            int from = 48000;
            assertThat(samples).isGreaterThan(from + 48000);
            assertThat(ToneAnalysis.dominantHz(pcm, from, samples, 48000)).isBetween(435.0, 445.0);
            assertThat(ToneAnalysis.rms(pcm, from, samples)).isBetween(0.2, 0.5); // 0.5 peak sine: 0.354 RMS

            await("RTCP from the peer", 10_000, () -> collector.rtcp.get() > 0);
            WebRtcStats stats = session.stats();
            assertThat(stats.state()).isEqualTo(WebRtcState.CONNECTED);
            assertThat(stats.dtlsRole()).isEqualTo("server");
            assertThat(stats.srtpProfile()).isEqualTo("AEAD_AES_128_GCM");
            assertThat(stats.selectedPair()).startsWith("udp 127.0.0.1:").contains("-> 127.0.0.1:");
            assertThat(stats.rtpPacketsIn()).isGreaterThanOrEqualTo(150);
            assertThat(stats.srtpAuthFailures()).isZero();
            assertThat(stats.stunRequests()).isPositive();
            session.close();
            assertThat(session.state()).isEqualTo(WebRtcState.CLOSED);
        }
    }

    @Test
    void listenerHearsTheToneDuetSends() throws Exception {
        try (LibWebRtcPeer peer = LibWebRtcPeer.listener()) {
            WebRtcSession session = endpoints.create(peer.createOffer(), MediaDirection.SENDONLY);
            assertThat(session.negotiation().answerDirection()).isEqualTo(MediaDirection.SENDONLY);
            // no SSRC announced: the peer must play whatever SSRC the engine sends with
            assertThat(session.localSsrc()).isEqualTo(-1);
            assertThat(session.answerSdp()).doesNotContain("a=ssrc:");
            peer.setAnswer(session.answerSdp());
            await("DTLS done", 10_000, () -> session.state() == WebRtcState.CONNECTED);

            OpusEncoder encoder = OpusCodecs.newEncoder(OpusSettings.music(1));
            short[] frame = new short[960];
            byte[] packet = new byte[1500];
            RtpWriter writer = new RtpWriter();
            int pt = session.opus().payloadType();
            long next = System.nanoTime();
            long n = 0;
            double levelWhileSending = 0;
            // 4 s of 20 ms frames, paced in real time. Halfway the stream changes SSRC, tone and
            // sequence/timestamp base, as the engine's output does when it switches from forwarding a
            // singer's packets to its own mix: the browser must follow.
            for (int i = 0; i < 200; i++) {
                if (i == 150) {
                    levelWhileSending = peer.stat("inbound-rtp", "audioLevel"); // the most recent frame's level
                }
                boolean second = i >= 100;
                double hz = second ? 880 : 660;
                for (int k = 0; k < 960; k++, n++) {
                    frame[k] = (short) Math.round(0.4 * 32767 * Math.sin(2 * Math.PI * hz * n / 48000.0));
                }
                int header = writer.reset().payloadType(pt)
                        .sequenceNumber(second ? 5000 + i : 1000 + i)
                        .timestamp(second ? 123_456L + 960L * i : 960L * i)
                        .ssrc(second ? 0x0D0E7002L : 0x0D0E7001L).marker(i == 0 || i == 100).write(packet, 0);
                int len = encoder.encode(frame, 0, 960, packet, header, packet.length - header);
                assertThat(len).isPositive();
                session.transport().sendRtp(packet, 0, header + len);
                next += 20_000_000L;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            encoder.close();

            // libwebrtc keeps stats for the SSRC it currently plays: the second one
            await("the peer's inbound-rtp count for the second SSRC", 5_000, () -> {
                try {
                    return peer.stats("inbound-rtp").stream().anyMatch(m -> ((Number) m.get("ssrc")).longValue() == 0x0D0E7002L
                            && ((Number) m.getOrDefault("packetsReceived", 0)).doubleValue() >= 90);
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(levelWhileSending).isGreaterThan(0.1); // 0.4 peak sine: about 0.3

            // Playout runs before and after our stream (silence). The first tone is analysed from half
            // a second after it starts, the second up to a fifth of a second before the sound ends.
            short[] heard = peer.receivedPcm();
            int onset = 0;
            while (onset < heard.length && Math.abs(heard[onset]) < 1000) {
                onset++;
            }
            int end = heard.length - 1;
            while (end > onset && Math.abs(heard[end]) < 1000) {
                end--;
            }
            assertThat(end - onset).as("samples of tone heard").isGreaterThan(3 * 48000);
            int first = onset + 24000;
            int last = end - 9600 - 48000;
            assertThat(ToneAnalysis.dominantHz(heard, first, first + 48000, 48000)).isBetween(655.0, 665.0);
            assertThat(ToneAnalysis.dominantHz(heard, last, last + 48000, 48000)).isBetween(875.0, 885.0);
            assertThat(ToneAnalysis.rms(heard, last, last + 48000)).isBetween(0.15, 0.45); // 0.4 peak: 0.28 RMS
            assertThat(session.stats().rtpPacketsOut()).isEqualTo(200);
            session.close();
        }
    }

    /**
     * transport-cc with a real libwebrtc receiver: packets stamped with transport-wide sequence
     * numbers on the negotiated extension come back as RTPFB FMT 15 feedback that parses and reports
     * the numbers we sent.
     */
    @Test
    void libwebrtcSendsTransportWideFeedbackForStampedPackets() throws Exception {
        try (LibWebRtcPeer peer = LibWebRtcPeer.listener()) {
            WebRtcSession session = endpoints.create(peer.createOffer(), MediaDirection.SENDONLY);
            int ext = session.negotiation().transportCcExtensionId();
            assertThat(ext).as("transport-cc negotiated").isPositive();
            assertThat(session.answerSdp()).contains("a=rtcp-fb:" + session.opus().payloadType() + " transport-cc");
            java.util.Set<Integer> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicLong feedbacks = new AtomicLong();
            org.duet.mixer.rtcp.RtcpParser parser = new org.duet.mixer.rtcp.RtcpParser();
            org.duet.mixer.rtcp.TransportFeedback tf = new org.duet.mixer.rtcp.TransportFeedback();
            session.transport().setReceiver((buf, off, len, isRtcp, arrival) -> {
                if (!isRtcp) {
                    return;
                }
                parser.parse(buf, off, len, new org.duet.mixer.rtcp.RtcpListener() {
                    @Override
                    public void onOtherPacket(int type, int count, byte[] b, int o, int l) {
                        if (type == 205 && count == 15
                                && tf.parse(b, o, l) == org.duet.mixer.rtcp.TransportFeedback.Problem.NONE) {
                            feedbacks.incrementAndGet();
                            tf.emit((seq, received, at) -> {
                                if (received) {
                                    reported.add(seq);
                                }
                            });
                        }
                    }
                });
            });
            peer.setAnswer(session.answerSdp());
            await("DTLS done", 10_000, () -> session.state() == WebRtcState.CONNECTED);
            OpusEncoder encoder = OpusCodecs.newEncoder(OpusSettings.music(1));
            short[] frame = new short[960];
            byte[] packet = new byte[1500];
            RtpWriter writer = new RtpWriter();
            long next = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                for (int k = 0; k < 960; k++) {
                    frame[k] = (short) Math.round(0.3 * 32767 * Math.sin(2 * Math.PI * 440 * (960 * i + k) / 48000.0));
                }
                int header = writer.reset().payloadType(session.opus().payloadType()).sequenceNumber(700 + i)
                        .timestamp(960L * i).ssrc(0x7CC00001L).marker(i == 0).addTransportSequence(ext, 40 + i)
                        .write(packet, 0);
                int len = encoder.encode(frame, 0, 960, packet, header, packet.length - header);
                session.transport().sendRtp(packet, 0, header + len);
                next += 20_000_000L;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            encoder.close();
            await("transport-wide feedback for most packets", 5_000, () -> reported.size() >= 80);
            System.out.printf("libwebrtc transport-cc: %d feedback packets, %d of 100 packets reported received%n",
                    feedbacks.get(), reported.size());
            assertThat(reported).allMatch(seq -> seq >= 40 && seq < 140);
            session.close();
        }
    }

    @Test
    void duetAsDtlsClientWithAesCounterMode() throws Exception {
        WebRtcEndpointFactory active = new WebRtcEndpointFactory(WebRtcConfig.defaults()
                .withDtlsRole(SetupRole.ACTIVE).withSrtpProfiles(List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80)));
        try (LibWebRtcPeer peer = LibWebRtcPeer.singer()) {
            WebRtcSession session = active.create(peer.createOffer(), MediaDirection.SENDRECV);
            assertThat(session.answerSdp()).contains("a=setup:active\r\n");
            Collector collector = new Collector();
            session.transport().setReceiver(collector);
            peer.setAnswer(session.answerSdp());
            peer.startTone(300, 0.3);
            await("RTP as DTLS client", 15_000, () -> collector.rtp.size() >= 50);
            WebRtcStats stats = session.stats();
            assertThat(stats.dtlsRole()).isEqualTo("client");
            assertThat(stats.srtpProfile()).isEqualTo("AES_CM_128_HMAC_SHA1_80");
            assertThat(peer.stats("transport").get(0).get("srtpCipher")).isEqualTo("AES_CM_128_HMAC_SHA1_80");
            session.close();
        }
    }

    @Test
    void wrongFingerprintIsRefused() throws Exception {
        try (LibWebRtcPeer peer = LibWebRtcPeer.singer()) {
            String offer = peer.createOffer();
            // keep the format, change the digest: the peer's real certificate no longer matches
            String forged = offer.replaceAll("(a=fingerprint:sha-256 )([0-9A-F]{2})",
                    "$1" + "00".replace("00", "AA")).replaceFirst("a=fingerprint:sha-256 AA", "a=fingerprint:sha-256 AB");
            assertThat(forged).isNotEqualTo(offer);
            WebRtcSession session = endpoints.create(forged, MediaDirection.SENDRECV);
            Collector collector = new Collector();
            session.transport().setReceiver(collector);
            peer.setAnswer(session.answerSdp());
            peer.startTone(440, 0.3);
            await("the session to fail", 15_000, () -> session.state() == WebRtcState.FAILED);
            assertThat(session.failureReason()).contains("DTLS fingerprint mismatch").contains("connection refused");
            Thread.sleep(300);
            assertThat(collector.rtp).isEmpty();
            assertThat(session.stats().srtpProfile()).isNull();
            session.close();
        }
    }

    @Test
    void garbageIsCountedAndDroppedWithoutDisturbingTheSession() throws Exception {
        try (LibWebRtcPeer peer = LibWebRtcPeer.singer(); DatagramSocket attacker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            WebRtcSession session = endpoints.create(peer.createOffer(), MediaDirection.SENDRECV);
            Collector collector = new Collector();
            session.transport().setReceiver(collector);
            peer.setAnswer(session.answerSdp());
            peer.startTone(440, 0.3);
            await("media flowing", 15_000, () -> collector.rtp.size() >= 25);

            java.util.Random random = new java.util.Random(7);
            List<byte[]> junk = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                byte[] b = new byte[20 + random.nextInt(200)];
                random.nextBytes(b);
                b[0] = (byte) (64 + random.nextInt(64)); // 64..127: no protocol of ours
                junk.add(b);
            }
            byte[] fakeRtp = new byte[120];
            random.nextBytes(fakeRtp);
            fakeRtp[0] = (byte) 0x80;
            fakeRtp[1] = 111;
            byte[] fakeDtls = new byte[80];
            random.nextBytes(fakeDtls);
            fakeDtls[0] = 22;
            byte[] fakeStun = new byte[44];
            random.nextBytes(fakeStun);
            fakeStun[0] = 0;
            fakeStun[1] = 1;
            byte[] oversize = new byte[1400 + 300];
            oversize[0] = (byte) 0x80;
            java.net.InetSocketAddress target = session.localAddress();
            for (byte[] b : junk) {
                attacker.send(new DatagramPacket(b, b.length, target));
            }
            for (int i = 0; i < 10; i++) {
                attacker.send(new DatagramPacket(fakeRtp, fakeRtp.length, target));
                attacker.send(new DatagramPacket(fakeDtls, fakeDtls.length, target));
                attacker.send(new DatagramPacket(fakeStun, fakeStun.length, target));
            }
            attacker.send(new DatagramPacket(oversize, oversize.length, target));
            attacker.send(new DatagramPacket(new byte[0], 0, target));

            await("all junk counted", 5_000, () -> {
                WebRtcStats s = session.stats();
                return s.garbage() >= 52 && s.unknownSource() >= 20 && s.stunRejected() >= 10;
            });
            int before = collector.rtp.size();
            await("media still flowing", 5_000, () -> collector.rtp.size() >= before + 50);
            WebRtcStats stats = session.stats();
            assertThat(stats.state()).isEqualTo(WebRtcState.CONNECTED);
            assertThat(stats.garbage()).isEqualTo(52); // 50 junk + oversize + empty
            assertThat(stats.unknownSource()).isEqualTo(20); // fake RTP and DTLS from an unchecked address
            assertThat(stats.stunRejected()).isEqualTo(10);
            assertThat(stats.srtpAuthFailures()).isZero();
            session.close();
        }
    }

    @Test
    void noBrowserChecksMeansFailedWithAReason() throws Exception {
        WebRtcEndpointFactory impatient = new WebRtcEndpointFactory(WebRtcConfig.defaults()
                .withTimeouts(java.time.Duration.ofMillis(300), java.time.Duration.ofSeconds(30)));
        String offer = org.duet.mixer.webrtc.sdp.SdpTestOffers.load(org.duet.mixer.webrtc.sdp.SdpTestOffers.SENDRECV);
        WebRtcSession session = impatient.create(offer, MediaDirection.SENDRECV);
        await("ICE timeout", 5_000, () -> session.state() == WebRtcState.FAILED);
        assertThat(session.failureReason()).startsWith("ICE: no authenticated connectivity check");
        // sending before keys exist is dropped and counted, never thrown
        session.transport().sendRtp(new byte[40], 0, 40);
        assertThat(session.stats().notReady()).isEqualTo(1);
        session.close();
        assertThat(session.state()).isEqualTo(WebRtcState.FAILED); // a failure stays the final word
    }

    @Test
    void dataChannelInTheOfferIsRejectedAndAudioStillConnects() throws Exception {
        try (LibWebRtcPeer peer = LibWebRtcPeer.singerWithDataChannel()) {
            String offer = peer.createOffer();
            assertThat(offer).contains("m=application");
            WebRtcSession session = endpoints.create(offer, MediaDirection.SENDRECV);
            assertThat(session.answerSdp()).contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n");
            Collector collector = new Collector();
            session.transport().setReceiver(collector);
            peer.setAnswer(session.answerSdp()); // libwebrtc accepts the rejection
            peer.startTone(440, 0.3);
            await("audio despite the rejected data channel", 15_000, () -> collector.rtp.size() >= 25);
            session.close();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "dtls-linger {0} ms")
    @org.junit.jupiter.params.provider.ValueSource(longs = {10_000, 100})
    void aPeerThatGoesAwayEndsTheSession(long lingerMillis) throws Exception {
        // with a short linger the handshake thread has ended when the peer leaves: the receive
        // thread must recognise the alert record itself
        WebRtcEndpointFactory quick = new WebRtcEndpointFactory(WebRtcConfig.defaults()
                .withTimeouts(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(2))
                .withDtlsLinger(java.time.Duration.ofMillis(lingerMillis)));
        LibWebRtcPeer peer = LibWebRtcPeer.singer();
        WebRtcSession session = quick.create(peer.createOffer(), MediaDirection.SENDRECV);
        Collector collector = new Collector();
        session.transport().setReceiver(collector);
        peer.setAnswer(session.answerSdp());
        peer.startTone(440, 0.3);
        await("media", 15_000, () -> collector.rtp.size() >= 25);
        peer.close();
        // libwebrtc sends a DTLS close_notify: CLOSED, well before the 2 s consent timeout (a
        // browser that just vanishes runs into that: FAILED, see ice.ConsentTest)
        await("the session to end", 6_000, () -> session.state() != WebRtcState.CONNECTED);
        assertThat(session.state()).isEqualTo(WebRtcState.CLOSED);
        assertThat(session.stats().dtlsState()).isEqualTo("CLOSED");
        session.close();
    }
}
