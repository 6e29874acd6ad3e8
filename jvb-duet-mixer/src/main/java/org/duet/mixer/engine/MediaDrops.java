package org.duet.mixer.engine;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.duet.mixer.jitter.InsertResult;
import org.duet.mixer.rtcp.RtcpDropReason;
import org.duet.mixer.rtp.RtpDropReason;

/**
 * What the media path refused, by stage and reason, for the whole mixer: RTP that did not parse
 * ({@link RtpDropReason}), RTCP that did not parse ({@link RtcpDropReason}), packets of a payload
 * the participant did not negotiate or that are not valid Opus, and packets the jitter buffer
 * refused ({@link InsertResult}). The media loops' own inbound drops are counted by each
 * {@link MediaLoop}. Any loop thread may count (lock-free, nothing allocated); metrics and stats
 * read. Counts only grow, also when the participant that caused them has left.
 */
public final class MediaDrops {

    /** The stages, as they appear in metrics ({@code stage} tag) and stats. */
    public enum Stage { RTP, RTCP, PAYLOAD, JITTER, TRANSPORT_FEEDBACK }

    /** PAYLOAD's only reason. */
    public static final String NOT_NEGOTIATED = "not_negotiated_or_not_opus";

    private final AtomicLongArray rtp = new AtomicLongArray(RtpDropReason.values().length);
    private final AtomicLongArray rtcp = new AtomicLongArray(RtcpDropReason.values().length);
    private final AtomicLongArray jitter = new AtomicLongArray(InsertResult.values().length);
    private final AtomicLongArray payload = new AtomicLongArray(1);
    private final AtomicLongArray feedback =
            new AtomicLongArray(org.duet.mixer.rtcp.TransportFeedback.Problem.values().length);

    public void rtp(RtpDropReason reason) {
        rtp.incrementAndGet(reason.ordinal());
    }

    public void rtcp(RtcpDropReason reason) {
        rtcp.incrementAndGet(reason.ordinal());
    }

    /** A transport-cc feedback packet (RTPFB FMT 15) that did not parse: dropped, nothing adapted. */
    public void transportFeedback(org.duet.mixer.rtcp.TransportFeedback.Problem problem) {
        feedback.incrementAndGet(problem.ordinal());
    }

    public void payload() {
        payload.incrementAndGet(0);
    }

    public void jitter(InsertResult result) {
        jitter.incrementAndGet(result.ordinal());
    }

    /** Count of one stage's reason (its lower-case name, as {@link #reasons} lists them). */
    public long get(Stage stage, String reason) {
        return switch (stage) {
            case RTP -> rtp.get(RtpDropReason.valueOf(reason.toUpperCase(Locale.ROOT)).ordinal());
            case RTCP -> rtcp.get(RtcpDropReason.valueOf(reason.toUpperCase(Locale.ROOT)).ordinal());
            case JITTER -> jitter.get(InsertResult.valueOf(reason.toUpperCase(Locale.ROOT)).ordinal());
            case PAYLOAD -> payload.get(0);
            case TRANSPORT_FEEDBACK -> feedback.get(org.duet.mixer.rtcp.TransportFeedback.Problem
                    .valueOf(reason.toUpperCase(Locale.ROOT)).ordinal());
        };
    }

    /** The drop reasons of a stage (lower-case enum names; "none" and "accepted" are not drops). */
    public static String[] reasons(Stage stage) {
        return switch (stage) {
            case RTP -> names(RtpDropReason.values(), "none");
            case RTCP -> names(RtcpDropReason.values(), "none");
            case JITTER -> names(InsertResult.values(), "accepted", "ssrc_changed");
            case PAYLOAD -> new String[] {NOT_NEGOTIATED};
            case TRANSPORT_FEEDBACK -> names(org.duet.mixer.rtcp.TransportFeedback.Problem.values(), "none",
                    "not_transport_feedback");
        };
    }

    /** Every stage and reason with its count, for stats JSON. */
    public Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (Stage s : Stage.values()) {
            Map<String, Long> m = new LinkedHashMap<>();
            for (String r : reasons(s)) {
                m.put(r, get(s, r));
            }
            out.put(s.name().toLowerCase(Locale.ROOT), m);
        }
        return out;
    }

    private static String[] names(Enum<?>[] values, String... notDrops) {
        java.util.List<String> skip = java.util.List.of(notDrops);
        return java.util.Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT))
                .filter(n -> !skip.contains(n)).toArray(String[]::new);
    }
}
