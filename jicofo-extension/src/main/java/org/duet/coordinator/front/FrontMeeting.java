package org.duet.coordinator.front;

/**
 * What the front keeps for one meeting across all the bridge's connections for it.
 *
 * <p>The bridge may hold more than one connection for a meeting: one per sender in Jicofo's
 * {@code per-source} mode, and, after a ping timeout, an old one it still keeps open beside the new
 * one (JVB 11146 {@code Exporter.kt} uses one listener for all its sessions, so the old session's
 * close clears the new one's reference and the bridge opens yet another). Each connection has its own
 * {@link MeetingRelay}; what must be one per meeting lives here:
 * <ul>
 *   <li>the numbering of the synthetic sources the bridge gets ({@link SyntheticContinuity}): a mixer
 *       may send a source on another of the meeting's connections than before;</li>
 *   <li>the mixer picked for the meeting, so that relays failing over at the same moment land on the
 *       same mixer (it keeps one conference per meeting).</li>
 * </ul>
 * Reference-counted by its relays; the front drops it {@link #KEPT_AFTER_LAST_NANOS} after the last one
 * closed, so that a bridge that reconnects at once (JVB reconnects right after a ping timeout) comes
 * back to the same mixer, which still holds the meeting for its reconnect grace (5 s): the duet goes on
 * with its voices, calibrations and mixes instead of starting over on another mixer.
 */
final class FrontMeeting {

    final String meetingId;
    final SyntheticContinuity continuity = new SyntheticContinuity();
    /** The mixer the meeting's relays were last sent to; null before the first. */
    volatile String mixerChoice;
    private int relays;
    /** When the last relay closed (System.nanoTime); meaningful while {@link #relays} is 0. */
    private long emptySinceNanos;
    static final long KEPT_AFTER_LAST_NANOS = 10_000_000_000L;

    FrontMeeting(String meetingId) {
        this.meetingId = meetingId;
    }

    /** One more relay for this meeting (inside the front's map update for this meeting id). */
    FrontMeeting retain() {
        relays++;
        return this;
    }

    /** One relay fewer (inside the front's map update for this meeting id). */
    void release(long nowNanos) {
        if (--relays == 0) {
            emptySinceNanos = nowNanos;
        }
    }

    /** No relay for {@link #KEPT_AFTER_LAST_NANOS}: the front forgets the meeting (inside its map update). */
    boolean expired(long nowNanos) {
        return relays == 0 && nowNanos - emptySinceNanos >= KEPT_AFTER_LAST_NANOS;
    }
}
