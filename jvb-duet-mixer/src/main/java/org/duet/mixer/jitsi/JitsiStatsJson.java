package org.duet.mixer.jitsi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.duet.mixer.web.StatsJson;

/** The body of the Jitsi port's {@code GET /stats}: every conference, then the engine's own figures. */
public final class JitsiStatsJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JitsiStatsJson() {
    }

    public static ObjectNode of(JitsiServer server) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode refused = root.putObject("refused");
        refused.put(JitsiDropReason.BAD_SECRET.wireName(), server.refused().drops(JitsiDropReason.BAD_SECRET));
        refused.put(JitsiDropReason.BAD_MEETING_ID.wireName(), server.refused().drops(JitsiDropReason.BAD_MEETING_ID));
        var confs = root.putArray("conferences");
        for (JitsiConference c : server.conferences()) {
            ConferenceSnapshot s = c.snapshot();
            ObjectNode o = confs.addObject();
            o.put("meetingId", s.meetingId());
            o.put("room", s.room());
            o.put("openConnections", s.openConnections());
            o.put("connections", s.connections());
            JitsiCounters k = c.counters;
            o.put("mediaIn", k.mediaEventsIn());
            o.put("mediaOut", k.mediaEventsOut());
            o.put("pings", k.pings());
            o.put("connectionsAccepted", k.connections());
            o.put("reanchors", k.reanchors());
            ObjectNode drops = o.putObject("dropped");
            for (JitsiDropReason r : JitsiDropReason.values()) {
                if (k.drops(r) > 0) {
                    drops.put(r.wireName(), k.drops(r));
                }
            }
            var voices = o.putArray("voices");
            for (ConferenceSnapshot.Voice v : s.voices()) {
                voices.addObject().put("tag", v.tag()).put("mixed", v.mixed()).put("connection", v.ownerConnection())
                        .put("arrivalLagMs", v.arrivalLagMs()).put("arrivalLagMaxMs", v.arrivalLagMaxMs())
                        .put("arrivalLagMaxAtS", v.arrivalLagMaxAtS());
            }
            var streams = o.putArray("streams");
            for (ConferenceSnapshot.Stream st : s.streams()) {
                streams.addObject().put("name", st.name()).put("connection", st.sinkConnection())
                        .put("eventsSent", st.eventsSent()).put("framesWithoutConnection", st.framesWithoutConnection())
                        .put("sendLagMs", st.lagMs()).put("sendLagMaxMs", st.maxLagMs())
                        .put("sendLagMaxAtS", st.maxLagAtS()).put("heldAtStart", st.heldAtStart())
                        .put("clockJumps", st.clockJumps());
            }
        }
        root.set("mixer", StatsJson.of(server.mixer()));
        return root;
    }
}
