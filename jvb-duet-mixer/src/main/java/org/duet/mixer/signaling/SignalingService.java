package org.duet.mixer.signaling;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.duet.mixer.room.DuetMixer;
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
    private final Set<SignalingSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);
    private final ScheduledExecutorService statsTimer;
    private volatile SignalingExtension extension;

    /** @param peers the WebRTC transport; null answers every offer with {@link ErrorCode#WEBRTC_UNAVAILABLE} */
    public SignalingService(DuetMixer mixer, RoomDirectory directory, WebRtcPeerFactory peers) {
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
    }

    /** A new client connected. */
    public SignalingSession open(Outbox out) {
        SignalingSession s = new SignalingSession(this, out);
        sessions.add(s);
        out.send(Messages.welcome(settings, peers != null));
        return s;
    }

    void forget(SignalingSession s) {
        sessions.remove(s);
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
        statsTimer.shutdownNow();
        for (SignalingSession s : sessions) {
            s.onClose();
        }
    }
}
