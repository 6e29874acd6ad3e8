package org.duet.mixer.echo;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Echo state of one singer, for stats and the page.
 *
 * @param echo            their microphone returns their mix
 * @param delayMs         send-to-capture delay of the echo
 * @param returnLossDb    how far below what we sent it comes back
 * @param policy          what their page is asked to do about it
 * @param proposedCapture "headphones" (no echo path: music-quality capture) or "speakers" (the
 *                        browser's echo cancellation on): the page's default for its capture policy
 * @param howling         a feedback tone is being notched out of their voice now
 * @param howls           feedback tones caught in their voice so far
 * @param howlHz          frequency of the last one (NaN if none)
 */
public record EchoReport(boolean echo, double delayMs, double returnLossDb, EchoPolicy policy,
                         String proposedCapture, boolean howling, long howls, double howlHz) {

    public void writeTo(ObjectNode n) {
        ObjectNode e = n.putObject("echo");
        e.put("detected", echo);
        number(e, "delayMs", delayMs);
        number(e, "returnLossDb", returnLossDb);
        e.put("policy", policy.wireName);
        e.put("proposedCapture", proposedCapture);
        ObjectNode h = e.putObject("howl");
        h.put("active", howling);
        h.put("caught", howls);
        number(h, "lastHz", howlHz);
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, Math.round(v * 10) / 10.0);
        } else {
            n.putNull(field);
        }
    }
}
