package org.duet.mixer.jitsi;

import org.duet.mixer.clock.ServerClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.duet.mixer.opus.OpusPacketInfo;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket from a bridge's media exporter (or from the coordinator relaying one), for one
 * meeting. Jetty delivers its messages one at a time on a Jetty thread; {@code media} events are
 * parsed into a reused holder and handed to the conference's media loop without blocking.
 *
 * <p>Sending is asynchronous with a bounded number of events in flight: when the bridge reads
 * too slowly, events are dropped and counted rather than queued without end, and the media loop
 * that produces them never waits.
 *
 * <p>Public only because Jetty's WebSocket layer binds listener methods by reflection.
 */
public final class JitsiConnection implements Session.Listener.AutoDemanding {

    private static final Logger LOG = LoggerFactory.getLogger(JitsiConnection.class);
    private static final ExportedVoice[] NO_VOICES = new ExportedVoice[0];

    private final JitsiServer server;
    final String meetingId;
    private final int id;
    private final MediaJsonEvent event;
    private volatile Session session;
    private volatile boolean open;
    private JitsiConference conference;

    /** Set by the conference under its lock. */
    List<String> exports = List.of();
    List<String> requests = List.of();
    final List<String> startedTags = new ArrayList<>();
    boolean sessionEnded;
    /**
     * Duet's front opened this connection for a meeting another mixer served until now
     * ({@link JitsiServer#RESUMED_HEADER}); the voices of its first {@code sources} event (the front's
     * replay) were calibrated there and are not calibrated again at join.
     */
    final boolean resumed;
    /** The exports of a resumed connection's first {@code sources} event; set by the conference under its lock. */
    List<String> resumedExports;

    /** Voices this connection started: the only tags its media may carry. Its own thread writes it. */
    private volatile ExportedVoice[] started = NO_VOICES;

    private final AtomicInteger eventSequence = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Callback sent = new Callback() {
        @Override
        public void succeed() {
            inFlight.decrementAndGet();
        }

        @Override
        public void fail(Throwable x) {
            inFlight.decrementAndGet();
        }
    };

    JitsiConnection(JitsiServer server, String meetingId, int id, boolean resumed) {
        this.server = server;
        this.meetingId = meetingId;
        this.id = id;
        this.resumed = resumed;
        this.event = new MediaJsonEvent(server.settings().maxMessageBytes());
    }

    // ---- Jetty callbacks ----

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
        this.open = true;
        this.conference = server.attach(this);
        LOG.info("bridge connected for meeting {} (connection {}, from {})", meetingId, id, s.getRemoteSocketAddress());
    }

    @Override
    public void onWebSocketText(String message) {
        long arrival = System.nanoTime();
        JitsiConference conf = conference;
        if (conf == null) {
            return;
        }
        JitsiCounters counters = conf.counters;
        if (message.length() > server.settings().maxMessageBytes()) {
            counters.drop(JitsiDropReason.OVERSIZE_MESSAGE);
            return;
        }
        MediaJsonEvent e = event;
        MediaJsonReader.read(message, e);
        if (e.error != null) {
            counters.drop(e.error);
            return;
        }
        switch (e.type) {
            case MEDIA -> onMedia(conf, e, arrival);
            case START -> onStart(conf, e);
            case PING -> onPing(conf, e);
            case SOURCES -> conf.onSources(this, List.copyOf(e.exports), List.copyOf(e.requests));
            case SESSION_END -> {
                LOG.info("session-end for meeting {} (connection {})", meetingId, id);
                conf.onSessionEnd(this);
            }
            case INFO -> LOG.info("bridge info for meeting {}: {}", meetingId, message);
            default -> {
                // stop, pong, transcription-result: nothing for a mixer to do
            }
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        if (statusCode == org.eclipse.jetty.websocket.api.StatusCode.MESSAGE_TOO_LARGE && conference != null) {
            conference.counters.drop(JitsiDropReason.OVERSIZE_MESSAGE);
        }
        closed("close " + statusCode + " " + reason);
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closed("error " + cause);
    }

    private void closed(String why) {
        if (!open) {
            return;
        }
        open = false;
        LOG.info("bridge connection {} for meeting {} closed ({})", id, meetingId, why);
        JitsiConference conf = conference;
        if (conf != null) {
            // A failed send reports here on the sending thread, which may be a media loop: the
            // conference's bookkeeping takes locks, so it runs on the transport's own timer thread.
            server.scheduler().execute(() -> conf.detach(this));
        }
    }

    // ---- events ----

    private void onMedia(JitsiConference conf, MediaJsonEvent e, long arrival) {
        if (e.tagLength < 0 || !e.hasChunk || !e.hasTimestamp || e.payloadLength < 0) {
            conf.counters.drop(JitsiDropReason.MISSING_FIELD);
            return;
        }
        ExportedVoice voice = null;
        for (ExportedVoice v : started) {
            if (e.tagEquals(v.tag)) {
                voice = v;
                break;
            }
        }
        if (voice == null || voice.removed) {
            conf.counters.drop(conf.isNonOpus(e) ? JitsiDropReason.NON_OPUS : JitsiDropReason.UNKNOWN_TAG);
            return;
        }
        if (voice.participantId == null) {
            conf.counters.drop(JitsiDropReason.TOO_MANY_VOICES);
            return;
        }
        if (!voice.acceptFrom(this, arrival)) {
            conf.counters.drop(JitsiDropReason.SUPERSEDED);
            return;
        }
        if (OpusPacketInfo.validate(e.payload, 0, e.payloadLength) < 0) {
            conf.counters.drop(JitsiDropReason.BAD_PAYLOAD);
            return;
        }
        voice.media(e.chunk, e.timestamp, e.payload, e.payloadLength, arrival);
        conf.counters.mediaIn();
        if (FrameTrace.ENABLED) {
            FrameTrace.in(voice.tag, e.payload, 0, e.payloadLength, arrival);
        }
        double echoedSend = CaptureStamp.echoedSendUnixMs(e.payload, e.payloadLength);
        if (!Double.isNaN(echoedSend)) {
            // one of our send times came back with the page's receive time: a lower bound on its clock offset
            conf.room.clockEcho(voice.participantId, Math.round(echoedSend * 1e6) - ServerClock.unixNanosMinusNanoTime(),
                    Math.round(CaptureStamp.echoReceivedUnixMs(e.payload, e.payloadLength) * 1e6));
        }
    }

    private void onStart(JitsiConference conf, MediaJsonEvent e) {
        String tag = e.tagString();
        if (tag == null) {
            conf.counters.drop(JitsiDropReason.MISSING_FIELD);
            return;
        }
        if (!SyntheticName.isValidSource(tag)) {
            conf.counters.drop(JitsiDropReason.UNKNOWN_TAG);
            return;
        }
        if (e.encoding == null || !e.encoding.equalsIgnoreCase("opus") || e.sampleRate != 48_000) {
            conf.counters.drop(JitsiDropReason.NON_OPUS);
            conf.markNonOpus(tag);
            return;
        }
        ExportedVoice voice = conf.onStart(this, tag);
        if (voice == null) {
            return;
        }
        ExportedVoice[] s = started;
        for (int i = 0; i < s.length; i++) {
            if (s[i].tag.equals(tag)) {
                ExportedVoice[] copy = s.clone();
                copy[i] = voice; // the conference may have re-created it
                started = copy;
                return;
            }
        }
        ExportedVoice[] grown = java.util.Arrays.copyOf(s, s.length + 1);
        grown[s.length] = voice;
        started = grown;
    }

    private void onPing(JitsiConference conf, MediaJsonEvent e) {
        if (!e.hasId) {
            conf.counters.drop(JitsiDropReason.MISSING_FIELD);
            return;
        }
        conf.counters.ping();
        long pingId = e.id;
        // The bridge records a ping's id only after its send returns: a pong that comes back within
        // microseconds is refused as unexpected (JVB 11146 Exporter.sendPing), so answer a little later.
        long delay = server.settings().pongDelay().toNanos();
        server.scheduler().schedule(() -> sendText("{\"event\":\"pong\",\"id\":" + pingId + "}"),
                delay, TimeUnit.NANOSECONDS);
    }

    // ---- sending ----

    boolean isOpen() {
        return open;
    }

    int nextEventSequence() {
        return eventSequence.incrementAndGet();
    }

    /** Sends without waiting; false (and counted) when too many events are already in flight. */
    boolean sendText(String text) {
        Session s = session;
        if (s == null || !open) {
            return false;
        }
        if (inFlight.incrementAndGet() > server.settings().sendQueue()) {
            inFlight.decrementAndGet();
            JitsiConference conf = conference;
            if (conf != null) {
                conf.counters.drop(JitsiDropReason.SEND_QUEUE_FULL);
            }
            return false;
        }
        try {
            s.sendText(text, sent);
            return true;
        } catch (RuntimeException ex) {
            inFlight.decrementAndGet();
            return false;
        }
    }

    void close(int code, String reason) {
        Session s = session;
        if (s != null) {
            s.close(code, reason, Callback.NOOP);
        }
    }

    int id() {
        return id;
    }

    @Override
    public String toString() {
        return "connection " + id + " (meeting " + meetingId + (open ? "" : ", closed") + ")";
    }
}
