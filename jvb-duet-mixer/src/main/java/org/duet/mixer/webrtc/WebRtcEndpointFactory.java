package org.duet.mixer.webrtc;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.webrtc.dtls.DtlsCertificate;
import org.duet.mixer.webrtc.sdp.AnswerWriter;
import org.duet.mixer.webrtc.sdp.IceCandidate;
import org.duet.mixer.webrtc.sdp.IceCredentials;
import org.duet.mixer.webrtc.sdp.LocalDescription;
import org.duet.mixer.webrtc.sdp.MediaDirection;
import org.duet.mixer.webrtc.sdp.Negotiation;
import org.duet.mixer.webrtc.sdp.OfferNegotiator;
import org.duet.mixer.webrtc.sdp.SdpException;
import org.duet.mixer.webrtc.sdp.SessionDescription;

/**
 * Turns browser offers into {@link WebRtcSession}s: parses and negotiates the offer, opens the
 * session's UDP socket, writes the answer (ICE-lite, one host candidate) and starts the transport.
 * Holds the DTLS certificate, generated once at startup. Thread-safe.
 */
public final class WebRtcEndpointFactory {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebRtcConfig config;
    private final DtlsCertificate certificate;
    private final AtomicLong sessions = new AtomicLong();
    private final String cname;

    public WebRtcEndpointFactory(WebRtcConfig config) {
        this.config = config;
        this.certificate = DtlsCertificate.generate(config.certificateValidity());
        this.cname = "duet-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
        WarmUp.run(certificate, config.srtpProfiles());
    }

    /** Reads {@code duet.webrtc} from the whole configuration. */
    public WebRtcEndpointFactory(Config config) {
        this(WebRtcConfig.from(config));
    }

    /** Reads {@code duet.webrtc} from Duet's configuration (defaults for every missing key). */
    public WebRtcEndpointFactory(DuetConfig config) {
        this(WebRtcConfig.from(config.raw()));
    }

    public WebRtcConfig config() {
        return config;
    }

    /** Our certificate's fingerprint, as written in every answer. */
    public String fingerprint() {
        return certificate.fingerprint().attributeValue();
    }

    /**
     * As {@link #create(String, MediaDirection, long)} announcing no SSRC for Duet's stream: the
     * engine sends with an SSRC of its own per mix and forwards a singer's packets with theirs, so
     * the SSRC a browser receives changes; Chromium plays unannounced SSRCs on the single audio
     * m-section but, once an SSRC is announced, plays only that one.
     */
    public WebRtcSession create(String offerSdp, MediaDirection wanted) throws SdpException, IOException {
        return create(offerSdp, wanted, -1);
    }

    /**
     * @param offerSdp  the browser's offer
     * @param wanted    {@link MediaDirection#SENDRECV} for a singer, {@link MediaDirection#SENDONLY} for a listener
     * @param localSsrc the SSRC Duet will always send with, announced in the answer's a=ssrc lines; -1 for none
     * @throws SdpException when the offer cannot be accepted; its message is meant for the user
     * @throws IOException  when no UDP port could be bound
     */
    public WebRtcSession create(String offerSdp, MediaDirection wanted, long localSsrc)
            throws SdpException, IOException {
        Negotiation n = OfferNegotiator.negotiate(SessionDescription.parse(offerSdp), wanted, config.dtlsRole());
        String id = "s" + sessions.incrementAndGet();
        DatagramChannel channel = bind();
        boolean ok = false;
        try {
            InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
            IceCredentials localIce = IceCredentials.random();
            IceCandidate host = new IceCandidate("1", IceCandidate.COMPONENT_RTP, "udp",
                    IceCandidate.priority(126, 65535, IceCandidate.COMPONENT_RTP),
                    config.advertisedAddress().getHostAddress(), local.getPort(), "host", null, -1);
            List<IceCandidate> candidates = List.of(host);
            String streamId = "duet-" + id;
            LocalDescription ld = new LocalDescription(localIce, certificate.fingerprint(), candidates, true,
                    localSsrc, cname, streamId, streamId + "-audio", RANDOM.nextLong() & Long.MAX_VALUE);
            String answer = AnswerWriter.write(n, ld);
            WebRtcTransport transport = new WebRtcTransport(id, config, channel, localIce, n.remoteIce(),
                    certificate, n.remoteFingerprints(), n.dtlsClient(), config.srtpProfiles());
            WebRtcSession session = new WebRtcSession(id, n, answer, localSsrc, candidates, transport);
            transport.start();
            ok = true;
            return session;
        } finally {
            if (!ok) {
                channel.close();
            }
        }
    }

    private DatagramChannel bind() throws IOException {
        if (config.portMin() == 0) {
            DatagramChannel ch = DatagramChannel.open();
            ch.bind(new InetSocketAddress(config.bindAddress(), 0));
            return ch;
        }
        int span = config.portMax() - config.portMin() + 1;
        int start = RANDOM.nextInt(span);
        for (int i = 0; i < span; i++) {
            int port = config.portMin() + (start + i) % span;
            DatagramChannel ch = DatagramChannel.open();
            try {
                ch.bind(new InetSocketAddress(config.bindAddress(), port));
                return ch;
            } catch (BindException e) {
                ch.close();
            }
        }
        throw new IOException("no free UDP port in duet.webrtc.port-min..port-max ("
                + config.portMin() + ".." + config.portMax() + ") on " + config.bindAddress().getHostAddress());
    }

}
