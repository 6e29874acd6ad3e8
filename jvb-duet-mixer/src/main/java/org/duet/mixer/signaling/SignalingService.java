package org.duet.mixer.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.duet.mixer.access.AccessSettings;
import org.duet.mixer.access.RoomAccess;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.store.RoomStore;
import org.duet.mixer.room.MixerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signaling side of standalone mode: opens a {@link SignalingSession} per WebSocket, pushes
 * stats to joined clients on its own timer thread, and counts refusals by reason.
 */
public final class SignalingService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingService.class);

    private final DuetMixer mixer;
    private final RoomDirectory directory;
    private final SignalingSettings settings;
    private final WebRtcPeerFactory peers;
    private volatile RoomStore store;
    private volatile boolean shuttingDown;
    /** Resume tokens of members from before a restart (from the room store), by token. */
    private final Map<String, RoomStore.MemberRecord> restored = new ConcurrentHashMap<>();
    private final RoomAccess access;
    private final Set<SignalingSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);
    private final ScheduledExecutorService statsTimer;
    private volatile SignalingExtension extension;
    private final Map<String, Integer> socketsPerAddress = new java.util.HashMap<>();
    private final LongAdder mediaEnded = new LongAdder();
    private final LongAdder socketsRefused = new LongAdder();

    /** @param peers the WebRTC transport; null answers every offer with {@link ErrorCode#WEBRTC_UNAVAILABLE} */
    public SignalingService(DuetMixer mixer, RoomDirectory directory, WebRtcPeerFactory peers) {
        this(mixer, directory, peers, new RoomAccess(new AccessSettings(true, "", "", "", "")));
    }

    /** @param access who may enter which room (invites, tokens, open rooms) */
    public SignalingService(DuetMixer mixer, RoomDirectory directory, WebRtcPeerFactory peers, RoomAccess access) {
        this.access = access;
        directory.onRoomClosed(access::forget);
        this.mixer = mixer;
        this.directory = directory;
        this.settings = directory.settings();
        this.peers = peers;
        for (ErrorCode c : ErrorCode.values()) {
            errors.put(c, new LongAdder());
        }
        this.statsTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duet-signaling-stats");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, settings.statsInterval().toMillis());
        statsTimer.scheduleAtFixedRate(this::pushStats, every, every, TimeUnit.MILLISECONDS);
        statsTimer.scheduleWithFixedDelay(this::housekeeping, 1000, 1000, TimeUnit.MILLISECONDS);
    }

    /**
     * A new client connected. Beyond {@code duet.limits.max-sockets} overall or
     * {@code max-sockets-per-address} from its address, it gets a {@code limit-reached} error and
     * the socket is closed (1013, try again later).
     */
    public SignalingSession open(Outbox out) {
        SignalingSession s = new SignalingSession(this, out);
        String address = out.clientAddress();
        LimitSettings limits = directory.limits();
        String refusal = null;
        synchronized (socketsPerAddress) {
            int mine = address == null ? 0 : socketsPerAddress.getOrDefault(address, 0);
            if (sessions.size() >= limits.maxSockets()) {
                refusal = "the server has its maximum of " + limits.maxSockets() + " connections; try again later";
            } else if (mine >= limits.maxSocketsPerAddress()) {
                refusal = "too many connections from your address (at most " + limits.maxSocketsPerAddress() + ")";
            } else {
                sessions.add(s);
                if (address != null) {
                    socketsPerAddress.merge(address, 1, Integer::sum);
                }
            }
        }
        if (refusal != null) {
            socketsRefused.increment();
            countError(ErrorCode.LIMIT_REACHED);
            out.send(Messages.error(ErrorCode.LIMIT_REACHED, refusal, null));
            out.close(1013, "try again later");
            s.markClosed();
            return s;
        }
        out.send(Messages.welcome(settings, peers != null));
        return s;
    }

    void forget(SignalingSession s, String address) {
        synchronized (socketsPerAddress) {
            if (sessions.remove(s) && address != null) {
                socketsPerAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    /** Runs {@code task} on the signaling timer thread (off the caller's thread). */
    void later(Runnable task) {
        try {
            statsTimer.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("signaling task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: close() releases everything anyway
        }
    }

    /** Once a second: roles without media are released, long-empty rooms closed. */
    private void housekeeping() {
        long now = System.nanoTime();
        for (SignalingSession s : sessions) {
            try {
                s.checkMedia(now);
            } catch (RuntimeException e) {
                LOG.warn("media check failed", e);
            }
        }
        try {
            directory.closeIdleRooms(now);
        } catch (RuntimeException e) {
            LOG.warn("closing idle rooms failed", e);
        }
    }

    private final LongAdder slowReaders = new LongAdder();

    void countSlowReader() {
        slowReaders.increment();
    }

    /** Signaling sockets dropped because their client stopped reading (queue full or write timeout). */
    public long slowReadersDropped() {
        return slowReaders.sum();
    }

    void countMediaEnded() {
        mediaEnded.increment();
    }

    /** Sessions whose media failed, was closed by the browser, or never came up (role released). */
    public long mediaEndedCount() {
        return mediaEnded.sum();
    }

    /** Sockets refused by the socket caps. */
    public long socketsRefused() {
        return socketsRefused.sum();
    }

    private void pushStats() {
        if (sessions.isEmpty()) {
            return;
        }
        MixerStats mixerStats = mixer.stats(); // once per round, not once per client
        for (SignalingSession s : sessions) {
            try {
                s.pushStats(mixerStats);
            } catch (RuntimeException e) {
                LOG.debug("stats push failed", e);
            }
        }
    }

    void countError(ErrorCode code) {
        errors.get(code).increment();
    }

    public long errorCount(ErrorCode code) {
        return errors.get(code).sum();
    }

    public int openSessions() {
        return sessions.size();
    }

    /** Keeps joins, leaves and invites in {@code store} from now on; restores members it knows. */
    public void useStore(RoomStore store) {
        this.store = store;
        for (RoomStore.MemberRecord m : store.members()) {
            restored.put(m.token(), m);
        }
    }

    /**
     * Keeps a room's sync mode across restarts: called after a {@code sync} command was applied,
     * from signaling and the control API; only {@code "action": "mode"} changes what is stored.
     */
    public static void rememberSyncMode(RoomStore store, String room, JsonNode msg) {
        if (store == null || !"mode".equals(msg.path("action").asText())) {
            return;
        }
        store.putSyncMode(room, org.duet.mixer.sync.SyncMode.parse(msg.path("mode").asText(null)).wireName(),
                msg.hasNonNull("leader") ? msg.get("leader").asText() : null);
    }

    /** The store, once {@link #useStore} was called; null for a server that keeps nothing. */
    RoomStore store() {
        return store;
    }

    /** A member from before the restart that held {@code token} in {@code room}, taken once; or null. */
    RoomStore.MemberRecord takeRestored(String room, String token) {
        if (token == null) {
            return null;
        }
        RoomStore.MemberRecord m = restored.get(token);
        if (m == null || !m.room().equals(room) || !restored.remove(token, m)) {
            return null;
        }
        RoomStore s = store;
        if (s != null) {
            s.deleteMember(token);
        }
        return m;
    }

    void persistJoin(Member m, String token, boolean moderator) {
        RoomStore s = store;
        if (s != null) {
            RoomAccess.Invites inv = access.invites(m.room());
            s.putRoom(m.room(), inv == null ? null : inv.singer(), inv == null ? null : inv.listener());
            s.putMember(token, m.room(), m.role().wireName(), moderator);
        }
    }

    /** The member left for good (not a server shutdown, after which it should come back). */
    void persistLeave(String token) {
        RoomStore s = store;
        if (s != null && token != null && !shuttingDown) {
            s.deleteMember(token);
        }
    }

    public RoomAccess access() {
        return access;
    }

    public RoomDirectory directory() {
        return directory;
    }

    public SignalingSettings settings() {
        return settings;
    }


    /** Extra message types (rehearsal); null: none. Set once, before clients connect. */
    public void setExtension(SignalingExtension extension) {
        this.extension = extension;
    }

    SignalingExtension extension() {
        return extension;
    }

    WebRtcPeerFactory peers() {
        return peers;
    }

    @Override
    public void close() {
        shuttingDown = true; // members stay in the store: they come back after the restart
        statsTimer.shutdownNow();
        for (SignalingSession s : sessions) {
            s.onClose();
        }
    }
}
