package org.duet.mixer.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.transport.PacketTransport;
import org.duet.mixer.webrtc.sdp.IceCandidate;
import org.duet.mixer.webrtc.sdp.Negotiation;
import org.duet.mixer.webrtc.sdp.OpusFormat;
import org.duet.mixer.webrtc.sdp.SdpException;

/**
 * One browser's WebRTC connection as signaling sees it: the SDP answer, what was negotiated, the
 * {@link PacketTransport} to hand to the engine, trickle ICE in both directions, state and stats.
 * Created by {@link WebRtcEndpointFactory#create}.
 */
public final class WebRtcSession implements AutoCloseable {

    private final String id;
    private final Negotiation negotiation;
    private final String answerSdp;
    private final long localSsrc;
    private final List<IceCandidate> localCandidates;
    private final WebRtcTransport transport;
    private final List<IceCandidate> remoteCandidates = new ArrayList<>();
    private final AtomicLong remoteCandidatesRejected = new AtomicLong();
    private volatile boolean remoteGatheringComplete;

    WebRtcSession(String id, Negotiation negotiation, String answerSdp, long localSsrc,
                  List<IceCandidate> localCandidates, WebRtcTransport transport) {
        this.id = id;
        this.negotiation = negotiation;
        this.answerSdp = answerSdp;
        this.localSsrc = localSsrc;
        this.localCandidates = List.copyOf(localCandidates);
        this.transport = transport;
        this.remoteCandidates.addAll(negotiation.remoteCandidates());
    }

    public String id() {
        return id;
    }

    /** The SDP answer to send back to the browser. */
    public String answerSdp() {
        return answerSdp;
    }

    /** Everything negotiated from the offer (direction, Opus parameters, extension ids, fingerprints...). */
    public Negotiation negotiation() {
        return negotiation;
    }

    /** Opus payload type and the browser's fmtp preferences (stereo, FEC, DTX, minptime). */
    public OpusFormat opus() {
        return negotiation.opus();
    }

    /**
     * What the engine needs from the negotiation ({@code Room.join}): Opus payload type, the
     * channels the browser wants to receive (2 only for {@code stereo=1}), whether it decodes
     * in-band FEC and accepts DTX, and the negotiated header extension ids (0 = not negotiated).
     */
    public MediaFormat mediaFormat() {
        OpusFormat o = negotiation.opus();
        return new MediaFormat(o.payloadType(), o.channels(), o.inbandFec(), o.dtx(),
                negotiation.audioLevelExtensionId(), negotiation.absCaptureTimeExtensionId())
                .withTransportCc(negotiation.transportCcExtensionId());
    }

    /** The a=mid of the audio m-section, to tag trickled candidates with; null if the offer had none. */
    public String mid() {
        return negotiation.mid();
    }

    /** The SSRC announced in the answer (a=ssrc) for the stream Duet sends, -1 when none was announced. */
    public long localSsrc() {
        return localSsrc;
    }

    /** The transport to pass to {@code Room.join}. */
    public PacketTransport transport() {
        return transport;
    }

    /** The socket's local address (what the host candidate advertises unless advertised-address differs). */
    public java.net.InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    /**
     * A candidate the browser trickled ({@code candidate:...} as in RTCIceCandidate.candidate, or
     * empty for end-of-candidates). As an ICE-lite agent Duet needs no remote candidates to
     * connect (it answers checks from wherever they come), so they are validated and recorded only.
     *
     * @throws SdpException when the candidate is malformed or for another m-section
     */
    public void addRemoteCandidate(String candidateAttr, String mid) throws SdpException {
        if (mid != null && negotiation.mid() != null && !mid.equals(negotiation.mid())) {
            remoteCandidatesRejected.incrementAndGet();
            throw new SdpException("candidate for m-section '" + mid + "', but only '" + negotiation.mid() + "' was accepted");
        }
        if (candidateAttr == null || candidateAttr.isBlank() || candidateAttr.trim().endsWith("end-of-candidates")) {
            remoteGatheringComplete = true;
            return;
        }
        IceCandidate c;
        try {
            c = IceCandidate.parse(candidateAttr);
        } catch (SdpException e) {
            remoteCandidatesRejected.incrementAndGet();
            throw e;
        }
        synchronized (remoteCandidates) {
            if (remoteCandidates.size() < 64) {
                remoteCandidates.add(c);
            }
        }
    }

    public List<IceCandidate> remoteCandidates() {
        synchronized (remoteCandidates) {
            return List.copyOf(remoteCandidates);
        }
    }

    public boolean remoteGatheringComplete() {
        return remoteGatheringComplete;
    }

    /**
     * Delivers Duet's candidates ({@code candidate:...}, for m-section {@link #mid()}) to signaling
     * for trickling. ICE-lite host candidates are all known when the session is created, so the
     * consumer is called right away, once per candidate; they are also in the answer.
     */
    public void onLocalCandidate(Consumer<String> consumer) {
        for (IceCandidate c : localCandidates) {
            consumer.accept(c.attributeValue());
        }
    }

    public List<IceCandidate> localCandidates() {
        return localCandidates;
    }

    /** Called on every state change, on the transport's receive or DTLS thread: keep it short. */
    public void onStateChange(Consumer<WebRtcState> listener) {
        transport.addStateListener(listener);
    }

    public WebRtcState state() {
        return transport.state();
    }

    /** Milliseconds since the browser's last consent check on the media path, -1 before the first. */
    public long consentAgeMillis() {
        return transport.consentAgeMillis();
    }

    /** Human-readable failure reason when {@link #state()} is FAILED (e.g. a DTLS fingerprint mismatch). */
    public String failureReason() {
        return transport.failure();
    }

    public WebRtcStats stats() {
        return transport.stats();
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "WebRtcSession[" + id + ", " + transport.describe() + ", " + state() + "]";
    }
}
