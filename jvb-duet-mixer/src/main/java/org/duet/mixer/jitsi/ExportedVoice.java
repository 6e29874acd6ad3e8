package org.duet.mixer.jitsi;

import org.duet.mixer.format.MediaFormat;

/**
 * One source the bridge exports (a singer's microphone, {@code <endpointId>-a0}) as a singer of
 * the conference's room.
 *
 * <p>The bridge anchors a source's media timestamps at its first packet, and starts again after
 * every reconnect (a new {@code start}). Each such stream gets a new synthesized SSRC (an
 * "epoch"), so the jitter buffer and the capture-time estimate re-anchor once, cleanly, instead of
 * seeing a timestamp jump. A jump without a new {@code start} (a relay that replays, a bridge
 * restart behind a proxy) is detected here and handled the same way.
 */
final class ExportedVoice {

    /** A timestamp step backwards, or forwards by more than this, starts a new epoch. */
    private static final long BACKWARD_JUMP = 48_000;
    private static final long FORWARD_JUMP = 48_000L * 30;

    final String tag;
    final JitsiTransport transport;
    /** The room's participant id; null when the room had no singer slot for it. */
    volatile String participantId;
    /** The connection whose {@code start} we follow; media from others is superseded. */
    volatile JitsiConnection owner;
    volatile boolean removed;

    private final long ssrcBase;
    private long epoch;
    private boolean haveLast;
    private long lastTimestamp;
    private final JitsiCounters counters;
    /** How evenly the bridge's export delivers this source (arrival minus media time). */
    private final StreamTiming arrivals;

    ExportedVoice(String tag, JitsiCounters counters) {
        this.tag = tag;
        this.counters = counters;
        this.arrivals = new StreamTiming("exported voice " + tag + " (arrived)");
        this.transport = new JitsiTransport("jitsi " + tag);
        this.ssrcBase = (tag.hashCode() & 0xFFFF_FFFFL) << 8;
    }

    /** A {@code start} from {@code from}: follow that connection, in a new epoch. */
    synchronized void start(JitsiConnection from) {
        if (haveLast) {
            counters.reanchor();
        }
        owner = from;
        epoch++;
        haveLast = false;
    }

    /** One media frame from the owning connection (its thread). */
    synchronized void media(long chunk, long timestamp, byte[] payload, int len, long arrivalNanos) {
        if (haveLast) {
            long step = timestamp - lastTimestamp;
            if (step < -BACKWARD_JUMP || step > FORWARD_JUMP) {
                epoch++;
                counters.reanchor();
            }
        }
        haveLast = true;
        lastTimestamp = timestamp;
        arrivals.note(arrivalNanos, timestamp);
        long ssrc = (ssrcBase + epoch) & 0xFFFF_FFFFL;
        transport.deliver((int) chunk, timestamp, ssrc, FORMAT.payloadType(), payload, len, arrivalNanos);
    }

    /** How far the last frame arrived behind the source's best case, ms. */
    double arrivalLagMs() {
        return arrivals.lagMs();
    }

    /** The most any frame arrived behind the source's best case, ms. */
    double arrivalLagMaxMs() {
        return arrivals.maxLagMs();
    }

    /** The source's age (since its first frame here) when its worst arrival lag happened, s. */
    double arrivalLagMaxAtS() {
        return arrivals.maxLagAtS();
    }

    /**
     * What an exported source is to the engine: Opus on a fixed payload type (the frames are
     * synthesized here, so any number does), decoded mono (the bridge says 2 channels, but the mix is
     * mono and Opus decodes either layout into mono), no header extensions.
     */
    // relayed: the bridge queues the export (bursts after stalls, seconds of backlog at the start)
    static final MediaFormat FORMAT = new MediaFormat(111, 1, true, false, 0, 0, true);
}
