package org.duet.mixer.record;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What is known about one take, as stored in its directory ({@code take.json}) and shown on the
 * page. Immutable; the writer publishes a new one as the take goes on.
 *
 * @param id            directory name, {@code <room>-<yyyyMMdd-HHmmss>-<n>}
 * @param startEpochMs  wall-clock time of timeline sample 0 (ms since the epoch, fractional)
 * @param startPosition the same instant on the server's 48 kHz clock (meaningful while this process runs)
 * @param durationMs    length of the timeline written so far
 * @param status        {@code recording}, {@code done}, {@code failed} (stopped by an error or a cap),
 *                      {@code interrupted} (the server stopped during the take; files play up to the last flush)
 * @param message       why a take failed, for people; null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TakeInfo(String id, String room, String startedBy, double startEpochMs, long startPosition,
                       long durationMs, String status, String message, List<Track> tracks, long bytes) {

    /**
     * One file of a take.
     *
     * @param kind  {@code voice} (as received), {@code mix} (the listener mix), {@code backing}
     * @param voice the singer role of a voice track ({@code singer-a}), null otherwise
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Track(String file, String kind, String voice, long bytes) {
    }

    public static final String RECORDING = "recording";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String INTERRUPTED = "interrupted";

    TakeInfo with(String newStatus, String newMessage, long newDurationMs, List<Track> newTracks, long newBytes) {
        return new TakeInfo(id, room, startedBy, startEpochMs, startPosition, newDurationMs, newStatus, newMessage,
                List.copyOf(newTracks), newBytes);
    }

    @JsonIgnore
    public boolean isRecording() {
        return RECORDING.equals(status);
    }
}
