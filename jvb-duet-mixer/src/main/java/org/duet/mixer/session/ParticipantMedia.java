package org.duet.mixer.session;

import java.nio.charset.StandardCharsets;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.engine.MediaDrops;
import org.duet.mixer.engine.PacketHandler;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.input.VoiceInput;
import org.duet.mixer.jitter.InsertResult;
import org.duet.mixer.jitter.JitterStats;
import org.duet.mixer.opus.OpusPacketInfo;
import org.duet.mixer.output.MixOutput;
import org.duet.mixer.output.OutputSubscriber;
import org.duet.mixer.rtcp.ReceptionStatistics;
import org.duet.mixer.rtcp.RtcpDropReason;
import org.duet.mixer.rtcp.RtcpListener;
import org.duet.mixer.rtcp.RtcpParser;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpDropCounters;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.transport.PacketTransport;

/**
 * A participant as the media loop sees it: packets in (RTP to the voice input, RTCP to the
 * clocks and round-trip estimate), the output it hears, and the RTCP reports we send it. Touched
 * only by the media loop thread; other threads read its counters for stats (a tick stale at most).
 */
public final class ParticipantMedia implements PacketHandler, RtcpListener {

    private static final byte[] CNAME = "duet-mixer".getBytes(StandardCharsets.US_ASCII);

    final String id;
    final boolean singer;
    final PacketTransport transport;
    final MediaFormat format;
    final VoiceInput input;
    final OutputSubscriber subscriber;
    /** The singer's own mix-minus; for listeners, the room's shared listener mix. */
    MixOutput output;
    /** Outputs that forward this voice's packets untouched (set by the room's mix plan). */
    MixOutput[] forwardTargets = new MixOutput[0];
    float gain = 1f;
    /** This singer's own ear (rehearsal monitor mix): level of the other singers and of the backing track. */
    float monitorPartner = 1f;
    float monitorBacking = 1f;
    /** The singer's role, as named in recordings ("a" for singer-a); null for listeners. */
    volatile String voiceLabel;
    /** Chooses the encoder settings of what we send this participant (null: adaptation off). */
    org.duet.mixer.adapt.ReceiverAdaptation adaptation;
    /** For a singer: what we advise their page to send, from what we measure of their stream. */
    org.duet.mixer.adapt.ReceiverAdaptation upstream;
    /** The encoder settings this participant's format asks for on a clean path (channels, FEC, DTX). */
    org.duet.mixer.opus.OpusSettings joinSettings;
    /** For a singer: echo and feedback control on their voice (null: off). */
    org.duet.mixer.echo.EchoControl echo;
    /** Through where (capture position) the forwarded voice this singer hears was given to their echo control. */
    long echoRefThrough = Long.MIN_VALUE;
    /** The echo control changed this voice at the last tick (a howl notch): outputs mix it rather than forward it. */
    boolean voiceAltered;
    private final org.duet.mixer.adapt.UpstreamMeter upstreamMeter = new org.duet.mixer.adapt.UpstreamMeter();

    private final RoomMedia room;
    /** Where in the tick period this voice's packets arrive (the room ticks just after the slowest voice's). */
    final org.duet.mixer.engine.ArrivalPhase arrivalPhase;
    private final RtpPacket rtp = new RtpPacket();
    private final RtcpParser rtcpParser = new RtcpParser();
    /** transport-cc: the feedback parser and the estimate of our path to them (null: not negotiated). */
    private final org.duet.mixer.rtcp.TransportFeedback transportFeedback;
    private final org.duet.mixer.adapt.TransportCcEstimator transportCc;
    volatile long transportFeedbacks;
    private final RtcpWriter rtcpWriter = new RtcpWriter();
    private ReceptionStatistics reception;
    private final RtpDropCounters rtpDrops = new RtpDropCounters();
    private final byte[] rtcpOut = new byte[512];
    private final long ourReceiverSsrc;
    private long lastArrivalNanos;
    /** The SR just parsed, so its report blocks (same packet) can be read as an NTP-style echo. */
    private boolean srInThisPacket;
    private long srSsrc;
    private long srNtp;
    private long nextReportNanos;

    volatile long packetsIn;
    volatile long bytesIn;
    volatile long malformed;
    volatile long wrongPayloadType;
    volatile long rtcpMalformed;
    /** The mixer's per-reason drop counts (metrics); set before the participant reaches its loop. */
    private MediaDrops drops = new MediaDrops();
    volatile long late;
    volatile long duplicates;
    volatile double rttMs = Double.NaN;

    /**
     * @param input  the singer's voice input, null for a listener
     * @param output the singer's own mix-minus output, null for a listener (who hears the room's listener mix)
     */
    public ParticipantMedia(String id, boolean singer, PacketTransport transport, MediaFormat format, VoiceInput input,
                            MixOutput output, RoomMedia room) {
        this.id = id;
        this.singer = singer;
        this.output = output;
        this.transport = transport;
        this.format = format;
        this.input = input;
        this.room = room;
        this.arrivalPhase = new org.duet.mixer.engine.ArrivalPhase(room.tickNanos());
        this.ourReceiverSsrc = room.random().nextLong(1, 1L << 32);
        this.subscriber = new OutputSubscriber(transport, format, room.random());
        boolean tcc = format.transportCcExtensionId() != 0;
        this.transportFeedback = tcc ? new org.duet.mixer.rtcp.TransportFeedback() : null;
        this.transportCc = tcc ? new org.duet.mixer.adapt.TransportCcEstimator(subscriber::sentNanos) : null;
    }

    /** Counts this participant's refused packets in the mixer's {@code drops} (call before it joins its loop). */
    public void countDropsIn(MediaDrops drops) {
        this.drops = drops;
    }

    // ---- packets in ----

    @Override
    public void handlePacket(byte[] buf, int off, int len, boolean isRtcp, long arrivalNanos) {
        packetsIn++;
        bytesIn += len;
        lastArrivalNanos = arrivalNanos;
        if (isRtcp) {
            srInThisPacket = false;
            RtcpDropReason refused = rtcpParser.parse(buf, off, len, this);
            if (refused != RtcpDropReason.NONE) {
                rtcpMalformed++;
                drops.rtcp(refused);
            }
            return;
        }
        RtpDropReason reason = rtp.parse(buf, off, len);
        if (reason != RtpDropReason.NONE) {
            rtpDrops.count(reason);
            drops.rtp(reason);
            malformed++;
            return;
        }
        if (rtp.payloadType() != format.payloadType() || OpusPacketInfo.validate(rtp.buffer(), rtp.payloadOffset(),
                rtp.payloadLength()) < 0) {
            wrongPayloadType++;
            drops.payload();
            return;
        }
        if (input == null) {
            return; // a listener's microphone: not part of any mix
        }
        if (reception == null || reception.sourceSsrc() != rtp.ssrc()) {
            reception = new ReceptionStatistics(rtp.ssrc()); // once per stream, not per packet
        }
        reception.onRtp(rtp.sequenceNumber(), rtp.timestamp(), arrivalNanos, ServerClock.SAMPLE_RATE);
        InsertResult result = input.onRtp(rtp, arrivalNanos);
        // A forwarded voice is played by the receiver's jitter buffer, not ours: a packet too late
        // for our mix is still on time for them, so it is forwarded too. Duplicates are not.
        switch (result) {
            case ACCEPTED, SSRC_CHANGED -> {
                int samples = OpusPacketInfo.totalSamples(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength());
                if (samples > 0) {
                    arrivalPhase.setPeriod(room.periodForPacket(samples)); // phase within one packet's time
                }
                arrivalPhase.onArrival(arrivalNanos);
                forward(samples);
            }
            case LATE -> {
                late++;
                drops.jitter(result); // too late for our mix, still forwarded
                forward();
            }
            case DUPLICATE -> {
                duplicates++;
                drops.jitter(result);
            }
            default -> {
                malformed++;
                drops.jitter(result);
            }
        }
    }

    private void forward() {
        forward(OpusPacketInfo.totalSamples(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength()));
    }

    private void forward(int samples) {
        room.forwardFrom(this, rtp, samples, lastArrivalNanos);
        room.recordFrom(this, rtp, samples);
    }

    /** Names this singer's voice in recordings (the role label, e.g. "a"). */
    public void setVoiceLabel(String label) {
        this.voiceLabel = label;
    }

    @Override
    public void onSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount) {
        if (input != null) {
            input.onSenderReport(ssrc, ntpTimestamp, rtpTimestamp);
            input.clockSync().onSenderReport(lastArrivalNanos, ntpTimestamp);
            srInThisPacket = true;
            srSsrc = ssrc;
            srNtp = ntpTimestamp;
        }
        if (reception != null && ssrc == reception.sourceSsrc()) {
            reception.onSenderReport(ntpTimestamp, lastArrivalNanos);
        }
    }

    @Override
    public void onReportBlock(long reporterSsrc, long sourceSsrc, int fractionLost, int cumulativeLost,
                              long extendedHighestSeq, long jitter, long lastSr, long delaySinceLastSr) {
        if (output == null || sourceSsrc != output.ssrc()) {
            return;
        }
        double rtt = Double.NaN;
        if (lastSr != 0) {
            // RFC 3550 6.4.1: RTT = arrival - LSR - DLSR, all in 1/65536 s (middle 32 bits of NTP).
            long nowMiddle = (nowNtp(lastArrivalNanos) >>> 16) & 0xFFFFFFFFL;
            long r = (nowMiddle - lastSr - delaySinceLastSr) & 0xFFFFFFFFL;
            if (r < (1L << 31)) {
                rtt = r * 1000.0 / 65536.0;
                rttMs = rtt;
                if (input != null) {
                    input.clockSync().onRoundTrip(lastArrivalNanos, NtpTime.compactToNanos(r));
                    if (srInThisPacket && reporterSsrc == srSsrc) {
                        input.clockSync().onEcho(lastArrivalNanos, srNtp, lastSr, delaySinceLastSr);
                    }
                }
            }
        }
        if (adaptation != null) {
            org.duet.mixer.opus.OpusSettings s = adaptation.onReportBlock(fractionLost, cumulativeLost, jitter, rtt,
                    lastArrivalNanos);
            if (s != null) {
                room.adapt(this, s);
            }
        }
    }

    /**
     * Transport-wide feedback (RTPFB FMT 15) about what we send them, where transport-cc was
     * negotiated: loss every half second, and the delay gradient, go to their adaptation.
     * A malformed one is dropped and counted; other feedback types are ignored.
     */
    @Override
    public void onOtherPacket(int packetType, int count, byte[] buf, int off, int len) {
        if (packetType != org.duet.mixer.rtcp.RtcpParser.RTPFB || count != org.duet.mixer.rtcp.TransportFeedback.FMT
                || transportFeedback == null) {
            return;
        }
        org.duet.mixer.rtcp.TransportFeedback.Problem problem = transportFeedback.parse(buf, off, len);
        if (problem != org.duet.mixer.rtcp.TransportFeedback.Problem.NONE) {
            drops.transportFeedback(problem);
            return;
        }
        transportFeedbacks++;
        long now = lastArrivalNanos;
        transportCc.begin();
        transportFeedback.emit(transportCc);
        transportCc.end(now);
        if (adaptation == null) {
            return;
        }
        org.duet.mixer.opus.OpusSettings s = null;
        if (transportCc.lossIntervalReady(now)) {
            s = adaptation.onLoss(transportCc.takeLossPercent(now), now);
        }
        org.duet.mixer.opus.OpusSettings c = adaptation.onCongestion(transportCc.overusing(),
                transportCc.delayGradient(), now);
        if (c != null) {
            s = c;
        }
        if (s != null) {
            room.adapt(this, s);
        }
    }

    /** The transport-cc estimate of our path to them; null when not negotiated. */
    public org.duet.mixer.adapt.TransportCcEstimator transportCc() {
        return transportCc;
    }

    // ---- RTCP reports out ----

    /** Sends a Sender Report (our stream to them) with a report block on their voice, plus SDES. */
    void maybeSendReport(long nowNanos, long intervalNanos) {
        if (nowNanos - nextReportNanos < 0) {
            return;
        }
        // RFC 3550 6.3.1: randomise the interval (0.5 to 1.5 of the mean) so reports do not bunch up.
        nextReportNanos = nowNanos + intervalNanos / 2 + room.random().nextLong(intervalNanos);
        rtcpWriter.clearReportBlocks();
        if (upstream != null && reception != null) {
            upstreamMeter.onInterval(reception, bytesIn, nowNanos, upstream);
        }
        if (input != null && reception != null) {
            reception.writeReportBlock(rtcpWriter, nowNanos);
        }
        int len;
        long senderSsrc;
        if (output != null) {
            senderSsrc = output.ssrc();
            len = rtcpWriter.writeSenderReport(rtcpOut, 0, senderSsrc, nowNtp(nowNanos), output.rtpTimestampAt(nowNanos),
                    subscriber.packetsSent(), subscriber.bytesSent());
        } else {
            senderSsrc = ourReceiverSsrc;
            len = rtcpWriter.writeReceiverReport(rtcpOut, 0, senderSsrc);
        }
        if (len < 0) {
            return;
        }
        int sdes = RtcpWriter.writeSdesCname(rtcpOut, len, senderSsrc, CNAME, 0, CNAME.length);
        if (sdes > 0) {
            len += sdes;
        }
        transport.sendRtcp(rtcpOut, 0, len);
    }

    private static long nowNtp(long nanoTime) {
        return NtpTime.fromUnixNanos(nanoTime + ServerClock.unixNanosMinusNanoTime());
    }

    // ---- read by room/ ----

    /** The singer's voice input (null for listeners): its clock sync, placement, timeline. */
    public VoiceInput input() {
        return input;
    }

    public PacketTransport transport() {
        return transport;
    }

    public MediaFormat format() {
        return format;
    }

    public long packetsSent() {
        return subscriber.packetsSent();
    }

    // ---- stats ----

    public org.duet.mixer.echo.EchoReport echoReport() {
        org.duet.mixer.echo.EchoControl e = echo;
        return e == null ? null : e.report();
    }

    public org.duet.mixer.adapt.NetworkReport network() {
        MixOutput out = output;
        org.duet.mixer.adapt.ReceiverAdaptation a = adaptation;
        org.duet.mixer.adapt.ReceiverAdaptation up = upstream;
        return new org.duet.mixer.adapt.NetworkReport(a == null ? null : a.snapshot(),
                out != null && out.isForwarding(), out == null ? 0 : out.activeEncoders(),
                up == null ? null : up.snapshot(), upstreamMeter.kbps(), upstreamMeter.lossPercent());
    }

    public ParticipantStats stats() {
        long lost = 0;
        long concealed = 0;
        long fec = 0;
        long reordered = 0;
        double target = Double.NaN;
        double caughtUp = 0;
        if (input != null) {
            JitterStats js = input.jitterBuffer().stats();
            lost = js.lost();
            concealed = js.concealed();
            fec = js.fecRecovered();
            reordered = js.reordered();
            target = js.targetDelayMs();
            caughtUp = js.caughtUpMs();
        }
        double mixDelay = Double.NaN;
        MixOutput out = output;
        if (out != null && !out.isForwarding()) {
            mixDelay = (room.clockPosition(System.nanoTime()) - out.lastReadPosition()) / 48.0;
        }
        return new ParticipantStats(packetsIn, subscriber.packetsSent(), bytesIn, subscriber.bytesSent(), lost, late,
                duplicates, reordered, concealed, fec, malformed + wrongPayloadType + rtcpMalformed, target, mixDelay, rttMs,
                reception == null ? Double.NaN : reception.jitter() / 48.0, out != null && out.isForwarding(),
                out == null ? 0 : out.cursor().underruns(), out == null ? 0 : out.cursor().steps(),
                input == null ? 0 : input.reanchors(), caughtUp,
                out == null ? 0 : out.ticksSkipped());
    }
}
