package org.duet.mixer.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.duet.mixer.room.Room;
import org.duet.mixer.sync.LatencyCalibration;
import org.duet.mixer.sync.SyncMode;
import org.duet.mixer.sync.SyncState;

/**
 * The page's timing controls on the signaling WebSocket (docs/sync.md), and the room's timing
 * plan pushed back inside each stats message ({@code "timing"}). Either singer may change the mode, the beat, or ask for a
 * calibration; listeners may only watch.
 * <pre>
 *   {"type":"sync","action":"mode","mode":"live"|"leader-follower","leader":"&lt;participant id&gt;"}
 *   {"type":"sync","action":"metronome","bpm":90,"beatsPerBar":4,"accent":true,"countIn":1}
 *   {"type":"sync","action":"backing"}          restart the room's backing track as the beat
 *   {"type":"sync","action":"stop"}             stop the metronome
 *   {"type":"sync","action":"calibrate"}        calibrate me again
 * </pre>
 */
public final class SyncCommands {

    private SyncCommands() {
    }

    /**
     * Applies one timing command.
     *
     * @param participantId who asks (a calibration is for them); null from the control API,
     *                      where {@code "participant"} in the message names the singer
     */
    public static void handle(JsonNode msg, Room room, String participantId, boolean singer)
            throws SignalingException {
        if (participantId == null && msg.hasNonNull("participant")) {
            participantId = msg.get("participant").asText();
        }
        if (room == null) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "join a room (and connect media) before sync controls");
        }
        if (!singer) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "only singers change the timing");
        }
        String action = msg.path("action").asText("");
        try {
            switch (action) {
                case "mode" -> room.setSyncMode(SyncMode.parse(msg.path("mode").asText(null)),
                        msg.hasNonNull("leader") ? msg.get("leader").asText() : null);
                case "metronome" -> room.startMetronome(msg.path("bpm").asDouble(90), msg.path("beatsPerBar").asInt(4),
                        msg.path("accent").asBoolean(true), msg.path("countIn").asInt(1));
                case "backing" -> room.restartBackingTrack();
                case "stop" -> room.stopMetronome();
                case "calibrate" -> {
                    if (participantId == null) {
                        throw new SignalingException(ErrorCode.BAD_MESSAGE, "calibrate whom? (\"participant\")");
                    }
                    room.calibrate(participantId);
                }
                default -> throw new SignalingException(ErrorCode.BAD_MESSAGE, "unknown sync action '" + action
                        + "' (mode, metronome, backing, stop, calibrate)");
            }
        } catch (IllegalArgumentException e) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, e.getMessage());
        }
    }

    /** The room's timing plan as JSON, from {@code me}'s point of view. */
    public static ObjectNode state(SyncState s, String me) {
        ObjectNode n = Messages.JSON.createObjectNode();
        n.put("type", "sync");
        n.put("mode", s.mode().wireName());
        if (s.leaderId() != null) {
            n.put("leader", s.leaderId());
        }
        if (s.beat() != null) {
            ObjectNode b = n.putObject("beat");
            b.put("kind", s.beat().kind());
            b.put("bpm", s.beat().bpm());
            b.put("beatsPerBar", s.beat().beatsPerBar());
            b.put("accent", s.beat().accent());
            b.put("countIn", s.beat().countInBars());
        }
        Messages.putNumber(n, "listenerBeatDelayMs", s.listenerBeatDelayMs());
        var singers = n.putArray("singers");
        for (SyncState.SingerSync x : s.singers()) {
            ObjectNode o = singers.addObject();
            o.put("id", x.id());
            o.put("me", x.id().equals(me));
            o.put("role", x.role());
            LatencyCalibration.Outcome c = x.calibration();
            o.put("calibration", c.state().name().toLowerCase(java.util.Locale.ROOT));
            o.put("calibrationMessage", c.message());
            Messages.putNumber(o, "loopMs", c.loopMs());
            Messages.putNumber(o, "roundTripMs", c.roundTripMs());
            Messages.putNumber(o, "spreadMs", c.spreadMs());
            Messages.putNumber(o, "correctionMs", x.correctionMs());
        }
        return n;
    }
}
