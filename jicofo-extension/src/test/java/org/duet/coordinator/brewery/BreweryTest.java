package org.duet.coordinator.brewery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.coordinator.config.CoordinatorConfig.BrewerySettings;
import org.duet.coordinator.config.CoordinatorConfig.FrontSettings;
import org.duet.coordinator.front.DuetFront;
import org.duet.coordinator.testing.FakeBridge;
import org.duet.coordinator.testing.FakeMixerAnnouncer;
import org.duet.coordinator.testing.FakeMixerServer;
import org.duet.coordinator.testing.LocalProsody;
import org.duet.coordinator.testing.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mixer announcement and selection through the real Prosody's brewery MUC, and the front moving a
 * running meeting when a mixer dies (socket and XMPP session gone at once) or announces shutdown.
 */
class BreweryTest {

    private static final long T = 15_000;
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
    void mixersAnnounceTheCoordinatorSelectsAndAMeetingSurvivesAMixerDying() throws Exception {
        LocalProsody prosody = LocalProsody.shared();
        String secret = "brewery-test-secret";
        String auth = "Bearer " + secret;
        String breweryRoom = "duetbrewery" + Long.toHexString(System.nanoTime() & 0xffffff) + "@"
                + prosody.get("INTERNAL_MUC_DOMAIN");
        // these stand-in announcers send presence only when told (real mixers refresh every 5 s), so silence
        // must not expire them during a slow run; expiry itself is MixerRegistryTest's
        MixerRegistry registry = new MixerRegistry(Duration.ofMinutes(5), 0.05);
        BreweryClient brewery = later(new BreweryClient(prosody.coordinator(),
                new BrewerySettings(breweryRoom, "duet-coordinator", Duration.ofMinutes(5), 0.05), registry));
        brewery.start();

        FakeMixerServer ws1 = later(new FakeMixerServer(auth));
        FakeMixerServer ws2 = later(new FakeMixerServer(auth));
        FakeMixerAnnouncer m1 = later(new FakeMixerAnnouncer(prosody.mixer(), breweryRoom,
                new MixerPresence("mixer-1", ws1.url(), 0, 0, 0.10, false, "test")));
        FakeMixerAnnouncer m2 = later(new FakeMixerAnnouncer(prosody.mixer(), breweryRoom,
                new MixerPresence("mixer-2", ws2.url(), 0, 0, 0.30, false, "test")));
        assertThat(brewery.awaitJoined(T)).isTrue();
        assertThat(Wait.until(T, () -> registry.live().size() == 2)).as("both mixers seen").isNotNegative();
        assertThat(registry.select(Set.of(), id -> 0).orElseThrow().id()).isEqualTo("mixer-1");

        // load changes arrive as presence updates: mixer-1 gets busy, mixer-2 is now the least loaded
        m1.announce(new MixerPresence("mixer-1", ws1.url(), 3, 6, 0.90, false, "test"));
        assertThat(Wait.until(T, () -> registry.get("mixer-1").map(m -> m.presence().load() == 0.90).orElse(false))).isNotNegative();
        assertThat(registry.select(Set.of(), id -> 0).orElseThrow().id()).isEqualTo("mixer-2");

        // a meeting through the front goes to mixer-2
        FrontSettings fs = new FrontSettings("127.0.0.1", 0, secret, "/translate", Duration.ofMillis(1500),
                Duration.ofMillis(100), 1024, 65536, Duration.ofMillis(20));
        DuetFront front = later(DuetFront.start(fs, registry, brewery::joined));
        assertThat(Wait.until(T, () -> front.unhealthyReason() == null)).isNotNegative();
        FakeBridge bridge = later(new FakeBridge()).connect(front.uri().resolve("brewery-meeting"), auth);
        assertThat(Wait.until(T, () -> "mixer-2".equals(front.assignments().get("brewery-meeting")))).isNotNegative();
        bridge.sources("abcd0001-a0", "abcd0001-a0.duet");
        bridge.start("abcd0001-a0", "abcd0001");
        AtomicLong chunk = new AtomicLong();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        open.add(pacer::shutdownNow);
        pacer.scheduleAtFixedRate(() -> bridge.media("abcd0001-a0", chunk.incrementAndGet()), 0, 20, TimeUnit.MILLISECONDS);
        assertThat(Wait.until(T, () -> ws2.count("\"event\":\"media\"") >= 25)).isNotNegative();

        // mixer-2 dies: its WebSocket and its XMPP session drop together
        long killedAt = System.nanoTime();
        ws2.crash();
        m2.crash();
        assertThat(Wait.until(T, () -> ws1.count("\"event\":\"media\"") > 0)).isNotNegative();
        double toMedia = ws1.frames.stream().filter(f -> f.text().contains("\"event\":\"media\"")).findFirst()
                .map(f -> (f.nanos() - killedAt) / 1e6).orElseThrow();
        long goneMs = Wait.until(T, () -> registry.get("mixer-2").isEmpty());
        System.out.printf(Locale.ROOT, "brewery_failover_to_first_media_ms %.1f ms (front's own figure, loss to"
                + " replay sent: %.1f ms); mixer-2 left the brewery after %d ms (presence unavailable from Prosody)%n",
                toMedia, front.counters().lastFailoverMicros() / 1000.0, goneMs);
        assertThat(toMedia).isBetween(0.0, 2000.0);
        assertThat(goneMs).isNotNegative();
        assertThat(ws1.frames.get(0).text()).startsWith("{\"event\":\"sources\"");
        assertThat(ws1.frames.get(1).text()).startsWith("{\"event\":\"start\"");
        assertThat(front.assignments()).containsEntry("brewery-meeting", "mixer-1");

        // a third mixer joins; mixer-1 announces graceful shutdown: the meeting moves to mixer-3
        FakeMixerServer ws3 = later(new FakeMixerServer(auth));
        later(new FakeMixerAnnouncer(prosody.mixer(), breweryRoom,
                new MixerPresence("mixer-3", ws3.url(), 0, 0, 0.50, false, "test")));
        assertThat(Wait.until(T, () -> registry.get("mixer-3").isPresent())).isNotNegative();
        // (the death of mixer-2 may have counted a migration too: its presence can beat its socket's close)
        long migrationsBefore = front.counters().migrations();
        m1.announce(new MixerPresence("mixer-1", ws1.url(), 1, 2, 0.10, true, "test"));
        assertThat(Wait.until(T, () -> "mixer-3".equals(front.assignments().get("brewery-meeting")))).isNotNegative();
        long n3 = ws3.count("\"event\":\"media\"");
        assertThat(Wait.until(T, () -> ws3.count("\"event\":\"media\"") > n3 + 10)).isNotNegative();
        assertThat(ws3.frames.get(0).text()).startsWith("{\"event\":\"sources\"");
        assertThat(front.counters().migrations()).isEqualTo(migrationsBefore + 1);
    }
}
