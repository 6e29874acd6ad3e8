package org.duet.coordinator.front;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge connection for one meeting, relayed to one mixer at a time. Frames pass both ways unchanged,
 * except the numbering of a new mixer's synthetic sources ({@link SyntheticContinuity}); the relay only remembers what a new mixer must be told: the last {@code sources} event, the last
 * {@code info} and each export's {@code start}. When the mixer connection drops (or its mixer leaves the brewery or announces graceful
 * shutdown) the relay connects to another live mixer and replays those before any further frame.
 *
 * <p>Threads: Jetty delivers one socket's frames one at a time. Control frames (sources, start, stop,
 * session-end) and the switch to a new mixer run under {@link #lock}, so a replay never misses a start;
 * media frames take no lock: they read the current mixer and go.
 */
final class MeetingRelay {

    private static final Logger LOG = LoggerFactory.getLogger(MeetingRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    final String meetingId;
    final String authorization;
    private final DuetFront front;
    final FrontMeeting meeting;
    private final FrontCounters counters;
    private final Pipe toBridge;
    private final Object lock = new Object();
    /** When the bridge last sent a text frame on this connection (System.nanoTime). */
    private volatile long lastFromBridgeNanos = System.nanoTime();

    private volatile MixerLink mixer;
    private volatile boolean closed;
    // replay state, under lock
    private String lastSources;
    private String lastInfo;
    private final Map<String, String> starts = new LinkedHashMap<>();
    // attach state, under lock
    private boolean attaching;
    private long lostAtNanos = -1;
    private final Set<String> avoid = new HashSet<>();
    /** Some mixer has served this meeting: the next one takes its voices over mid-duet. */
    private volatile boolean servedBefore;

    MeetingRelay(DuetFront front, FrontMeeting meeting, String authorization, Session bridge) {
        this.front = front;
        this.counters = front.counters;
        this.meeting = meeting;
        this.meetingId = meeting.meetingId;
        this.authorization = authorization;
        this.toBridge = new Pipe(bridge, front.settings.maxInFlight(), counters, counters.droppedSlowBridge);
    }

    Pipe pipeToMixer(Session mixerSession) {
        return new Pipe(mixerSession, front.settings.maxInFlight(), counters, counters.droppedSlowMixer);
    }

    /** The mixer this meeting is on now, or null. */
    String mixerId() {
        MixerLink m = mixer;
        return m == null ? null : m.mixerId;
    }

    boolean isClosed() {
        return closed;
    }

    // ---- bridge -> mixer ----

    void fromBridge(String frame, long receivedNanos) {
        lastFromBridgeNanos = receivedNanos;
        if (frame.length() > front.settings.maxMessageBytes()) {
            counters.droppedOversize.increment();
            return;
        }
        EventKind kind = EventKind.of(frame);
        if (kind == EventKind.MEDIA) {
            forwardToMixer(mixer, frame, receivedNanos);
            return;
        }
        if (kind == EventKind.PING) {
            // The bridge's ping checks its connection to us (3 s timeout by default). Answered here, not
            // by the mixer: a mixer that is busy, starting or being replaced must not make the bridge
            // drop the connection, since JVB 11146 then keeps the old socket beside the new one (see
            // FrontMeeting). The front watches its mixers itself.
            answerPing(frame);
            return;
        }
        MixerLink m;
        synchronized (lock) {
            remember(kind, frame);
            m = mixer;
        }
        if (m == null || !m.isOpen()) {
            if (!replayed(kind)) {
                counters.droppedNoMixer.increment();
            } // else: kept, the next mixer gets it in the replay
            return;
        }
        forwardToMixer(m, frame, receivedNanos);
    }

    private void forwardToMixer(MixerLink m, String frame, long receivedNanos) {
        Pipe p = m == null ? null : m.pipe();
        if (p != null && p.send(frame, receivedNanos)) {
            counters.framesBridgeToMixer.increment();
        } else {
            counters.droppedNoMixer.increment();
        }
    }

    private static boolean replayed(EventKind kind) {
        return kind == EventKind.SOURCES || kind == EventKind.INFO || kind == EventKind.START
                || kind == EventKind.STOP || kind == EventKind.SESSION_END;
    }

    /** Keeps what a replacement mixer needs. Caller holds {@link #lock}. */
    private void remember(EventKind kind, String frame) {
        switch (kind) {
            case SOURCES -> {
                lastSources = frame;
                Set<String> exports = exportsOf(frame);
                if (exports != null) {
                    starts.keySet().retainAll(exports);
                }
            }
            case INFO -> lastInfo = frame;
            case START -> {
                String tag = tagOf(frame, "start");
                if (tag != null) {
                    starts.remove(tag);
                    starts.put(tag, frame);
                }
            }
            case STOP -> {
                String tag = tagOf(frame, "stop");
                if (tag != null) {
                    starts.remove(tag);
                }
            }
            case SESSION_END -> {
                lastSources = null;
                lastInfo = null;
                starts.clear();
            }
            default -> {
            }
        }
    }

    private static Set<String> exportsOf(String frame) {
        try {
            JsonNode exports = JSON.readTree(frame).path("exports");
            if (!exports.isArray()) {
                return null;
            }
            Set<String> s = new HashSet<>();
            exports.forEach(e -> s.add(e.isObject() ? e.path("name").asText() : e.asText()));
            return s;
        } catch (Exception e) {
            return null;
        }
    }

    private static String tagOf(String frame, String field) {
        try {
            JsonNode n = JSON.readTree(frame);
            JsonNode tag = n.path(field).path("tag");
            return tag.isTextual() ? tag.asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Answers the bridge's ping on this connection. */
    private void answerPing(String ping) {
        JsonNode id;
        try {
            id = JSON.readTree(ping).path("id");
        } catch (Exception e) {
            counters.droppedNoMixer.increment();
            return;
        }
        String pong = "{\"event\":\"pong\",\"id\":" + (id.isMissingNode() ? "0" : id.toString()) + "}";
        // the bridge records the ping id only after sending it, so an instant pong would be rejected
        front.scheduler.schedule(() -> {
            if (!closed && toBridge.send(pong, System.nanoTime())) {
                counters.pongsByFront.increment();
            }
        }, front.settings.pongDelay().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    // ---- mixer -> bridge ----

    void fromMixer(MixerLink from, String frame) {
        if (from != mixer) {
            counters.droppedStaleMixer.increment(); // the meeting already moved to another mixer
            return;
        }
        if (frame.length() > front.settings.maxMessageBytes()) {
            counters.droppedOversize.increment();
            return;
        }
        EventKind kind = EventKind.of(frame);
        if (kind == EventKind.PONG) {
            counters.droppedStaleMixer.increment(); // the front answers the bridge's pings itself
            return;
        }
        long now = System.nanoTime();
        String out = meeting.continuity.rewrite(from, frame, kind, now);
        if (toBridge.send(out, now)) {
            counters.framesMixerToBridge.increment();
        }
    }

    /** When the bridge last sent a text frame on this connection (System.nanoTime). */
    long lastFromBridgeNanos() {
        return lastFromBridgeNanos;
    }

    /**
     * Keeps a connection the bridge no longer sends on open (a WebSocket ping, answered by the bridge's
     * WebSocket layer): closing it would make JVB 11146 drop the connection it does use (see FrontMeeting).
     */
    void keepAlive() {
        if (!closed) {
            toBridge.session().sendPing(java.nio.ByteBuffer.allocate(0), org.eclipse.jetty.websocket.api.Callback.NOOP);
            counters.keepAlives.increment();
        }
    }

    /** Closes this connection: its meeting has had no traffic from the bridge for a while. */
    void closeSilent() {
        toBridge.session().close(1001, "no traffic from the bridge", org.eclipse.jetty.websocket.api.Callback.NOOP);
        counters.silentClosed.increment();
        bridgeClosed(1001, "no traffic from the bridge");
    }

    void binaryDropped() {
        counters.droppedBinary.increment();
    }

    // ---- mixer assignment ----

    /** Finds a mixer for this meeting (now, then every retry-interval until one answers). */
    void attach() {
        startAttach();
    }

    /** @return whether this call started the search (false: one is under way, or the meeting ended) */
    private boolean startAttach() {
        synchronized (lock) {
            if (attaching || closed) {
                return false;
            }
            attaching = true;
        }
        front.scheduler.execute(this::tryAttach);
        return true;
    }

    private void tryAttach() {
        if (closed) {
            return;
        }
        MixerLink now = mixer;
        if (now != null && now.isOpen() && front.takesMeetings(now.mixerId)) {
            // the reason to move went away (e.g. the brewery connection came back with this mixer in it)
            synchronized (lock) {
                attaching = false;
                avoid.clear();
            }
            return;
        }
        Set<String> avoidNow;
        String current;
        synchronized (lock) {
            avoidNow = new HashSet<>(avoid);
            current = mixerId();
        }
        if (current != null) {
            avoidNow.add(current); // moving off it
        }
        DuetFront.Choice choice = front.choose(this, avoidNow);
        if (choice == null && current != null) {
            // nothing else is live: if the current mixer still serves and is not leaving, stay on it
            MixerLink m = mixer;
            if (m != null && m.isOpen() && front.takesMeetings(current)) {
                synchronized (lock) {
                    attaching = false;
                    avoid.clear();
                }
                return;
            }
        }
        if (choice == null) {
            synchronized (lock) {
                avoid.clear(); // nothing else is live: the avoided ones may be back on the next try
            }
            retryLater();
            return;
        }
        MixerLink link = new MixerLink(choice.mixerId(), this);
        front.connect(choice, link, authorization, servedBefore).whenComplete((session, error) -> {
            if (error != null) {
                counters.mixerConnectFailures.increment();
                LOG.warn("meeting {}: mixer {} at {} refused: {}", meetingId, choice.mixerId(), choice.uri(),
                        error.toString());
                link.close(1001, "connect failed");
                synchronized (lock) {
                    avoid.add(choice.mixerId());
                }
                retryLater();
            } else {
                counters.mixerConnects.increment();
                link.opened(session);
                switchTo(link);
            }
        });
    }

    private void retryLater() {
        if (closed) {
            synchronized (lock) {
                attaching = false;
            }
            return;
        }
        front.scheduler.schedule(this::tryAttach, front.settings.retryInterval().toNanos(),
                java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The new mixer answered: replay, then make it the current one, then let the old one go. */
    private void switchTo(MixerLink link) {
        MixerLink old;
        long lostAt;
        int replayed = 0;
        synchronized (lock) {
            attaching = false;
            avoid.clear();
            if (closed) {
                link.close(1001, "meeting ended");
                return;
            }
            long now = System.nanoTime();
            List<String> replay = new ArrayList<>(1 + starts.size());
            if (lastSources != null) {
                replay.add(lastSources);
            }
            if (lastInfo != null) {
                replay.add(lastInfo);
            }
            replay.addAll(starts.values());
            for (String f : replay) {
                if (link.pipe().send(f, now)) {
                    replayed++;
                } else {
                    LOG.warn("meeting {}: replay of a {} frame to mixer {} failed", meetingId, EventKind.of(f),
                            link.mixerId);
                }
            }
            LOG.info("meeting {}: replaying to mixer {}: sources {}, info {}, starts {}", meetingId, link.mixerId,
                    lastSources != null, lastInfo != null, starts.keySet());
            old = mixer;
            mixer = link;
            servedBefore = true;
            lostAt = lostAtNanos;
            lostAtNanos = -1;
        }
        counters.replayedFrames.add(replayed);
        if (!link.isOpen()) {
            mixerLost(link); // it dropped while we switched: fail over again
        }
        if (old != null) {
            old.close(1001, "meeting moved to another mixer");
        }
        if (lostAt >= 0) {
            long micros = (System.nanoTime() - lostAt) / 1000;
            counters.recordFailover(micros);
            LOG.info("meeting {}: now on mixer {} ({} frames replayed, {} ms after losing the previous one)",
                    meetingId, link.mixerId, replayed, micros / 1000.0);
        } else {
            LOG.info("meeting {}: on mixer {} ({} frames replayed)", meetingId, link.mixerId, replayed);
        }
        if (!closed && !front.takesMeetings(link.mixerId)) {
            // it announced graceful shutdown (or left the brewery) while we connected to it: its
            // announcement found no current mixer here to move off, so move now
            moveOff(link.mixerId);
        }
    }

    /** The mixer connection dropped on its own: fail over. */
    void mixerLost(MixerLink link) {
        synchronized (lock) {
            if (link != mixer) {
                return; // an old or never-used link
            }
            mixer = null;
            lostAtNanos = System.nanoTime();
            avoid.add(link.mixerId);
        }
        counters.mixerConnectionsLost.increment();
        if (!closed) {
            LOG.warn("meeting {}: lost mixer {}, failing over", meetingId, link.mixerId);
            attach();
        }
    }

    /** The current mixer left the brewery or is shutting down: move while it still serves (make before break). */
    void moveOff(String mixerId) {
        MixerLink m = mixer;
        if (m == null || !m.mixerId.equals(mixerId) || closed) {
            return;
        }
        synchronized (lock) {
            avoid.add(mixerId);
        }
        if (startAttach()) { // one move, whether the announcement or the switch noticed first
            counters.migrations.increment();
        }
    }

    void bridgeClosed(int code, String reason) {
        MixerLink m;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            m = mixer;
            mixer = null;
        }
        front.closed(this);
        if (m != null) {
            m.close(code == 1006 || code == 1011 ? 1001 : code, "bridge closed: " + reason);
        }
    }

    /** The front is stopping. */
    void shutdown() {
        toBridge.session().close(1001, "duet front stopping", org.eclipse.jetty.websocket.api.Callback.NOOP);
        bridgeClosed(1001, "front stopping");
    }
}
