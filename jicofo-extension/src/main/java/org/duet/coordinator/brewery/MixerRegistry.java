package org.duet.coordinator.brewery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live set of mixers, fed by brewery presence: an announcement adds or refreshes a mixer, presence
 * unavailable removes it, and so does silence longer than {@code stale-after} (mixers refresh every 5 s).
 * Selection: the least loaded live mixer that is not shutting down.
 */
public final class MixerRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(MixerRegistry.class);

    /** Why a mixer stops taking meetings. */
    public enum Leaving { GONE, STALE, GRACEFUL_SHUTDOWN }

    /** Told when a mixer leaves the live set or announces graceful shutdown (called without the registry's lock). */
    public interface Listener {
        void mixerLeaving(String mixerId, Leaving why);
    }

    /** One live mixer as the front sees it. */
    public record Mixer(String id, String occupant, MixerPresence presence, long lastSeenNanos) {
    }

    private final Map<String, Mixer> byId = new HashMap<>();
    private final Map<String, String> idByOccupant = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final LongSupplier nanoTime;
    private final long staleAfterNanos;
    private final double conferenceLoad;

    private final AtomicLong presences = new AtomicLong();
    private final AtomicLong presencesInvalid = new AtomicLong();
    private final AtomicLong mixersJoined = new AtomicLong();
    private final AtomicLong mixersLeft = new AtomicLong();

    public MixerRegistry(Duration staleAfter, double conferenceLoad, LongSupplier nanoTime) {
        this.staleAfterNanos = staleAfter.toNanos();
        this.conferenceLoad = conferenceLoad;
        this.nanoTime = nanoTime;
    }

    public MixerRegistry(Duration staleAfter, double conferenceLoad) {
        this(staleAfter, conferenceLoad, System::nanoTime);
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** A presence with a valid announcement from occupant {@code occupant} (its MUC nickname). */
    public void announced(String occupant, MixerPresence p) {
        presences.incrementAndGet();
        boolean fresh;
        boolean startsShutdown;
        String replacedId;
        synchronized (this) {
            replacedId = idByOccupant.put(occupant, p.id());
            if (replacedId != null && !replacedId.equals(p.id())) {
                byId.remove(replacedId); // the occupant renamed its mixer: the old id is gone
            } else {
                replacedId = null;
            }
            Mixer old = byId.put(p.id(), new Mixer(p.id(), occupant, p, nanoTime.getAsLong()));
            fresh = old == null;
            startsShutdown = p.gracefulShutdown() && (old == null || !old.presence().gracefulShutdown());
        }
        if (replacedId != null) {
            left(replacedId, Leaving.GONE);
        }
        if (fresh) {
            mixersJoined.incrementAndGet();
            LOG.info("mixer joined the brewery: {}", p);
        }
        if (startsShutdown) {
            LOG.info("mixer {} announces graceful shutdown", p.id());
            fire(p.id(), Leaving.GRACEFUL_SHUTDOWN);
        }
    }

    /** A presence whose announcement did not validate: counted, the mixer's previous state stays. */
    public void invalid(String occupant, String reason) {
        presences.incrementAndGet();
        presencesInvalid.incrementAndGet();
        LOG.warn("invalid mixer announcement from {}: {}", occupant, reason);
    }

    /** Presence unavailable from {@code occupant}: the mixer is gone. */
    public void unavailable(String occupant) {
        String id;
        synchronized (this) {
            id = idByOccupant.remove(occupant);
            if (id == null || byId.remove(id) == null) {
                return;
            }
        }
        left(id, Leaving.GONE);
    }

    /** Drops mixers silent for longer than {@code stale-after}; call it every second or so. */
    public void expireStale() {
        long now = nanoTime.getAsLong();
        List<String> stale = new ArrayList<>();
        synchronized (this) {
            byId.values().removeIf(m -> {
                if (now - m.lastSeenNanos() > staleAfterNanos) {
                    stale.add(m.id());
                    idByOccupant.remove(m.occupant());
                    return true;
                }
                return false;
            });
        }
        stale.forEach(id -> left(id, Leaving.STALE));
    }

    /** Every mixer is gone (the brewery connection was lost: its presences can no longer be trusted). */
    public void clear() {
        List<String> ids;
        synchronized (this) {
            ids = new ArrayList<>(byId.keySet());
            byId.clear();
            idByOccupant.clear();
        }
        ids.forEach(id -> left(id, Leaving.GONE));
    }

    private void left(String id, Leaving why) {
        mixersLeft.incrementAndGet();
        LOG.info("mixer {} left the live set ({})", id, why);
        fire(id, why);
    }

    private void fire(String id, Leaving why) {
        for (Listener l : listeners) {
            try {
                l.mixerLeaving(id, why);
            } catch (RuntimeException e) {
                LOG.warn("mixer listener failed", e);
            }
        }
    }

    /**
     * The least loaded live mixer not in {@code exclude} and not shutting down. {@code placedByFront} says how
     * many meetings the front has on a mixer; the ones its presence does not count yet (presence refreshes
     * every 5 s) add {@code conference-load} each, so a burst of meetings spreads instead of piling onto one.
     */
    public Optional<Mixer> select(Set<String> exclude, ToIntFunction<String> placedByFront) {
        List<Mixer> live = live();
        return live.stream()
                .filter(m -> !m.presence().gracefulShutdown() && !exclude.contains(m.id()))
                .min(Comparator.<Mixer>comparingDouble(m -> effectiveLoad(m, placedByFront.applyAsInt(m.id())))
                        .thenComparingInt(m -> m.presence().conferences())
                        .thenComparing(Mixer::id));
    }

    double effectiveLoad(Mixer m, int placed) {
        int unannounced = Math.max(0, placed - m.presence().conferences());
        return m.presence().load() + conferenceLoad * unannounced;
    }

    public synchronized Optional<Mixer> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The live mixers, by id. */
    public synchronized List<Mixer> live() {
        List<Mixer> l = new ArrayList<>(byId.values());
        l.sort(Comparator.comparing(Mixer::id));
        return l;
    }

    public long presences() {
        return presences.get();
    }

    public long presencesInvalid() {
        return presencesInvalid.get();
    }

    public long mixersJoined() {
        return mixersJoined.get();
    }

    public long mixersLeft() {
        return mixersLeft.get();
    }

    public Duration staleAfter() {
        return Duration.ofNanos(staleAfterNanos);
    }

    /** For the stats page: age of the last presence. */
    public long ageMillis(Mixer m) {
        return (nanoTime.getAsLong() - m.lastSeenNanos()) / 1_000_000;
    }
}
