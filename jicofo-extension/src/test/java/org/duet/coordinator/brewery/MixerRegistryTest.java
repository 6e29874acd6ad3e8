package org.duet.coordinator.brewery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MixerRegistryTest {

    private final AtomicLong now = new AtomicLong();
    private final MixerRegistry registry = new MixerRegistry(Duration.ofSeconds(15), 0.05, now::get);
    private final List<String> events = new ArrayList<>();

    MixerRegistryTest() {
        registry.addListener((id, why) -> events.add(id + ":" + why));
    }

    private static MixerPresence mixer(String id, int conferences, double load, boolean graceful) {
        return new MixerPresence(id, URI.create("ws://10.77.0.1:1877" + id.charAt(id.length() - 1) + "/translate"),
                conferences, conferences * 2, load, graceful, "0.1.0");
    }

    @Test
    void selectsTheLeastLoadedLiveMixerThatIsNotShuttingDown() {
        registry.announced("n1", mixer("mixer-1", 3, 0.30, false));
        registry.announced("n2", mixer("mixer-2", 1, 0.10, false));
        registry.announced("n3", mixer("mixer-3", 0, 0.01, true));
        assertThat(registry.select(Set.of(), id -> 0).orElseThrow().id()).isEqualTo("mixer-2");
        assertThat(registry.select(Set.of("mixer-2"), id -> 0).orElseThrow().id()).isEqualTo("mixer-1");
        // meetings the front placed but the presence does not count yet weigh conference-load each
        assertThat(registry.select(Set.of(), id -> id.equals("mixer-2") ? 6 : 0).orElseThrow().id())
                .isEqualTo("mixer-1"); // 0.10 + 5 * 0.05 = 0.35 > 0.30
        assertThat(events).containsExactly("mixer-3:GRACEFUL_SHUTDOWN");
    }

    @Test
    void unavailablePresenceAndSilenceRemoveAMixer() {
        registry.announced("n1", mixer("mixer-1", 0, 0.1, false));
        registry.announced("n2", mixer("mixer-2", 0, 0.2, false));
        registry.unavailable("n1");
        assertThat(registry.live()).extracting(MixerRegistry.Mixer::id).containsExactly("mixer-2");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        registry.announced("n3", mixer("mixer-3", 0, 0.5, false));
        now.addAndGet(Duration.ofSeconds(6).toNanos()); // mixer-2 silent for 16 s, mixer-3 for 6 s
        registry.expireStale();
        assertThat(registry.live()).extracting(MixerRegistry.Mixer::id).containsExactly("mixer-3");
        assertThat(events).containsExactly("mixer-1:GONE", "mixer-2:STALE");
        assertThat(registry.select(Set.of(), id -> 0).orElseThrow().id()).isEqualTo("mixer-3");
        registry.unavailable("n3");
        assertThat(registry.select(Set.of(), id -> 0)).isEmpty();
    }

    @Test
    void invalidAnnouncementsAreCountedAndChangeNothing() {
        registry.announced("n1", mixer("mixer-1", 0, 0.1, false));
        registry.invalid("n1", "bad load");
        assertThat(registry.presencesInvalid()).isEqualTo(1);
        assertThat(registry.live()).hasSize(1);
    }
}
