package org.duet.mixer.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.duet.mixer.engine.MediaDrops;
import org.duet.mixer.engine.MediaLoop;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.ErrorCode;
import org.duet.mixer.signaling.SignalingService;

/**
 * The Prometheus view of the mixer (Micrometer): every meter reads the engine's thread-safe
 * stats when scraped, so nothing here runs on the media loop.
 */
final class DuetMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DuetMixer mixer;
    /** Per-receiver adaptation series (room, receiver), rebuilt from the rooms present at each scrape. */
    private final ReceiverMetrics receivers;

    DuetMetrics(DuetMixer mixer, SignalingService signaling) {
        this.mixer = mixer;
        this.receivers = new ReceiverMetrics(registry);
        Gauge.builder("duet.rooms", mixer, m -> m.rooms().size())
                .description("rooms open in the mixer").register(registry);
        Gauge.builder("duet.participants", mixer, DuetMetrics::participants)
                .description("participants in all rooms").register(registry);
        FunctionCounter.builder("duet.packets.in", mixer, m -> m.stats().packetsIn())
                .description("media packets received").register(registry);
        FunctionCounter.builder("duet.packets.out", mixer, m -> m.stats().packetsOut())
                .description("media packets sent").register(registry);
        FunctionCounter.builder("duet.packets.dropped", mixer, m -> m.stats().packetsDropped())
                .description("packets dropped (bad, late, queue full)").register(registry);
        // A gauge, not a counter: it sums over the participants present now, so it drops when one leaves.
        Gauge.builder("duet.jitter.caught.up.ms", mixer, DuetMetrics::caughtUpMs)
                .description("media time voices skipped after falling over a second behind (a starved loop), participants present now")
                .register(registry);
        Gauge.builder("duet.concealed.frames", mixer, DuetMetrics::concealed)
                .description("frames concealed (PLC) so far for the participants present now").register(registry);
        Gauge.builder("duet.echo.detected", mixer, m -> echoSum(m, 0))
                .description("singers whose microphone returns their mix now").register(registry);
        Gauge.builder("duet.howl.active", mixer, m -> echoSum(m, 1))
                .description("singers' voices with a feedback notch in now").register(registry);
        Gauge.builder("duet.howl.caught", mixer, m -> echoSum(m, 2))
                .description("feedback tones caught so far in the voices of the singers present now").register(registry);
        Gauge.builder("duet.adapt.changes", mixer, DuetMetrics::adaptChanges)
                .description("adaptation decisions so far for the streams we send the participants present now (per receiver: duet_adapt_receiver_changes)").register(registry);
        Gauge.builder("duet.tick.p50", mixer, m -> m.stats().tickP50Micros() / 1e6).baseUnit("seconds")
                .description("mix tick duration, median").register(registry);
        Gauge.builder("duet.tick.p99", mixer, m -> m.stats().tickP99Micros() / 1e6).baseUnit("seconds")
                .description("mix tick duration, 99th percentile").register(registry);
        FunctionCounter.builder("duet.tick.deadline.misses", mixer, m -> m.stats().deadlineMisses())
                .description("ticks that ran later than their deadline").register(registry);
        Gauge.builder("duet.signaling.sessions", signaling, SignalingService::openSessions)
                .description("open signaling WebSockets").register(registry);
        // every reason a packet is refused, by stage (issue 14: not one sum)
        for (MediaDrops.Stage stage : MediaDrops.Stage.values()) {
            for (String reason : MediaDrops.reasons(stage)) {
                FunctionCounter.builder("duet.media.dropped", mixer, m -> m.drops().get(stage, reason))
                        .tag("stage", stage.name().toLowerCase(java.util.Locale.ROOT)).tag("reason", reason)
                        .description("packets the media path refused, by stage and reason").register(registry);
            }
        }
        Map<String, java.util.function.ToDoubleFunction<MediaLoop>> loopDrops = new LinkedHashMap<>();
        loopDrops.put("sender_share", MediaLoop::shareDropped);
        loopDrops.put("pool_empty", MediaLoop::poolEmptyDropped);
        loopDrops.put("queue_full", MediaLoop::queueFullDropped);
        loopDrops.put("oversize", MediaLoop::oversizeDropped);
        loopDrops.put("stale", MediaLoop::staleDropped);
        loopDrops.forEach((reason, count) -> FunctionCounter.builder("duet.loop.dropped", mixer,
                        m -> m.loops().stream().mapToDouble(count).sum()).tag("reason", reason)
                .description("received packets a media loop dropped before handling them, by reason").register(registry));
        for (ErrorCode code : ErrorCode.values()) {
            FunctionCounter.builder("duet.signaling.errors", signaling, s -> s.errorCount(code))
                    .tag("code", code.wireName())
                    .description("signaling messages refused, by reason").register(registry);
        }
    }

    /** Prometheus text exposition format. */
    synchronized String scrape() {
        receivers.refresh(mixer);
        return registry.scrape();
    }

    private static double participants(DuetMixer mixer) {
        int n = 0;
        for (Room r : mixer.rooms()) {
            n += r.participants().size();
        }
        return n;
    }

    /** Over all singers: 0 echo detected, 1 howl notch in, 2 howls caught. */
    private static double echoSum(DuetMixer mixer, int what) {
        long n = 0;
        for (Room r : mixer.rooms()) {
            for (Participant p : r.participants()) {
                org.duet.mixer.echo.EchoReport e = p.echo();
                if (e != null) {
                    n += what == 0 ? (e.echo() ? 1 : 0) : what == 1 ? (e.howling() ? 1 : 0) : e.howls();
                }
            }
        }
        return n;
    }

    /** Over all participants present: how often the settings of the stream we send them changed. */
    private static double adaptChanges(DuetMixer mixer) {
        long n = 0;
        for (Room r : mixer.rooms()) {
            for (Participant p : r.participants()) {
                org.duet.mixer.adapt.NetworkReport net = p.network();
                org.duet.mixer.adapt.AdaptationSnapshot a = net == null ? null : net.receive();
                if (a != null) {
                    n += a.changes();
                }
            }
        }
        return n;
    }

    private static double caughtUpMs(DuetMixer mixer) {
        double n = 0;
        for (Room r : mixer.rooms()) {
            for (Participant p : r.participants()) {
                n += p.stats().caughtUpMs();
            }
        }
        return n;
    }

    private static double concealed(DuetMixer mixer) {
        long n = 0;
        for (Room r : mixer.rooms()) {
            for (Participant p : r.participants()) {
                n += p.stats().concealed();
            }
        }
        return n;
    }
}
