package org.duet.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.coordinator.brewery.BreweryClient;
import org.duet.coordinator.brewery.MixerRegistry;
import org.duet.coordinator.config.CoordinatorConfig.BrewerySettings;
import org.duet.coordinator.config.CoordinatorConfig.FrontSettings;
import org.duet.coordinator.front.DuetFront;
import org.duet.coordinator.testing.FakeBridge;
import org.duet.coordinator.testing.LocalProsody;
import org.duet.coordinator.testing.MixerProcess;
import org.duet.coordinator.testing.OpusVoices;
import org.duet.coordinator.testing.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two real mixers (child JVMs running {@code org.duet.mixer.Main mixer}: Jitsi transport + brewery
 * announcer) join the real Prosody's brewery; the coordinator sends a duet's bridge connection to one;
 * that mixer is killed with SIGKILL mid-song; the other takes over within 2 s and its
 * {@code <A>.duet} output decodes to A's tone, not B's.
 */
class RealMixersFailoverTest {

    private static final String A = "aaaa0001";
    private static final String B = "bbbb0002";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        open.add(c);
        return c;
    }

    @Test
    void aKilledMixerIsReplacedWithinTwoSecondsAndTheDuetKeepsSounding() throws Exception {
        LocalProsody prosody = LocalProsody.shared();
        String secret = "real-mixers-secret";
        String auth = "Bearer " + secret;
        String room = "duetbrewery" + Long.toHexString(System.nanoTime() & 0xffffff) + "@"
                + prosody.get("INTERNAL_MUC_DOMAIN");
        MixerRegistry registry = new MixerRegistry(Duration.ofSeconds(15), 0.05);
        BreweryClient brewery = later(new BreweryClient(prosody.coordinator(),
                new BrewerySettings(room, "duet-coordinator", Duration.ofSeconds(15), 0.05), registry)).start();
        MixerProcess m1 = later(MixerProcess.start("mixer-1", secret, prosody, room));
        MixerProcess m2 = later(MixerProcess.start("mixer-2", secret, prosody, room));
        long joined = Wait.until(90_000, () -> registry.live().size() == 2);
        assertThat(joined).as("both real mixers announced in the brewery; logs:\n" + m1.logTail() + "\n"
                + m2.logTail()).isNotNegative();
        System.out.printf(Locale.ROOT, "real mixers in the brewery after %d ms: %s%n", joined, registry.live());

        // Both mixers first serve a short duet of their own (straight, not through the front): a mixer that
        // takes over is one that is running, not a JVM that has never mixed (its first conference compiles
        // the whole media path; on this loaded machine that alone took 2 s).
        String[] toneA = OpusVoices.tone(440);
        String[] toneB = OpusVoices.tone(660);
        for (MixerProcess m : List.of(m1, m2)) {
            warmUp(m, auth, toneA, toneB);
        }

        FrontSettings fs = new FrontSettings("127.0.0.1", 0, secret, "/translate", Duration.ofMillis(1500),
                Duration.ofMillis(100), 1024, 65536, Duration.ofMillis(20));
        DuetFront front = later(DuetFront.start(fs, registry, brewery::joined));
        FakeBridge bridge = later(new FakeBridge()).connect(front.uri().resolve("real-duet"), auth);
        assertThat(Wait.until(15_000, () -> front.assignments().get("real-duet") != null)).isNotNegative();
        String first = front.assignments().get("real-duet");

        // what the bridge sends for a duet of A (440 Hz) and B (660 Hz): sources, starts, 50 media events/s each
        bridge.send("{\"event\":\"sources\",\"exports\":[\"" + A + "-a0\",\"" + B + "-a0\"],\"requests\":[\"" + A
                + "-a0.duet\",\"" + B + "-a0.duet\"]}");
        bridge.start(A + "-a0", A);
        bridge.start(B + "-a0", B);
        AtomicLong seq = new AtomicLong();
        AtomicLong frame = new AtomicLong();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        open.add(pacer::shutdownNow);
        pacer.scheduleAtFixedRate(() -> {
            long f = frame.incrementAndGet();
            bridge.send(media(seq.incrementAndGet(), A + "-a0", f, toneA[(int) (f % 50)]));
            bridge.send(media(seq.incrementAndGet(), B + "-a0", f, toneB[(int) (f % 50)]));
        }, 0, 20, TimeUnit.MILLISECONDS);

        assertThat(Wait.until(20_000, () -> outputs(bridge, A + "-a0.duet", 0).size() >= 100))
                .as("the first mixer's A.duet reaches the bridge").isNotNegative();
        MixerProcess victim = "mixer-1".equals(first) ? m1 : m2;
        int receivedBefore = bridge.received.size();
        long killedAt = System.nanoTime();
        victim.kill();
        long killDone = System.nanoTime();
        long switched = Wait.until(5_000, () -> {
            String now = front.assignments().get("real-duet");
            return now != null && !now.equals(first);
        });
        assertThat(switched).as("the front moved the meeting").isNotNegative();
        long switchSeen = System.nanoTime();
        int atSwitch = bridge.received.size();
        assertThat(Wait.until(5_000, () -> outputs(bridge, A + "-a0.duet", atSwitch).size() >= 50))
                .as("A.duet media from the other mixer").isNotNegative();
        // the audible gap: the longest silence between two A.duet events around the kill
        double gapMs = 0;
        long previous = -1;
        List<FakeBridge.Frame> snap = List.copyOf(bridge.received);
        for (FakeBridge.Frame f : snap.subList(receivedBefore - 50, snap.size())) {
            if (f.text().contains("\"" + A + "-a0.duet\"")) {
                if (previous > 0) {
                    gapMs = Math.max(gapMs, (f.nanos() - previous) / 1e6);
                }
                previous = f.nanos();
            }
        }
        System.out.printf(Locale.ROOT, "real_mixer_failover_gap_ms %.1f ms (longest pause of A.duet at the bridge"
                + " around the SIGKILL of %s; the front switched %.1f ms after losing it)%n", gapMs, first,
                front.counters().lastFailoverMicros() / 1000.0);
        double firstNew = snap.subList(atSwitch, snap.size()).stream()
                .filter(f -> f.text().contains("\"" + A + "-a0.duet\"")).findFirst()
                .map(f -> (f.nanos() - killedAt) / 1e6).orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "  kill took %.1f ms, switch seen by the test after %.1f ms, first A.duet of"
                + " the new mixer %.1f ms after the kill%n", (killDone - killedAt) / 1e6, (switchSeen - killedAt) / 1e6,
                firstNew);
        assertThat(gapMs).isBetween(0.0, 2000.0);
        assertThat(Wait.until(10_000, () -> registry.get(first).isEmpty())).as("killed mixer left the brewery")
                .isNotNegative();

        // two more seconds from the new mixer: A.duet carries A's voice (440 Hz), not B's (660 Hz)
        int from = bridge.received.size();
        assertThat(Wait.until(10_000, () -> outputs(bridge, A + "-a0.duet", from).size() >= 100)).isNotNegative();
        short[] pcm = OpusVoices.decode(outputs(bridge, A + "-a0.duet", from));
        short[] steady = java.util.Arrays.copyOfRange(pcm, pcm.length / 4, pcm.length);
        double a = OpusVoices.levelDb(steady, 440);
        double b = OpusVoices.levelDb(steady, 660);
        System.out.printf(Locale.ROOT, "after failover A.duet: 440 Hz %.1f dBFS, 660 Hz %.1f dBFS%n", a, b);
        assertThat(a).isGreaterThan(-30);
        assertThat(a - b).isGreaterThan(30);
    }

    private void warmUp(MixerProcess m, String auth, String[] toneA, String[] toneB) throws Exception {
        try (FakeBridge warm = new FakeBridge().connect(java.net.URI.create(m.url() + "/warm-up"), auth)) {
            warm.send("{\"event\":\"sources\",\"exports\":[\"" + A + "-a0\",\"" + B + "-a0\"],\"requests\":[\"" + A
                    + "-a0.duet\",\"" + B + "-a0.duet\"]}");
            warm.start(A + "-a0", A);
            warm.start(B + "-a0", B);
            long t0 = System.nanoTime();
            for (int f = 1; f <= 750 && outputs(warm, A + "-a0.duet", 0).size() < 50; f++) {
                warm.send(media(2L * f, A + "-a0", f, toneA[f % 50]));
                warm.send(media(2L * f + 1, B + "-a0", f, toneB[f % 50]));
                long next = t0 + f * 20_000_000L;
                long sleep = (next - System.nanoTime()) / 1_000_000L;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
            System.out.printf(Locale.ROOT, "warm-up of %s: first output after %.0f ms, %d outputs%n", m.url(),
                    warm.received.stream().filter(fr -> fr.text().contains(".duet\"")).findFirst()
                            .map(fr -> (fr.nanos() - t0) / 1e6).orElse(Double.NaN),
                    outputs(warm, A + "-a0.duet", 0).size());
        }
    }

    private static String media(long seq, String tag, long chunk, String payload) {
        return "{\"event\":\"media\",\"sequenceNumber\":\"" + seq + "\",\"media\":{\"tag\":\"" + tag + "\",\"chunk\":\""
                + chunk + "\",\"timestamp\":\"" + (chunk * 960) + "\",\"payload\":\"" + payload
                + "\",\"audioLevel\":30,\"vad\":true}}";
    }

    /** Payloads of media events tagged {@code tag} received from index {@code from} on. */
    private static List<String> outputs(FakeBridge bridge, String tag, int from) {
        List<String> out = new ArrayList<>();
        List<FakeBridge.Frame> frames = bridge.received;
        for (int i = from; i < frames.size(); i++) {
            String t = frames.get(i).text();
            if (t.contains("\"event\":\"media\"") && t.contains("\"" + tag + "\"")) {
                try {
                    JsonNode m = JSON.readTree(t).path("media");
                    if (tag.equals(m.path("tag").asText())) {
                        out.add(m.path("payload").asText());
                    }
                } catch (Exception e) {
                    // not ours
                }
            }
        }
        return out;
    }

}
