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
 * Reference-counted by its relays; the front drops it when the last one closes.
 */
final class FrontMeeting {

    final String meetingId;
    final SyntheticContinuity continuity = new SyntheticContinuity();
    /** The mixer the meeting's relays were last sent to; null before the first. */
    volatile String mixerChoice;
    private int relays;

    FrontMeeting(String meetingId) {
        this.meetingId = meetingId;
    }

    /** One more relay for this meeting (inside the front's map update for this meeting id). */
    FrontMeeting retain() {
        relays++;
        return this;
    }

    /** One relay fewer; @return how many are left (inside the front's map update for this meeting id). */
    int release() {
        return --relays;
    }
}
