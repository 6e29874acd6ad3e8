package org.duet.mixer.jitsi;

import java.util.List;

/**
 * A conference's state for stats: its connections, the voices it mixes and the synthetic streams
 * it sends ({@code connection} ids are -1 when none).
 */
public record ConferenceSnapshot(String meetingId, String room, int openConnections, int connections,
                                 List<Voice> voices, List<Stream> streams) {

    public record Voice(String tag, boolean mixed, int ownerConnection, double arrivalLagMs, double arrivalLagMaxMs,
                        double arrivalLagMaxAtS) {
    }

    public record Stream(String name, int sinkConnection, long eventsSent, long framesWithoutConnection, double lagMs,
                         double maxLagMs, double maxLagAtS, long heldAtStart, long clockJumps) {
    }
}
