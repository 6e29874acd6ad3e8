package org.duet.mixer.jitsi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.RoleTakenException;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Jitsi meeting on this mixer: a {@link Room} whose singers are the sources the bridge
 * exports and whose outputs are the synthetic sources it requests.
 *
 * <p>The room is built from what the connections of this meeting declare ({@code sources}:
 * exports and requests; {@code start}: a source's stream began). The bridge may hold several
 * connections for one meeting (one per exported source in Jicofo's per-source mode, and briefly
 * two after a reconnect), so the conference takes the union of what its connections declare; for
 * each requested name, the newest open connection that asked for it receives it. When a socket
 * drops, what it declared stays for {@code duet.jitsi.reconnect-grace}, so a reconnect resumes
 * the same voices and mixes; {@code session-end} removes it at once. With no connection left, the
 * room closes.
 *
 * <p>All bookkeeping is under this object's lock (Jetty threads only); the media loop never
 * takes it, and the media path reads only volatile snapshots.
 */
final class JitsiConference {

    private static final Logger LOG = LoggerFactory.getLogger(JitsiConference.class);

    final String meetingId;
    final Room room;
    final JitsiCounters counters = new JitsiCounters();
    private final JitsiServer server;
    private final int frameSamples;
    private final List<JitsiConnection> connections = new ArrayList<>();
    private final Map<String, ExportedVoice> voices = new LinkedHashMap<>();
    private final Map<String, SyntheticStream> streams = new LinkedHashMap<>();
    private final Set<String> listeners = new HashSet<>();
    private volatile String[] nonOpus = new String[0];
    private boolean closed;

    JitsiConference(JitsiServer server, String meetingId, Room room, int frameSamples) {
        this.server = server;
        this.meetingId = meetingId;
        this.room = room;
        this.frameSamples = frameSamples;
    }

    // ---- connections ----

    /** @return false when the conference closed meanwhile (the caller makes a new one) */
    synchronized boolean attach(JitsiConnection c) {
        if (closed) {
            return false;
        }
        connections.add(c);
        counters.connection();
        reconcile();
        return true;
    }

    /** The socket closed: keep what it declared for the grace period, then forget it. */
    void detach(JitsiConnection c) {
        long grace;
        synchronized (this) {
            if (c.sessionEnded || !connections.contains(c)) {
                grace = 0;
            } else {
                grace = server.settings().reconnectGrace().toNanos();
            }
            reconcile(); // re-bind names to another open connection, if one asked for them
        }
        if (grace == 0) {
            forget(c);
        } else {
            server.scheduler().schedule(() -> forget(c), grace, TimeUnit.NANOSECONDS);
        }
    }

    void onSessionEnd(JitsiConnection c) {
        synchronized (this) {
            c.sessionEnded = true;
        }
        forget(c);
    }

    private void forget(JitsiConnection c) {
        synchronized (this) {
            if (!connections.remove(c)) {
                return;
            }
            reconcile();
        }
        server.closeIfIdle(this);
    }

    /** True (and closed for good) when no connection is left; called under the server's lock. */
    synchronized boolean closeIfIdle() {
        if (closed || !connections.isEmpty()) {
            return false;
        }
        closed = true;
        return true;
    }

    // ---- declarations ----

    synchronized void onSources(JitsiConnection c, List<String> exports, List<String> requests) {
        List<String> validExports = new ArrayList<>();
        for (String tag : exports) {
            if (SyntheticName.isValidSource(tag)) {
                validExports.add(tag);
            } else {
                counters.drop(JitsiDropReason.UNKNOWN_TAG);
            }
        }
        List<String> valid = new ArrayList<>();
        for (String name : requests) {
            if (SyntheticName.parse(name) == null) {
                counters.drop(JitsiDropReason.UNKNOWN_NAME);
                LOG.info("meeting {}: ignoring requested name '{}' (only <source>.duet and <source>.duetmix)",
                        meetingId, name);
            } else {
                valid.add(name);
            }
        }
        c.exports = validExports;
        c.requests = valid;
        if (c.resumed && c.resumedExports == null) {
            c.resumedExports = List.copyOf(validExports);
        }
        reconcile();
    }

    /** A source's stream (re)started on {@code c}; returns its voice, or null when it is not in the room. */
    synchronized ExportedVoice onStart(JitsiConnection c, String tag) {
        if (!c.startedTags.contains(tag)) {
            c.startedTags.add(tag);
        }
        removeNonOpus(tag);
        reconcile();
        ExportedVoice v = voices.get(tag);
        if (v != null) {
            v.start(c);
        }
        return v;
    }

    synchronized void markNonOpus(String tag) {
        for (String t : nonOpus) {
            if (t.equals(tag)) {
                return;
            }
        }
        String[] grown = java.util.Arrays.copyOf(nonOpus, nonOpus.length + 1);
        grown[nonOpus.length] = tag;
        nonOpus = grown;
    }

    private void removeNonOpus(String tag) {
        List<String> kept = new ArrayList<>(List.of(nonOpus));
        if (kept.remove(tag)) {
            nonOpus = kept.toArray(new String[0]);
        }
    }

    /** Whether the event's tag was refused at its start for not being Opus (media path: no allocation). */
    boolean isNonOpus(MediaJsonEvent e) {
        for (String t : nonOpus) {
            if (e.tagEquals(t)) {
                return true;
            }
        }
        return false;
    }

    // ---- the room follows the declarations ----

    private void reconcile() {
        Set<String> wantVoices = new LinkedHashSet<>();
        Map<String, JitsiConnection> sinks = new LinkedHashMap<>();
        for (JitsiConnection c : connections) {
            wantVoices.addAll(c.exports);
            wantVoices.addAll(c.startedTags);
            for (String name : c.requests) {
                JitsiConnection prev = sinks.get(name);
                // the newest open connection wins; a closed one (in its grace period) only if none is open
                if (prev == null || c.isOpen() || !prev.isOpen()) {
                    sinks.put(name, c);
                }
            }
        }
        // voices: leave those no connection declares, join the new ones
        for (var it = voices.entrySet().iterator(); it.hasNext(); ) {
            ExportedVoice v = it.next().getValue();
            if (!wantVoices.contains(v.tag)) {
                it.remove();
                v.removed = true;
                if (v.participantId != null) {
                    room.leave(v.participantId);
                }
                LOG.info("meeting {}: voice {} left", meetingId, v.tag);
            }
        }
        for (String tag : wantVoices) {
            ExportedVoice v = voices.computeIfAbsent(tag, t -> new ExportedVoice(t, counters));
            if (v.participantId == null) {
                join(v);
            }
        }
        // synthetic streams: drop those no longer requested, bind the others to their newest connection
        for (var it = streams.entrySet().iterator(); it.hasNext(); ) {
            SyntheticStream s = it.next().getValue();
            if (!sinks.containsKey(s.name.name())) {
                it.remove();
                s.sink = null;
                if (listeners.remove(s.name.name())) {
                    room.leave(s.name.name());
                }
            }
        }
        for (var e : sinks.entrySet()) {
            SyntheticStream s = streams.computeIfAbsent(e.getKey(),
                    n -> new SyntheticStream(SyntheticName.parse(n), frameSamples, counters, e.getValue().resumed));
            s.sink = e.getValue();
            if (s.name.kind() == SyntheticName.Kind.DUETMIX && !listeners.contains(s.name.name())) {
                JitsiTransport t = new JitsiTransport("jitsi " + s.name.name());
                t.streams = new SyntheticStream[] {s};
                try {
                    room.join(s.name.name(), Role.LISTENER, t, ExportedVoice.SUBSCRIBER_FORMAT);
                    listeners.add(s.name.name());
                } catch (RoleTakenException | IllegalArgumentException ex) {
                    LOG.warn("meeting {}: cannot add listener mix {}: {}", meetingId, s.name.name(), ex.getMessage());
                }
            }
        }
        bindMixMinus();
    }

    /** {@code <X>.duet} goes out of the mix-minus of the one singer who is not X. */
    private void bindMixMinus() {
        Map<ExportedVoice, List<SyntheticStream>> bound = new LinkedHashMap<>();
        for (ExportedVoice v : voices.values()) {
            bound.put(v, new ArrayList<>());
        }
        for (SyntheticStream s : streams.values()) {
            if (s.name.kind() != SyntheticName.Kind.DUET) {
                continue;
            }
            ExportedVoice receiver = null;
            int candidates = 0;
            for (ExportedVoice v : voices.values()) {
                if (v.participantId != null && !v.tag.equals(s.name.source())) {
                    receiver = v;
                    candidates++;
                }
            }
            if (candidates == 1) {
                bound.get(receiver).add(s);
            }
        }
        for (var e : bound.entrySet()) {
            e.getKey().transport.streams = e.getValue().toArray(new SyntheticStream[0]);
        }
    }

    private void join(ExportedVoice v) {
        String label = freeSingerLabel();
        try {
            if (label == null) {
                throw new IllegalArgumentException("no singer label left");
            }
            v.transport.resumed = takenOver(v.tag);
            room.join(v.tag, Role.singer(label), v.transport, ExportedVoice.FORMAT);
            v.participantId = v.tag;
            LOG.info("meeting {}: voice {} joined as singer {}", meetingId, v.tag, label);
        } catch (RoleTakenException | IllegalArgumentException ex) {
            counters.drop(JitsiDropReason.TOO_MANY_VOICES);
            LOG.warn("meeting {}: voice {} not mixed: {}", meetingId, v.tag, ex.getMessage());
        }
    }

    /** A voice this mixer takes over from another mixer mid-duet (see {@link JitsiConnection#resumed}). */
    private boolean takenOver(String tag) {
        for (JitsiConnection c : connections) {
            if (c.resumedExports != null && c.resumedExports.contains(tag)) {
                return true;
            }
        }
        return false;
    }

    private String freeSingerLabel() {
        Set<String> taken = new HashSet<>();
        for (Participant p : room.participants()) {
            if (p.role().isSinger()) {
                taken.add(p.role().label());
            }
        }
        for (char c = 'a'; c <= 'z'; c++) {
            String l = String.valueOf(c);
            if (!taken.contains(l)) {
                return l;
            }
        }
        return null;
    }

    // ---- figures ----

    synchronized ConferenceSnapshot snapshot() {
        List<ConferenceSnapshot.Voice> vs = new ArrayList<>();
        for (ExportedVoice v : voices.values()) {
            JitsiConnection owner = v.owner;
            vs.add(new ConferenceSnapshot.Voice(v.tag, v.participantId != null, owner == null ? -1 : owner.id(),
                    v.arrivalLagMs(), v.arrivalLagMaxMs(), v.arrivalLagMaxAtS()));
        }
        List<ConferenceSnapshot.Stream> ss = new ArrayList<>();
        for (SyntheticStream s : streams.values()) {
            JitsiConnection sink = s.sink;
            ss.add(new ConferenceSnapshot.Stream(s.name.name(), sink == null ? -1 : sink.id(), s.eventsSent(), s.unsent(),
                    s.lagMs(), s.maxLagMs(), s.maxLagAtS(), s.heldAtStart(), s.clockJumps()));
        }
        int open = 0;
        for (JitsiConnection c : connections) {
            if (c.isOpen()) {
                open++;
            }
        }
        return new ConferenceSnapshot(meetingId, room.name(), open, connections.size(), vs, ss);
    }
}
