package org.duet.mixer.web;

import java.util.function.Consumer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.signaling.ErrorCode;
import org.duet.mixer.signaling.IceCandidate;
import org.duet.mixer.signaling.SignalingException;
import org.duet.mixer.signaling.WebRtcPeer;
import org.duet.mixer.transport.PacketTransport;
import org.duet.mixer.webrtc.WebRtcSession;
import org.duet.mixer.webrtc.sdp.Negotiation;
import org.duet.mixer.webrtc.sdp.SdpException;

/** Signaling's view of one {@link WebRtcSession} (package {@code webrtc}). */
final class WebRtcSessionPeer implements WebRtcPeer {

    private final WebRtcSession session;
    private final MediaFormat format;

    WebRtcSessionPeer(WebRtcSession session) {
        this.session = session;
        Negotiation n = session.negotiation();
        this.format = new MediaFormat(n.opus().payloadType(), n.opus().channels(), n.opus().inbandFec(),
                n.opus().dtx(), n.audioLevelExtensionId(), n.absCaptureTimeExtensionId())
                .withTransportCc(n.transportCcExtensionId());
    }

    @Override
    public String answerSdp() {
        // The answer announces an SSRC (a=ssrc) that the engine does not send with: the engine picks
        // its own per output, and forwards a singer's packets with theirs. Chromium binds the
        // track to an announced SSRC and plays nothing else (measured: silence), so the announcement
        // is dropped and Chromium plays whatever SSRC arrives on this m-section.
        return session.answerSdp().replaceAll("(?m)^a=ssrc:[^\r\n]*\r?\n", "");
    }

    @Override
    public MediaFormat mediaFormat() {
        return format;
    }

    @Override
    public PacketTransport transport() {
        return session.transport();
    }

    @Override
    public void addRemoteCandidate(IceCandidate candidate) throws SignalingException {
        try {
            session.addRemoteCandidate(candidate.candidate(), candidate.sdpMid());
        } catch (SdpException e) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "ICE candidate refused: " + e.getMessage());
        }
    }

    @Override
    public void trickleLocalCandidates(Consumer<IceCandidate> consumer) {
        // The page offers exactly one m-section (audio), so its index is 0; the mid names it too.
        session.onLocalCandidate(c -> consumer.accept(
                new IceCandidate(c.startsWith("candidate:") ? c : "candidate:" + c, session.mid(), 0)));
        consumer.accept(new IceCandidate("", session.mid(), 0));
    }

    @Override
    public String connectionState() {
        return session.state().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void onEnded(Consumer<String> listener) {
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        Consumer<org.duet.mixer.webrtc.WebRtcState> onState = s -> {
            if ((s == org.duet.mixer.webrtc.WebRtcState.FAILED || s == org.duet.mixer.webrtc.WebRtcState.CLOSED)
                    && told.compareAndSet(false, true)) {
                listener.accept(s == org.duet.mixer.webrtc.WebRtcState.FAILED
                        ? "the audio connection failed: " + session.failureReason()
                        : "the audio connection was closed");
            }
        };
        session.onStateChange(onState);
        onState.accept(session.state()); // it may have ended before the listener was added
    }

    @Override
    public long consentAgeMillis() {
        return session.consentAgeMillis();
    }

    @Override
    public void close() {
        session.close();
    }
}
