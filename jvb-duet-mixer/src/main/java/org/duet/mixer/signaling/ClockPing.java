package org.duet.mixer.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.room.Room;

/**
 * The page's clock ping, NTP style, on the signaling WebSocket. The page clock is
 * {@code performance.timeOrigin + performance.now()} (ms since 1970): the clock Chrome stamps its
 * RTCP Sender Reports with, so the offset measured here is the one its audio needs.
 * <pre>
 *   page -> server   {"type":"clock","t1":T1}                      T1: page clock at send
 *   server -> page   {"type":"clock","t1":T1,"t2":T2,"t3":T3}      T2/T3: server receive/reply
 *   page -> server   {"type":"clock-sample","t1":T1,"t2":T2,"t3":T3,"t4":T4}   T4: page receive
 * </pre>
 * All times are Unix milliseconds with a fraction (microseconds). The server keeps nothing
 * between the two messages; it checks that T2/T3 are its own recent times and the page's are in
 * order, and hands the sample to the singer's {@code SenderClockSync} (a lower and an upper bound
 * on the offset: see {@code ClockOffsetEstimator}).
 */
final class ClockPing {

    /** A sample older than this (server time) is stale: its T2 and T3 are not from this exchange. */
    private static final long MAX_AGE_NANOS = 10_000_000_000L;

    private ClockPing() {
    }

    /** The server's half: T2 (when the ping was received) and T3 (now). */
    static String reply(JsonNode msg, long receivedNanos) throws SignalingException {
        double t1 = time(msg, "t1");
        ObjectNode n = Messages.JSON.createObjectNode();
        n.put("type", "clock");
        n.put("t1", t1);
        n.put("t2", unixMillis(receivedNanos));
        n.put("t3", unixMillis(System.nanoTime()));
        return n.toString();
    }

    /** A completed exchange: hands it to the singer's clock sync (ignored before media is joined). */
    static void sample(JsonNode msg, Room room, String participantId) throws SignalingException {
        double t1 = time(msg, "t1");
        double t2 = time(msg, "t2");
        double t3 = time(msg, "t3");
        double t4 = time(msg, "t4");
        long t2Nanos = nanoTimeOf(t2);
        long t3Nanos = nanoTimeOf(t3);
        long now = System.nanoTime();
        if (t4 < t1 || t3Nanos < t2Nanos || t3Nanos > now + 1_000_000 || now - t2Nanos > MAX_AGE_NANOS) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE,
                    "clock-sample times are out of order or stale (t2, t3 must be this server's reply, t1 <= t4)");
        }
        if (room != null && participantId != null) {
            room.clockSample(participantId, Math.round(t1 * 1e6), t2Nanos, t3Nanos, Math.round(t4 * 1e6));
        }
    }

    private static double time(JsonNode msg, String field) throws SignalingException {
        JsonNode v = msg.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() <= 0) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "clock message needs a positive number \"" + field
                    + "\" (Unix ms, page clock performance.timeOrigin + performance.now())");
        }
        return v.asDouble();
    }

    static double unixMillis(long nanoTime) {
        return (nanoTime + ServerClock.unixNanosMinusNanoTime()) / 1e6;
    }

    static long nanoTimeOf(double unixMillis) {
        return Math.round(unixMillis * 1e6) - ServerClock.unixNanosMinusNanoTime();
    }
}
