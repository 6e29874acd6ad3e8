package org.duet.mixer.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.MixerStats;
import org.duet.mixer.room.Participant;
import org.duet.mixer.session.ParticipantStats;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.Messages;

/** The body of {@code GET /api/stats}: the mixer tick and every participant's media counters. */
public final class StatsJson {

    private StatsJson() {
    }

    /** The engine's figures as served by GET /api/stats (also used by the benchmark's child mixer). */
    public static ObjectNode of(DuetMixer mixer) {
        ObjectNode root = Messages.JSON.createObjectNode();
        MixerStats m = mixer.stats();
        ObjectNode tick = root.putObject("tick");
        tick.put("p50Micros", m.tickP50Micros());
        tick.put("p99Micros", m.tickP99Micros());
        tick.put("ticks", m.ticks());
        tick.put("deadlineMisses", m.deadlineMisses());
        ObjectNode alloc = root.putObject("alloc");
        alloc.put("loopBytes", m.loopAllocatedBytes());
        alloc.put("codecBytes", m.codecAllocatedBytes());
        alloc.put("codecCalls", m.codecCalls());
        ObjectNode packets = root.putObject("packets");
        packets.put("in", m.packetsIn());
        packets.put("out", m.packetsOut());
        packets.put("dropped", m.packetsDropped());
        // the same, by stage and reason (metrics: duet_media_dropped_total, duet_loop_dropped_total)
        ObjectNode drops = packets.putObject("droppedBy");
        mixer.drops().snapshot().forEach((stage, reasons) -> {
            ObjectNode s = drops.putObject(stage);
            reasons.forEach(s::put);
        });
        ObjectNode loop = drops.putObject("loop");
        loop.put("sender_share", mixer.loops().stream().mapToLong(org.duet.mixer.engine.MediaLoop::shareDropped).sum());
        loop.put("pool_empty", mixer.loops().stream().mapToLong(org.duet.mixer.engine.MediaLoop::poolEmptyDropped).sum());
        loop.put("queue_full", mixer.loops().stream().mapToLong(org.duet.mixer.engine.MediaLoop::queueFullDropped).sum());
        loop.put("oversize", mixer.loops().stream().mapToLong(org.duet.mixer.engine.MediaLoop::oversizeDropped).sum());
        loop.put("stale", mixer.loops().stream().mapToLong(org.duet.mixer.engine.MediaLoop::staleDropped).sum());
        var rooms = root.putArray("rooms");
        for (Room room : mixer.rooms()) {
            ObjectNode r = rooms.addObject();
            r.put("name", room.name());
            var people = r.putArray("participants");
            for (Participant p : room.participants()) {
                ObjectNode o = people.addObject();
                o.put("id", p.id());
                o.put("role", p.role().wireName());
                ParticipantStats s = p.stats();
                ObjectNode st = o.putObject("stats");
                st.put("packetsIn", s.packetsIn());
                st.put("packetsOut", s.packetsOut());
                st.put("lost", s.lost());
                st.put("late", s.late());
                st.put("concealed", s.concealed());
                st.put("caughtUpMs", s.caughtUpMs());
                st.put("fecRecovered", s.fecRecovered());
                st.put("malformed", s.malformed());
                st.put("forwarding", s.forwarding());
                finite(st, "jitterTargetMs", s.jitterTargetMs());
                finite(st, "mixDelayMs", s.mixDelayMs());
                finite(st, "interarrivalJitterMs", s.interarrivalJitterMs());
                finite(st, "rttMs", s.rttMs());
                st.put("mixUnderruns", s.mixUnderruns());
                st.put("mixSteps", s.mixSteps());
                st.put("mixTicksSkipped", s.mixTicksSkipped());
                if (p.clockSync() != null) {
                    Messages.putSync(o.putObject("sync"), p.clockSync());
                }
                var placed = p.placement();
                if (placed != null) {
                    ObjectNode pl = o.putObject("placement");
                    pl.put("clock", placed.source().name().toLowerCase(java.util.Locale.ROOT));
                    finite(pl, "transitMs", placed.transitMs());
                    finite(pl, "errorMs", placed.errorMs());
                    pl.put("reanchors", placed.reanchors());
                    finite(pl, "slewedMs", placed.slewedMs());
                    finite(pl, "mediaToTimelineMs", placed.mediaToTimelineMs());
                    pl.put("sourceChanges", placed.sourceChanges());
                    pl.put("streamRestarts", placed.streamRestarts());
                    pl.put("anchorResets", placed.anchorResets());
                    finite(pl, "mappingRejectedTransitMs", placed.mappingRejectedTransitMs());
                }
                ObjectNode net = o.putObject("network");
                p.network().writeTo(net);
                if (p.echo() != null) {
                    p.echo().writeTo(net);
                }
            }
        }
        return root;
    }

    private static void finite(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.putNull(field);
        }
    }
}
