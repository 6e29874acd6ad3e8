package org.duet.coordinator.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.duet.coordinator.brewery.MixerPresence;
import org.duet.coordinator.brewery.MixerRegistry;
import org.duet.coordinator.config.CoordinatorConfig.FrontSettings;
import org.duet.coordinator.front.DuetFront;
import org.duet.coordinator.front.FrontCounters;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * What the duet front adds, as {@code name value unit} lines for {@code ./duet bench}. Workload: N
 * meetings (default 8), each one bridge connection sending one singer's media events at 50/s (80-byte
 * Opus payload) to a mixer that echoes each at once; the same load straight to the mixer and through
 * the front, in alternating phases, on loopback. Then one of two mixers is killed mid-stream.
 * <pre>
 *   java -cp ... org.duet.coordinator.bench.FrontRelayBenchmark [meetings] [seconds per phase]
 * </pre>
 */
public final class FrontRelayBenchmark {

    private FrontRelayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int meetings = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String secret = "bench-secret";
        String auth = "Bearer " + secret;
        MixerRegistry registry = new MixerRegistry(Duration.ofSeconds(60), 0.05);
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        WebSocketClient client = new WebSocketClient();
        client.start();
        try (EchoMixer m1 = new EchoMixer(); EchoMixer m2 = new EchoMixer()) {
            registry.announced("mixer-1", new MixerPresence("mixer-1", m1.url(), 0, 0, 0.1, false, "bench"));
            registry.announced("mixer-2", new MixerPresence("mixer-2", m2.url(), 0, 0, 0.1, false, "bench"));
            FrontSettings fs = new FrontSettings("127.0.0.1", 0, secret, "/translate", Duration.ofMillis(1500),
                    Duration.ofMillis(100), 1024, 65536, Duration.ofMillis(20));
            try (DuetFront front = DuetFront.start(fs, registry, () -> true)) {
                Recorder direct = new Recorder(3);
                Recorder relayed = new Recorder(3);
                Histogram directAll = new Histogram(3);
                Histogram relayedAll = new Histogram(3);
                for (int round = 0; round < 2; round++) {
                    directAll.add(phase(client, pacer, meetings, seconds, direct, i -> m1.url() + "/direct-" + i, auth));
                    relayedAll.add(phase(client, pacer, meetings, seconds, relayed,
                            i -> front.uri() + "relayed-" + i, auth));
                }
                double p50 = (relayedAll.getValueAtPercentile(50) - directAll.getValueAtPercentile(50)) / 2e6;
                double p99 = (relayedAll.getValueAtPercentile(99) - directAll.getValueAtPercentile(99)) / 2e6;
                FrontCounters.RelayDelay internal = front.counters().relayDelay();
                System.out.printf(Locale.ROOT, "# front relay: %d meetings x 50 media events/s, 2 x %d s per path,"
                        + " loopback, echo mixer; round trip p50 direct %.3f ms, through the front %.3f ms%n",
                        meetings, seconds, directAll.getValueAtPercentile(50) / 1e6,
                        relayedAll.getValueAtPercentile(50) / 1e6);
                System.out.printf(Locale.ROOT, "front_relay_added_latency_p50_ms %.3f ms%n", p50);
                System.out.printf(Locale.ROOT, "front_relay_added_latency_p99_ms %.3f ms%n", p99);
                System.out.printf(Locale.ROOT, "front_relay_internal_p50_us %.1f us%n", internal.p50Micros());
                System.out.printf(Locale.ROOT, "front_relay_internal_p99_us %.1f us%n", internal.p99Micros());
                failover(client, pacer, front, m1, meetings, auth);
            }
        } finally {
            pacer.shutdownNow();
            client.stop();
        }
    }

    /** Runs {@code meetings} connections for 1 s of warm-up plus {@code seconds}; returns the round trips. */
    private static Histogram phase(WebSocketClient client, ScheduledExecutorService pacer, int meetings, int seconds,
                                   Recorder rtt, java.util.function.IntFunction<String> url, String auth)
            throws Exception {
        List<BridgeLoad> loads = new ArrayList<>();
        for (int i = 0; i < meetings; i++) {
            loads.add(new BridgeLoad(rtt).connect(client, java.net.URI.create(url.apply(i)), auth));
        }
        Thread.sleep(300); // the front attaches each meeting to a mixer
        ScheduledFuture<?> tick = pacer.scheduleAtFixedRate(() -> loads.forEach(BridgeLoad::sendOne), 0, 20,
                TimeUnit.MILLISECONDS);
        Thread.sleep(1000);
        rtt.getIntervalHistogram(); // drop the warm-up
        Thread.sleep(seconds * 1000L);
        Histogram h = rtt.getIntervalHistogram();
        tick.cancel(false);
        loads.forEach(BridgeLoad::close);
        Thread.sleep(200);
        return h;
    }

    private static void failover(WebSocketClient client, ScheduledExecutorService pacer, DuetFront front,
                                 EchoMixer victim, int meetings, String auth) throws Exception {
        Recorder rtt = new Recorder(3);
        List<BridgeLoad> loads = new ArrayList<>();
        for (int i = 0; i < meetings; i++) {
            loads.add(new BridgeLoad(rtt).connect(client, java.net.URI.create(front.uri() + "failover-" + i), auth));
        }
        Thread.sleep(300);
        ScheduledFuture<?> tick = pacer.scheduleAtFixedRate(() -> loads.forEach(BridgeLoad::sendOne), 0, 20,
                TimeUnit.MILLISECONDS);
        Thread.sleep(1000);
        List<BridgeLoad> onVictim = new ArrayList<>();
        for (int i = 0; i < meetings; i++) {
            if ("mixer-1".equals(front.assignments().get("failover-" + i))) {
                onVictim.add(loads.get(i));
            }
        }
        long killedAt = System.nanoTime();
        victim.crash();
        long deadline = killedAt + TimeUnit.SECONDS.toNanos(5);
        double[] gaps = new double[onVictim.size()];
        for (int i = 0; i < onVictim.size(); i++) {
            BridgeLoad l = onVictim.get(i);
            while (l.lastReceivedNanos.get() < killedAt && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            gaps[i] = l.lastReceivedNanos.get() < killedAt ? Double.NaN : (l.lastReceivedNanos.get() - killedAt) / 1e6;
        }
        tick.cancel(false);
        loads.forEach(BridgeLoad::close);
        Arrays.sort(gaps);
        System.out.printf(Locale.ROOT, "# front failover: %d of %d meetings on the killed mixer; echoes resume"
                + " through the other mixer after the replay%n", onVictim.size(), meetings);
        System.out.printf(Locale.ROOT, "front_failover_media_gap_max_ms %.1f ms%n",
                gaps.length == 0 ? Double.NaN : gaps[gaps.length - 1]);
        System.out.printf(Locale.ROOT, "front_failover_switch_max_ms %.1f ms%n",
                front.stats().path("counters").path("failover_max_ms").asDouble());
    }
}
