package org.duet.mixer.signaling;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.duet.mixer.clock.SenderClockSync;
import org.duet.mixer.room.MixerStats;
import org.duet.mixer.session.ParticipantStats;

/** Builds the server-to-client messages of docs/signaling.md. */
public final class Messages {

    /** One shared mapper: thread-safe once configured. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private Messages() {
    }

    /** Sent when a socket opens: what this server offers, so the page can show the right roles. */
    public static String welcome(SignalingSettings settings, boolean webRtc) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "welcome");
        ArrayNode roles = n.putArray("singerRoles");
        settings.singerRoles().forEach(roles::add);
        n.put("openRooms", settings.openRooms());
        ArrayNode preset = n.putArray("rooms");
        settings.presetRooms().forEach(preset::add);
        n.put("webrtc", webRtc);
        n.put("maxMessageBytes", settings.maxMessageBytes());
        return n.toString();
    }

    public static String error(ErrorCode code, String message, String inReplyTo) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "error");
        n.put("code", code.wireName());
        n.put("message", message);
        if (inReplyTo != null) {
            n.put("inReplyTo", inReplyTo);
        }
        return n.toString();
    }

    public static String joined(Member self, SignalingSettings settings, List<Member> roster) {
        return joined(self, settings, roster, null);
    }

    /** @param resumeToken secret for taking this role back after a lost connection (join with "resume") */
    public static String joined(Member self, SignalingSettings settings, List<Member> roster, String resumeToken) {
        return joined(self, settings, roster, resumeToken, false, null);
    }

    /**
     * @param moderator this member may revoke and assign roles
     * @param invites   the room's secret invites, shown to moderators only (null otherwise)
     */
    public static String joined(Member self, SignalingSettings settings, List<Member> roster, String resumeToken,
                                boolean moderator, org.duet.mixer.access.RoomAccess.Invites invites) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "joined");
        n.put("participantId", self.id());
        n.put("role", self.role().wireName());
        n.put("room", self.room());
        n.put("name", self.name());
        ArrayNode ice = n.putArray("iceServers");
        if (!settings.iceServers().isEmpty()) {
            ArrayNode urls = ice.addObject().putArray("urls");
            settings.iceServers().forEach(urls::add);
        }
        ArrayNode roles = n.putArray("singerRoles");
        settings.singerRoles().forEach(roles::add);
        n.put("statsIntervalMs", settings.statsInterval().toMillis());
        if (resumeToken != null) {
            n.put("resume", resumeToken);
        }
        if (invites != null) {
            n.putObject("invites").put("singer", invites.singer()).put("listener", invites.listener());
        }
        n.put("moderator", moderator);
        putRoster(n, self, roster);
        return n.toString();
    }

    public static String roster(Member self, List<Member> roster) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "roster");
        n.put("room", self.room());
        putRoster(n, self, roster);
        return n.toString();
    }

    /** The roster plus {@code youHear}: whose voices are in this member's mix (mix-minus for singers). */
    private static void putRoster(ObjectNode n, Member self, List<Member> roster) {
        ArrayNode people = n.putArray("participants");
        ArrayNode hears = n.putArray("youHear");
        for (Member m : roster) {
            ObjectNode p = people.addObject();
            p.put("id", m.id());
            p.put("role", m.role().wireName());
            p.put("name", m.name());
            p.put("transport", m.kind().wireName());
            p.put("you", m.id().equals(self.id()));
            if (m.isSinger() && !m.id().equals(self.id())) {
                hears.add(m.id());
            }
        }
    }

    public static String answer(String sdp) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "answer");
        n.put("sdp", sdp);
        return n.toString();
    }

    public static String candidate(IceCandidate c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "candidate");
        n.put("candidate", c.candidate() == null ? "" : c.candidate());
        if (c.sdpMid() != null) {
            n.put("sdpMid", c.sdpMid());
        }
        n.put("sdpMLineIndex", c.sdpMLineIndex());
        return n.toString();
    }

    /** To a listener the moderator picked for a singer role: join again as {@code role} with {@code invite}. */
    public static String assigned(String role, String invite) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "assigned");
        n.put("role", role);
        n.put("invite", invite);
        return n.toString();
    }

    public static String left(String reason) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "left");
        n.put("reason", reason);
        return n.toString();
    }

    public static String pong(long clientTime, long serverTimeMillis) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "pong");
        n.put("t", clientTime);
        n.put("serverTime", serverTimeMillis);
        return n.toString();
    }

    /** The periodic push of what the server knows about this participant's media. */
    public static String stats(ParticipantStats s, String connectionState, MixerStats mixer) {
        return stats(s, connectionState, mixer, null, null);
    }

    /** The stats push, with how this singer's clock is known ({@code sync}; null for listeners). */
    public static String stats(ParticipantStats s, String connectionState, MixerStats mixer,
                               SenderClockSync.Snapshot sync, ObjectNode timing) {
        return statsNode(s, connectionState, mixer, sync, timing).toString();
    }

    /** The stats push with the clock sync, timing plan, network adaptation and echo state (docs/adaptation.md). */
    public static String stats(org.duet.mixer.room.Participant p, String connectionState, MixerStats mixer,
                               ObjectNode timing) {
        ObjectNode n = statsNode(p.stats(), connectionState, mixer, p.clockSync(), timing);
        p.network().writeTo(n.putObject("network"));
        org.duet.mixer.echo.EchoReport echo = p.echo();
        if (echo != null) {
            echo.writeTo(n);
        }
        return n.toString();
    }

    private static ObjectNode statsNode(ParticipantStats s, String connectionState, MixerStats mixer,
                                        SenderClockSync.Snapshot sync, ObjectNode timing) {
        ObjectNode n = JSON.createObjectNode();
        if (sync != null) {
            putSync(n.putObject("sync"), sync);
        }
        if (timing != null) {
            n.set("timing", timing); // the room's timing plan (signaling/SyncCommands)
        }
        n.put("type", "stats");
        n.put("connection", connectionState);
        putNumber(n, "rttMs", s.rttMs());
        putNumber(n, "jitterTargetMs", s.jitterTargetMs());
        putNumber(n, "mixDelayMs", s.mixDelayMs());
        putNumber(n, "interarrivalJitterMs", s.interarrivalJitterMs());
        n.put("packetsIn", s.packetsIn());
        n.put("packetsOut", s.packetsOut());
        n.put("lost", s.lost());
        n.put("late", s.late());
        n.put("concealed", s.concealed());
        n.put("fecRecovered", s.fecRecovered());
        n.put("forwarding", s.forwarding());
        putNumber(n, "mixerTickP99Micros", mixer.tickP99Micros());
        return n;
    }

    /** How a singer's clock is known: the mode in words, offset, its error bound, drift, round trip. */
    public static void putSync(ObjectNode o, SenderClockSync.Snapshot sync) {
        o.put("clockMode", sync.mode().name().toLowerCase(java.util.Locale.ROOT));
        o.put("clockModeText", sync.mode().description());
        putNumber(o, "clockOffsetMs", sync.offsetMs());
        putNumber(o, "clockErrorBoundMs", sync.errorBoundMs());
        putNumber(o, "clockDriftPpm", sync.skewPpm());
        putNumber(o, "roundTripMs", sync.roundTripMs());
        o.put("rtcpExchanges", sync.rtcpExchanges());
        o.put("pingExchanges", sync.pingExchanges());
    }

    /** JSON has no NaN: unknown figures are null. */
    static void putNumber(ObjectNode n, String field, double value) {
        if (Double.isFinite(value)) {
            n.put(field, Math.round(value * 10) / 10.0);
        } else {
            n.putNull(field);
        }
    }
}
