package org.duet.coordinator.front;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.duet.coordinator.brewery.MixerRegistry;
import org.duet.coordinator.config.CoordinatorConfig.FrontSettings;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The duet front: what Jicofo's {@code translation.url-template} points at
 * ({@code ws://<front>:18765/translate/{{MEETING_ID}}}). Each bridge connection is checked for the shared
 * secret and relayed to the least loaded live mixer ({@code <mixer url>/<meetingId>}, same header), with
 * failover; {@code /about/health} and {@code /stats} over HTTP on the same port.
 */
public final class DuetFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DuetFront.class);
    private static final Pattern MEETING_ID = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
    static final ObjectMapper JSON = new ObjectMapper();

    final FrontSettings settings;
    final FrontCounters counters = new FrontCounters();
    final ScheduledExecutorService scheduler;
    private final MixerRegistry registry;
    private final BooleanSupplier breweryJoined;
    private final Set<MeetingRelay> relays = ConcurrentHashMap.newKeySet();
    private final Map<String, FrontMeeting> meetings = new ConcurrentHashMap<>();
    /** A bridge connection silent this long gets a WebSocket ping, so that no idle timeout (60 s) closes it. */
    private volatile Duration keepAliveAfter = Duration.ofSeconds(20);
    /** A meeting none of whose connections carried a frame from the bridge this long has ended. */
    private volatile Duration meetingSilent = Duration.ofSeconds(45);
    private final Server server;
    private final ServerConnector connector;
    private final WebSocketClient client;
    private final long startedAt = System.currentTimeMillis();

    /** A mixer picked for a meeting and the URI to open. */
    record Choice(String mixerId, URI uri) {
    }

    private DuetFront(FrontSettings settings, MixerRegistry registry, BooleanSupplier breweryJoined) {
        this.settings = settings;
        this.registry = registry;
        this.breweryJoined = breweryJoined;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duet-front");
            t.setDaemon(true);
            return t;
        });
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("duet-front-http");
        this.server = new Server(threads);
        this.connector = new ServerConnector(server);
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        server.addConnector(connector);
        this.client = new WebSocketClient();
        client.setConnectTimeout(settings.mixerConnectTimeout().toMillis());
        client.setIdleTimeout(Duration.ofSeconds(60));
        client.setMaxTextMessageSize(settings.maxMessageBytes() * 4L);
        client.setStopTimeout(1000);
        registry.addListener((mixerId, why) -> relays.forEach(r -> r.moveOff(mixerId)));
        scheduler.scheduleWithFixedDelay(this::sweepSilentConnections, 5, 5, TimeUnit.SECONDS);
    }

    /** Starts the front on {@code front.host:front.port} (port 0 picks a free one). */
    public static DuetFront start(FrontSettings settings, MixerRegistry registry, BooleanSupplier breweryJoined) {
        DuetFront f = new DuetFront(settings, registry, breweryJoined);
        try {
            f.startServer();
            f.client.start();
        } catch (Exception e) {
            f.close();
            throw new IllegalStateException("could not start the duet front on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        LOG.info("duet front listening on ws://{}:{}{}/<meetingId>", settings.host(), f.port(), settings.path());
        return f;
    }

    private void startServer() throws Exception {
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
            // Jetty's own limit sits above ours: an oversize frame is dropped and counted, not a reason to close
            container.setMaxTextMessageSize(settings.maxMessageBytes() * 4L);
            container.setMaxBinaryMessageSize(4096);
            container.setIdleTimeout(Duration.ofSeconds(60));
            container.addMapping(settings.path() + "/*", (request, response, callback) -> {
                String path = request.getHttpURI().getPath();
                String meetingId = URLDecoder.decode(path.substring(Math.min(path.length(),
                        settings.path().length() + 1)), StandardCharsets.UTF_8);
                if (!MEETING_ID.matcher(meetingId).matches()) {
                    counters.bridgeRefusedPath.increment();
                    Response.writeError(request, response, callback, 404, "no meeting id in the path");
                    return null;
                }
                String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
                if (!secretMatches(auth)) {
                    counters.bridgeRefusedSecret.increment();
                    LOG.warn("refused a bridge connection for meeting {} from {}: wrong or missing secret", meetingId,
                            Request.getRemoteAddr(request));
                    Response.writeError(request, response, callback, 403, "wrong or missing shared secret");
                    return null;
                }
                return new BridgeSocket(this, meetingId, auth);
            });
        });
        ws.setHandler(new HttpEndpoints());
        context.setHandler(ws);
        server.setHandler(context);
        server.setStopTimeout(2000);
        server.start();
    }

    private boolean secretMatches(String authorization) {
        if (settings.secret().isEmpty()) {
            return true;
        }
        byte[] expected = ("Bearer " + settings.secret()).getBytes(StandardCharsets.UTF_8);
        byte[] got = authorization == null ? new byte[0] : authorization.trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, got);
    }

    public int port() {
        return connector.getLocalPort();
    }

    public URI uri() {
        return URI.create("ws://" + settings.host() + ":" + port() + settings.path() + "/");
    }

    public FrontCounters counters() {
        return counters;
    }

    // ---- relays ----

    MeetingRelay open(String meetingId, String authorization, Session bridge) {
        FrontMeeting meeting = meetings.compute(meetingId, (k, m) -> (m == null ? new FrontMeeting(k) : m).retain());
        MeetingRelay r = new MeetingRelay(this, meeting, authorization, bridge);
        relays.add(r);
        counters.bridgeConnections.increment();
        LOG.info("bridge connected for meeting {} from {}", meetingId, bridge.getRemoteSocketAddress());
        r.attach();
        return r;
    }

    void closed(MeetingRelay r) {
        if (relays.remove(r)) {
            long now = System.nanoTime();
            meetings.computeIfPresent(r.meetingId, (k, m) -> {
                m.release(now);
                return m;
            });
            scheduler.schedule(() -> meetings.computeIfPresent(r.meetingId,
                    (k, m) -> m.expired(System.nanoTime()) ? null : m),
                    FrontMeeting.KEPT_AFTER_LAST_NANOS + 1_000_000L, TimeUnit.NANOSECONDS);
        }
        LOG.info("bridge connection for meeting {} closed", r.meetingId);
    }

    /**
     * The mixer for a meeting: the one another connection of the same meeting uses (the bridge may open two;
     * the mixer keeps one conference per meeting), else the least loaded live one.
     */
    Choice choose(MeetingRelay relay, Set<String> avoid) {
        for (MeetingRelay other : relays) {
            String m = other.mixerId();
            if (other != relay && m != null && other.meetingId.equals(relay.meetingId) && !avoid.contains(m)) {
                Optional<MixerRegistry.Mixer> live = registry.get(m);
                if (live.isPresent() && !live.get().presence().gracefulShutdown()) {
                    return new Choice(m, meetingUri(live.get().presence().url(), relay.meetingId));
                }
            }
        }
        // relays of one meeting failing over at the same moment: the first one's pick, for all of them
        String picked = relay.meeting.mixerChoice;
        if (picked != null && !avoid.contains(picked)) {
            Optional<MixerRegistry.Mixer> live = registry.get(picked);
            if (live.isPresent() && !live.get().presence().gracefulShutdown()) {
                return new Choice(picked, meetingUri(live.get().presence().url(), relay.meetingId));
            }
        }
        Choice c = registry.select(avoid, this::meetingsOn)
                .map(m -> new Choice(m.id(), meetingUri(m.presence().url(), relay.meetingId)))
                .orElse(null);
        if (c != null) {
            relay.meeting.mixerChoice = c.mixerId();
        }
        return c;
    }

    /**
     * Every few seconds: keeps open the bridge connections the bridge no longer sends on while their
     * meeting still has a connection it sends on, and closes all of a meeting's connections once none
     * has carried anything for {@code meetingSilent} (45 s) (the bridge pings every 10 s by default, so the
     * meeting's exporter has stopped). Closing one of those old connections earlier would make JVB
     * 11146 drop the one it uses and open another (see {@link FrontMeeting}).
     */
    /** Tests: shorter limits than a deployment's 20 s and 45 s. */
    void silenceLimits(Duration keepAliveAfter, Duration meetingSilent) {
        this.keepAliveAfter = keepAliveAfter;
        this.meetingSilent = meetingSilent;
    }

    void sweepSilentConnections() {
        try {
            long now = System.nanoTime();
            Map<String, List<MeetingRelay>> byMeeting = new java.util.HashMap<>();
            for (MeetingRelay r : relays) {
                byMeeting.computeIfAbsent(r.meetingId, k -> new java.util.ArrayList<>()).add(r);
            }
            for (List<MeetingRelay> group : byMeeting.values()) {
                boolean live = false;
                for (MeetingRelay r : group) {
                    live |= now - r.lastFromBridgeNanos() < meetingSilent.toNanos();
                }
                for (MeetingRelay r : group) {
                    if (!live) {
                        LOG.info("meeting {}: no frame from the bridge on any connection for {} s, closing",
                                r.meetingId, meetingSilent.toSeconds());
                        r.closeSilent();
                    } else if (now - r.lastFromBridgeNanos() > keepAliveAfter.toNanos()) {
                        r.keepAlive();
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("sweeping bridge connections failed", e);
        }
    }

    /** Whether a mixer is live and not shutting down. */
    boolean takesMeetings(String mixerId) {
        return registry.get(mixerId).map(m -> !m.presence().gracefulShutdown()).orElse(false);
    }

    /** How many distinct meetings the front has on a mixer. */
    int meetingsOn(String mixerId) {
        Set<String> meetings = new HashSet<>();
        for (MeetingRelay r : relays) {
            if (mixerId.equals(r.mixerId())) {
                meetings.add(r.meetingId);
            }
        }
        return meetings.size();
    }

    static URI meetingUri(URI mixerUrl, String meetingId) {
        String base = mixerUrl.toString();
        return URI.create((base.endsWith("/") ? base : base + "/")
                + java.net.URLEncoder.encode(meetingId, StandardCharsets.UTF_8));
    }

    /**
     * Opens a meeting's connection to a mixer. {@code takeover}: another mixer served the meeting until
     * now, so the mixer is told (header {@code X-Duet-Resumed}) not to calibrate its singers again: each
     * calibration mutes the partner in a singer's ear for its clicks, which would be a second outage
     * right after the takeover.
     */
    CompletableFuture<Session> connect(Choice choice, MixerLink link, String authorization, boolean takeover) {
        ClientUpgradeRequest req = new ClientUpgradeRequest();
        if (authorization != null) {
            req.setHeader("Authorization", authorization);
        }
        if (takeover) {
            req.setHeader("X-Duet-Resumed", "true");
        }
        try {
            return client.connect(link, choice.uri(), req)
                    .orTimeout(settings.mixerConnectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- HTTP ----

    /** meeting id -> mixer id, for every meeting with a bridge connection (null mixer: looking for one). */
    public Map<String, String> assignments() {
        Map<String, String> a = new TreeMap<>();
        for (MeetingRelay r : relays) {
            String m = r.mixerId();
            if (m != null || !a.containsKey(r.meetingId)) {
                a.put(r.meetingId, m);
            }
        }
        return a;
    }

    /** The {@code /stats} document. */
    public ObjectNode stats() {
        ObjectNode s = JSON.createObjectNode();
        s.put("uptime_ms", System.currentTimeMillis() - startedAt);
        s.put("brewery_joined", breweryJoined.getAsBoolean());
        ObjectNode a = s.putObject("assignments");
        assignments().forEach(a::put);
        s.put("bridge_connections_active", relays.size());
        ArrayNode mixers = s.putArray("mixers");
        for (MixerRegistry.Mixer m : registry.live()) {
            ObjectNode o = mixers.addObject();
            o.put("id", m.id());
            o.put("url", m.presence().url().toString());
            o.put("conferences", m.presence().conferences());
            o.put("voices", m.presence().voices());
            o.put("load", m.presence().load());
            o.put("graceful_shutdown", m.presence().gracefulShutdown());
            o.put("version", m.presence().version());
            o.put("meetings_from_front", meetingsOn(m.id()));
            o.put("last_presence_age_ms", registry.ageMillis(m));
        }
        ObjectNode c = s.putObject("counters");
        FrontCounters k = counters;
        c.put("bridge_connections", k.bridgeConnections.sum());
        c.put("bridge_refused_secret", k.bridgeRefusedSecret.sum());
        c.put("bridge_refused_path", k.bridgeRefusedPath.sum());
        c.put("frames_bridge_to_mixer", k.framesBridgeToMixer.sum());
        c.put("frames_mixer_to_bridge", k.framesMixerToBridge.sum());
        c.put("dropped_no_mixer", k.droppedNoMixer.sum());
        c.put("dropped_slow_mixer", k.droppedSlowMixer.sum());
        c.put("dropped_slow_bridge", k.droppedSlowBridge.sum());
        c.put("dropped_oversize", k.droppedOversize.sum());
        c.put("dropped_stale_mixer", k.droppedStaleMixer.sum());
        c.put("dropped_binary", k.droppedBinary.sum());
        c.put("send_failures", k.sendFailures.sum());
        c.put("pongs_by_front", k.pongsByFront.sum());
        c.put("keep_alives", k.keepAlives.sum());
        c.put("silent_closed", k.silentClosed.sum());
        c.put("mixer_connects", k.mixerConnects.sum());
        c.put("mixer_connect_failures", k.mixerConnectFailures.sum());
        c.put("mixer_connections_lost", k.mixerConnectionsLost.sum());
        c.put("failovers", k.failovers.sum());
        c.put("migrations", k.migrations.sum());
        c.put("replayed_frames", k.replayedFrames.sum());
        c.put("failover_last_ms", k.lastFailoverMicros.get() < 0 ? -1 : k.lastFailoverMicros.get() / 1000.0);
        c.put("failover_max_ms", k.maxFailoverMicros.get() < 0 ? -1 : k.maxFailoverMicros.get() / 1000.0);
        c.put("brewery_presences", registry.presences());
        c.put("brewery_presences_invalid", registry.presencesInvalid());
        c.put("brewery_mixers_joined", registry.mixersJoined());
        c.put("brewery_mixers_left", registry.mixersLeft());
        FrontCounters.RelayDelay d = k.relayDelay();
        ObjectNode delay = s.putObject("relay_added_delay");
        delay.put("frames", d.count());
        delay.put("p50_us", d.p50Micros());
        delay.put("p99_us", d.p99Micros());
        delay.put("max_us", d.maxMicros());
        return s;
    }

    /** Healthy when joined to the brewery with at least one live mixer that takes meetings. */
    public String unhealthyReason() {
        if (!breweryJoined.getAsBoolean()) {
            return "not joined to the mixer brewery";
        }
        boolean any = registry.live().stream().anyMatch(m -> !m.presence().gracefulShutdown());
        return any ? null : "no live mixer in the brewery";
    }

    private final class HttpEndpoints extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            if (!"GET".equals(request.getMethod())) {
                return false;
            }
            if ("/about/health".equals(path)) {
                String why = unhealthyReason();
                ObjectNode body = JSON.createObjectNode().put("healthy", why == null);
                if (why != null) {
                    body.put("reason", why);
                }
                json(response, callback, why == null ? 200 : 503, body);
                return true;
            }
            if ("/stats".equals(path)) {
                json(response, callback, 200, stats());
                return true;
            }
            return false;
        }
    }

    private static void json(Response response, Callback callback, int status, ObjectNode body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, java.nio.ByteBuffer.wrap(body.toPrettyString().getBytes(StandardCharsets.UTF_8)),
                callback);
    }

    @Override
    public void close() {
        relays.forEach(MeetingRelay::shutdown);
        try {
            client.stop();
        } catch (Exception e) {
            LOG.debug("websocket client stop", e);
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("server stop", e);
        }
        scheduler.shutdownNow();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "duet front %s (%d bridge connections)", uri(), relays.size());
    }

    /** The address the front listens on (for logs). */
    public InetSocketAddress address() {
        return new InetSocketAddress(settings.host(), port());
    }
}
