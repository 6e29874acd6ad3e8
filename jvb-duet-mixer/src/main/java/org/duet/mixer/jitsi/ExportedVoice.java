package org.duet.mixer.jitsi;

import org.duet.mixer.format.MediaFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(ExportedVoice.class);

    /** A timestamp step backwards, or forwards by more than this, starts a new epoch. */
    private static final long BACKWARD_JUMP = 48_000;
    private static final long FORWARD_JUMP = 48_000L * 30;

    final String tag;
    final JitsiTransport transport;
    /** The room's participant id; null when the room had no singer slot for it. */
    volatile String participantId;
    /** The connection whose media we follow; media from others is superseded while it delivers. */
    volatile JitsiConnection owner;
    /** When the owner last delivered media (or took the voice over), System.nanoTime. */
    volatile long ownerMediaNanos;
    /** Whether the owner delivered any media since it took the voice. */
    volatile boolean ownerDelivered;
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
        ownerMediaNanos = System.nanoTime();
        ownerDelivered = false;
        epoch++;
        haveLast = false;
    }

    /**
     * How long the owner may go without media before another open connection that carries this
     * source takes it over. The bridge sends a source's media on one socket only, but after a ping
     * timeout JVB 11146 can keep an old socket open and still send on the new one (Exporter.kt: one
     * listener for all its sessions, so the old session's close clears the new one), and Duet's front
     * replays each socket's {@code start} to a new mixer: the last {@code start} may then come on the
     * socket that carries nothing.
     */
    static final long OWNER_SILENT_NANOS = 200_000_000L;

    /**
     * Whether media for this voice arriving on {@code from} at {@code nowNanos} is to be mixed
     * (taking the voice over when its owner carries nothing) or is superseded.
     */
    synchronized boolean acceptFrom(JitsiConnection from, long nowNanos) {
        JitsiConnection o = owner;
        if (o == from) {
            return true;
        }
        if (o != null && o.isOpen()) {
            if (ownerDelivered && nowNanos - ownerMediaNanos < OWNER_SILENT_NANOS) {
                return false;
            }
            LOG.info("voice {}: connection {} carries it now (connection {} sent no media for it {})", tag, from.id(),
                    o.id(), ownerDelivered ? "for " + (nowNanos - ownerMediaNanos) / 1_000_000 + " ms" : "since its start");
        }
        start(from); // the owner went away or carries nothing: this connection carries the source now
        return true;
    }

    /** One media frame from the owning connection (its thread). */
    synchronized void media(long chunk, long timestamp, byte[] payload, int len, long arrivalNanos) {
        ownerMediaNanos = arrivalNanos;
        ownerDelivered = true;
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
     * mono and Opus decodes either layout into mono), abs-capture-time on the frames whose payload
     * carries the singer page's capture time ({@link CaptureStamp}).
     */
    // relayed: the bridge queues the export (bursts after stalls, seconds of backlog at the start)
    static final MediaFormat FORMAT = new MediaFormat(111, 1, true, false, 0, CaptureStamp.EXTENSION_ID, true);

    /** The same for a requested name (a mix goes out as payload only: no header extensions). */
    static final MediaFormat SUBSCRIBER_FORMAT = FORMAT.withExtensions(0, 0);
}
