package org.duet.mixer.jitsi;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Room;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jitsi transport's listening side: the WebSocket endpoint {@code /translate/<meeting id>}
 * that Jitsi Videobridge's media exporter connects to (Jicofo's {@code translation.url-template}
 * points at it, directly or through the coordinator), on its own host and port
 * ({@code duet.jitsi}). Also serves {@code /metrics} (Prometheus), {@code /stats} (JSON) and
 * {@code /health} there.
 *
 * <p>One {@link JitsiConference} (one {@link Room}) per meeting id, any number of meetings.
 */
public final class JitsiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JitsiServer.class);
    private static final Pattern MEETING_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,57}");
    static final String PATH = "/translate/";

    private final DuetMixer mixer;
    private final JitsiSettings settings;
    /**
     * Set to {@code true} by Duet's front (jicofo-extension) when it moves a meeting here from another
     * mixer: the voices it replays are not calibrated again (docs/protocol.md).
     */
    static final String RESUMED_HEADER = "X-Duet-Resumed";
    private final byte[] expectedAuthorization;
    private final Server server;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentHashMap<String, JitsiConference> conferences = new ConcurrentHashMap<>();
    private final JitsiCounters refused = new JitsiCounters();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final JitsiMetrics metrics;
    private final int frameSamples;
    private URI uri;

    private JitsiServer(DuetMixer mixer, JitsiSettings settings) {
        this.mixer = mixer;
        this.settings = settings;
        this.frameSamples = mixer.config().tickSamples();
        this.expectedAuthorization = settings.secret().isEmpty() ? null
                : ("Bearer " + settings.secret()).getBytes(StandardCharsets.UTF_8);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duet-jitsi-timer");
            t.setDaemon(true);
            return t;
        });
        this.metrics = new JitsiMetrics(this, mixer);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("duet-jitsi");
        this.server = new Server(threads);
    }

    /** Starts the endpoint on {@code duet.jitsi.host}:{@code duet.jitsi.port} (port 0: any free port). */
    public static JitsiServer start(DuetMixer mixer, JitsiSettings settings) {
        JitsiServer s = new JitsiServer(mixer, settings);
        s.startServer();
        return s;
    }

    public static JitsiServer start(DuetMixer mixer, DuetConfig config) {
        return start(mixer, JitsiSettings.from(config.raw()));
    }

    private void startServer() {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
            // Our own limit (duet.jitsi.max-message-bytes) refuses and counts; Jetty's, far above it,
            // closes the connection (1009) only for something absurd.
            container.setMaxTextMessageSize(settings.maxMessageBytes() * 8L);
            container.setMaxBinaryMessageSize(1024);
            container.setIdleTimeout(Duration.ofSeconds(60));
            container.addMapping(PATH + "*", (request, response, callback) -> {
                String path = Request.getPathInContext(request);
                String meetingId = path.startsWith(PATH) ? path.substring(PATH.length()) : "";
                if (!MEETING_ID.matcher(meetingId).matches()) {
                    refused.drop(JitsiDropReason.BAD_MEETING_ID);
                    Response.writeError(request, response, callback, 404, "no such meeting path");
                    return null;
                }
                if (!authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                    refused.drop(JitsiDropReason.BAD_SECRET);
                    LOG.warn("refused a bridge connection for meeting {} from {}: wrong or missing secret",
                            meetingId, Request.getRemoteAddr(request));
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"duet\"");
                    Response.writeError(request, response, callback, 401, "wrong or missing secret");
                    return null;
                }
                boolean resumed = "true".equalsIgnoreCase(request.getHeaders().get(RESUMED_HEADER));
                return new JitsiConnection(this, meetingId, connectionIds.incrementAndGet(), resumed);
            });
        });
        ws.setHandler(new Endpoints());
        context.setHandler(ws);
        server.setHandler(context);
        server.setStopTimeout(2000);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("could not start the Jitsi endpoint on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = new InetSocketAddress(settings.host(), connector.getLocalPort());
        String host = bound.getAddress().isAnyLocalAddress() ? "localhost" : bound.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        uri = URI.create("ws://" + host + ":" + connector.getLocalPort() + "/translate");
        if (expectedAuthorization == null) {
            LOG.warn("duet.jitsi.secret is empty: any peer that reaches {} can feed and read conferences", uri);
        }
        LOG.info("Jitsi transport listening at {}/<meeting id>", uri);
    }

    private boolean authorized(String header) {
        if (expectedAuthorization == null) {
            return true;
        }
        byte[] got = header == null ? new byte[0] : header.trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(got, expectedAuthorization); // constant time
    }

    // ---- conferences ----

    /** The conference of {@code c}'s meeting, created (with its room) if new. */
    JitsiConference attach(JitsiConnection c) {
        for (int attempt = 0; attempt < 3; attempt++) {
            JitsiConference conf;
            synchronized (this) {
                conf = conferences.computeIfAbsent(c.meetingId, id -> {
                    Room room = mixer.openRoom(settings.roomPrefix() + id);
                    JitsiConference created = new JitsiConference(this, id, room, frameSamples);
                    metrics.add(created);
                    return created;
                });
                if (conf.attach(c)) {
                    return conf;
                }
                conferences.remove(c.meetingId, conf); // closed between lookup and attach: make a new one
            }
        }
        throw new IllegalStateException("could not attach to meeting " + c.meetingId);
    }

    /** Closes the conference and its room when its last connection is gone. */
    void closeIfIdle(JitsiConference conf) {
        synchronized (this) {
            if (!conf.closeIfIdle()) {
                return;
            }
            conferences.remove(conf.meetingId, conf);
        }
        metrics.remove(conf);
        mixer.closeRoom(conf.room.name());
        LOG.info("meeting {} ended: room {} closed", conf.meetingId, conf.room.name());
    }

    public Collection<String> meetingIds() {
        return List.copyOf(conferences.keySet());
    }

    /** Counters of one meeting's conference, or null when there is none. */
    public JitsiCounters counters(String meetingId) {
        JitsiConference c = conferences.get(meetingId);
        return c == null ? null : c.counters;
    }

    public ConferenceSnapshot snapshot(String meetingId) {
        JitsiConference c = conferences.get(meetingId);
        return c == null ? null : c.snapshot();
    }

    /** The room of a meeting's conference, or null. */
    public Room room(String meetingId) {
        JitsiConference c = conferences.get(meetingId);
        return c == null ? null : c.room;
    }

    Collection<JitsiConference> conferences() {
        return List.copyOf(conferences.values());
    }

    /** Upgrades refused before any conference existed (wrong secret, bad path). */
    public JitsiCounters refused() {
        return refused;
    }

    JitsiSettings settings() {
        return settings;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** {@code ws://host:port/translate}: append {@code /<meeting id>}. */
    public URI uri() {
        return uri;
    }

    /** The HTTP base of this endpoint, for /metrics, /stats and /health. */
    public URI httpUri() {
        return URI.create(uri.toString().replaceFirst("^ws:", "http:").replaceFirst("/translate$", "/"));
    }

    /** Media loop load: the share of one core the loops used, 0..number of loops. */
    public DuetMixer mixer() {
        return mixer;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Jitsi endpoint stop failed", e);
        }
        scheduler.shutdownNow();
        for (JitsiConference c : conferences()) {
            conferences.remove(c.meetingId);
            metrics.remove(c);
            mixer.closeRoom(c.room.name());
        }
    }

    /** /metrics, /stats, /health on the Jitsi port. */
    private final class Endpoints extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            switch (path) {
                case "/metrics" -> send(response, callback, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                case "/stats" -> send(response, callback, "application/json", JitsiStatsJson.of(JitsiServer.this).toString());
                case "/health" -> send(response, callback, "application/json",
                        "{\"status\":\"ok\",\"conferences\":" + conferences.size() + "}");
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void send(Response response, Callback callback, String type, String body) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Content.Sink.write(response, true, body, callback);
        }
    }
}
