package org.duet.mixer.jitsi;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.duet.mixer.room.DuetMixer;

/**
 * The Prometheus view of the Jitsi transport (Micrometer), per conference (tag {@code meeting}):
 * media events in and out, refusals by reason, open connections. Meters read thread-safe
 * counters when scraped; a conference's meters are removed when it closes.
 */
final class JitsiMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<JitsiConference, List<Meter>> perConference = new ConcurrentHashMap<>();

    JitsiMetrics(JitsiServer server, DuetMixer mixer) {
        Gauge.builder("duet.jitsi.conferences", server, s -> s.meetingIds().size())
                .description("Jitsi meetings this mixer serves").register(registry);
        for (JitsiDropReason r : new JitsiDropReason[] {JitsiDropReason.BAD_SECRET, JitsiDropReason.BAD_MEETING_ID}) {
            FunctionCounter.builder("duet.jitsi.refused", server, s -> s.refused().drops(r))
                    .tag("reason", r.wireName())
                    .description("bridge connections refused at the upgrade").register(registry);
        }
        Gauge.builder("duet.tick.p99", mixer, m -> m.stats().tickP99Micros() / 1e6).baseUnit("seconds")
                .description("mix tick duration, 99th percentile").register(registry);
        FunctionCounter.builder("duet.tick.deadline.misses", mixer, m -> m.stats().deadlineMisses())
                .description("ticks that ran later than their deadline").register(registry);
    }

    void add(JitsiConference c) {
        Tags tags = Tags.of("meeting", c.meetingId);
        List<Meter> meters = new ArrayList<>();
        JitsiCounters k = c.counters;
        meters.add(FunctionCounter.builder("duet.jitsi.media.in", k, JitsiCounters::mediaEventsIn).tags(tags)
                .description("media events received from the bridge and handed to the mixer").register(registry));
        meters.add(FunctionCounter.builder("duet.jitsi.media.out", k, JitsiCounters::mediaEventsOut).tags(tags)
                .description("media events sent to the bridge").register(registry));
        meters.add(FunctionCounter.builder("duet.jitsi.pings", k, JitsiCounters::pings).tags(tags)
                .description("pings answered").register(registry));
        meters.add(FunctionCounter.builder("duet.jitsi.connections", k, JitsiCounters::connections).tags(tags)
                .description("bridge connections accepted").register(registry));
        meters.add(FunctionCounter.builder("duet.jitsi.reanchors", k, JitsiCounters::reanchors).tags(tags)
                .description("exported streams re-anchored (restarted timestamps)").register(registry));
        for (JitsiDropReason r : JitsiDropReason.values()) {
            if (r == JitsiDropReason.BAD_SECRET || r == JitsiDropReason.BAD_MEETING_ID) {
                continue;
            }
            meters.add(FunctionCounter.builder("duet.jitsi.dropped", k, x -> x.drops(r)).tags(tags)
                    .tag("reason", r.wireName()).description("events refused, by reason").register(registry));
        }
        meters.add(Gauge.builder("duet.jitsi.connections.open", c, x -> x.snapshot().openConnections()).tags(tags)
                .description("open bridge connections").register(registry));
        perConference.put(c, meters);
    }

    void remove(JitsiConference c) {
        List<Meter> meters = perConference.remove(c);
        if (meters != null) {
            for (Meter m : meters) {
                registry.remove(m);
            }
        }
    }

    String scrape() {
        return registry.scrape();
    }
}
