package org.duet.mixer.sync;

import java.util.List;

/**
 * A room's timing plan as signaling and the page see it: mode, leader, beat, and per singer the
 * role, the calibration outcome and the correction the listener mix applies. Immutable.
 *
 * @param listenerBeatDelayMs how much later than its schedule the listener mix plays the beat
 */
public record SyncState(SyncMode mode, String leaderId, Beat beat, double listenerBeatDelayMs,
                        List<SingerSync> singers) {

    /** The beat: a metronome (tempo, beats per bar, accent, count-in bars). */
    public record Beat(String kind, double bpm, int beatsPerBar, boolean accent, int countInBars) {
    }

    /**
     * @param role         live, leader or follower
     * @param correctionMs how much later the listener mix reads this singer than the leader
     */
    public record SingerSync(String id, String role, LatencyCalibration.Outcome calibration, double correctionMs) {
    }
}
