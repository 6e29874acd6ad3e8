package org.duet.mixer.adapt;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the page and the stats API show about one participant's network: what we send them and why
 * ({@code receive}), and for a singer what we advise their page to send ({@code send}).
 *
 * @param receive         adaptation of the stream we send them; null when adaptation is off
 * @param forwarded       their mix is a forwarded voice: left untouched (the sender adapts)
 * @param sharedEncoders  encoders (network classes) currently running for the mix they hear
 * @param send            advice for their own sender; null for listeners
 * @param sendKbps        bitrate we receive from them, kb/s (NaN before the first interval)
 * @param sendLossPercent loss we see on their stream in the last interval
 */
public record NetworkReport(AdaptationSnapshot receive, boolean forwarded, int sharedEncoders, AdaptationSnapshot send,
                            double sendKbps, double sendLossPercent) {

    /** Adds this report to {@code n} as {@code receive} and {@code send} objects (JSON has no NaN: null). */
    public void writeTo(ObjectNode n) {
        if (receive != null) {
            ObjectNode r = n.putObject("receive");
            write(r, receive);
            r.put("forwarded", forwarded);
            r.put("sharedEncoders", sharedEncoders);
        }
        if (send != null) {
            ObjectNode s = n.putObject("send");
            s.put("maxBitrate", send.bitrate());
            s.put("fec", send.fec());
            s.put("lossHint", send.lossHint());
            s.put("frameMs", send.frameMs());
            number(s, "seenKbps", sendKbps);
            number(s, "lossPercent", sendLossPercent);
            number(s, "jitterMs", send.jitterMs());
        }
    }

    private static void write(ObjectNode o, AdaptationSnapshot a) {
        o.put("bitrate", a.bitrate());
        o.put("fec", a.fec());
        o.put("lossHint", a.lossHint());
        o.put("frameMs", a.frameMs());
        o.put("dtx", a.dtx());
        number(o, "lossPercent", a.lossPercent());
        o.put("cumulativeLost", a.cumulativeLost());
        number(o, "jitterMs", a.jitterMs());
        number(o, "rttMs", a.rttMs());
        o.put("changes", a.changes());
        o.put("reason", a.reason());
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, Math.round(v * 10) / 10.0);
        } else {
            n.putNull(field);
        }
    }
}
