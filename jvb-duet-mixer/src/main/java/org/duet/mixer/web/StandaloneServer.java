package org.duet.mixer.web;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.duet.mixer.access.AccessSettings;
import org.duet.mixer.access.RoomAccess;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.rehearsal.RehearsalService;
import org.duet.mixer.rehearsal.RehearsalSettings;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.signaling.LimitSettings;
import org.duet.mixer.signaling.RoomDirectory;
import org.duet.mixer.signaling.SignalingService;
import org.duet.mixer.signaling.SignalingSettings;
import org.duet.mixer.signaling.SignalingSocket;
import org.duet.mixer.store.RoomStore;
import org.duet.mixer.signaling.WebRtcPeerFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode's web server (embedded Jetty): the page from the classpath ({@code duet-ui/}),
 * WebSocket signaling on {@code /ws}, the HTTP control API under {@code /api/}, {@code /health}
 * and {@code /metrics}. Binds {@code duet.http.host}:{@code duet.http.port} (loopback:8080 by default).
 */
public final class StandaloneServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneServer.class);

    private final Server server;
    private final SignalingService signaling;
    private final ControlApi api;
    private final URI uri;
    private final boolean webRtc;
    private RehearsalService rehearsal;
    private RoomStore store;

    private StandaloneServer(Server server, SignalingService signaling, ControlApi api, URI uri, boolean webRtc) {
        this.server = server;
        this.signaling = signaling;
        this.api = api;
        this.uri = uri;
        this.webRtc = webRtc;
    }

    /** Starts the server with the WebRTC transport found on the classpath. */
    public static StandaloneServer start(DuetConfig config, DuetMixer mixer) {
        return start(config, mixer, WebRtcPeers.defaultFactory(config));
    }

    /**
     * Starts the server.
     *
     * @param peers answers browsers' SDP offers; null makes every offer fail with "webrtc-unavailable"
     */
    public static StandaloneServer start(DuetConfig config, DuetMixer mixer, WebRtcPeerFactory peers) {
        return start(config, mixer, peers, null);
    }

    /**
     * Starts the server, keeping room state in {@code duet.store.path} (or {@code defaultStore} when
     * that is empty; no store when both are empty/null) and restoring what it holds from before.
     */
    static StandaloneServer start(DuetConfig config, DuetMixer mixer, WebRtcPeerFactory peers, Path defaultStore) {
        WebSettings web = WebSettings.from(config.raw());
        SignalingSettings signalingSettings = SignalingSettings.from(config.raw());
        RoomDirectory directory = new RoomDirectory(mixer, signalingSettings, LimitSettings.from(config.raw()));
        SignalingService signaling = new SignalingService(mixer, directory, peers,
                new RoomAccess(AccessSettings.from(config.raw())));

        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("duet-http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false); // no "Server: Jetty(...)": the version helps only an attacker
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(web.host());
        connector.setPort(web.port());
        server.addConnector(connector);

        ControlApi api = new ControlApi(mixer, directory, web);
        RehearsalService rehearsal = new RehearsalService(mixer, RehearsalSettings.from(config.raw()));
        signaling.setExtension(rehearsal);
        ResourceHandler page = new ResourceHandler();
        Resource base = ResourceFactory.of(server).newClassLoaderResource("duet-ui/");
        if (base == null) {
            throw new IllegalStateException("the page (classpath duet-ui/) is missing: is jitsi-meet-ui on the classpath?");
        }
        page.setBaseResource(base);
        page.setWelcomeFiles("index.html");
        page.setDirAllowed(false);
        page.setCacheControl("no-cache");

        Handler.Sequence routes = new Handler.Sequence(
                new ServiceEndpoints(mixer, directory, new DuetMetrics(mixer, signaling)), new RehearsalHttp(rehearsal, web), api,
                new SecurityHeaders(page));
        ContextHandler context = new ContextHandler("/");
        java.util.concurrent.atomic.AtomicReference<OriginCheck> origins = new java.util.concurrent.atomic.AtomicReference<>();
        int maxFrame = Math.max(1 << 20, signalingSettings.maxMessageBytes() * 4);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, container -> {
            // Jetty's own limit sits above ours, so an oversize message gets a readable error reply;
            // only something absurd (above this) is cut off by Jetty with close code 1009.
            container.setMaxTextMessageSize(maxFrame);
            container.setMaxBinaryMessageSize(4096);
            container.setIdleTimeout(Duration.ofSeconds(60));
            // A client that never reads must not grow the server's memory: at most this many
            // messages wait per socket; beyond it (or a write stuck past the timeout) it is dropped.
            container.setMaxOutgoingFrames(web.wsMaxOutgoingFrames());
            container.addMapping("/ws", (request, response, callback) -> {
                OriginCheck check = origins.get();
                if (check == null || !check.allows(request)) {
                    org.eclipse.jetty.server.Response.writeError(request, response, callback, 403,
                            "cross-origin WebSocket refused");
                    return null;
                }
                return new SignalingSocket(signaling, web.wsWriteTimeout());
            });
        });
        ws.setHandler(routes);
        context.setHandler(ws);
        server.setHandler(context);
        server.setStopTimeout(2000);
        RoomStore store = openStore(config, defaultStore);
        if (store != null) {
            restore(store, mixer, directory, signaling, api);
        }
        try {
            server.start();
        } catch (Exception e) {
            signaling.close();
            rehearsal.close();
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("could not start the web server on " + web.host() + ":" + web.port()
                    + ": " + e.getMessage(), e);
        }
        origins.set(OriginCheck.forServer(connector.getLocalPort(),
                java.util.List.of(web.host(), configured(config, "duet.webrtc.advertised-address"),
                        configured(config, "duet.webrtc.bind-address")), web.allowedOrigins()));
        InetSocketAddress bound = new InetSocketAddress(web.host(), connector.getLocalPort());
        String host = bound.getAddress().isAnyLocalAddress() ? "localhost" : hostForUri(bound);
        URI uri = URI.create("http://" + host + ":" + connector.getLocalPort() + "/");
        LOG.info("Duet standalone server at {} (WebRTC transport: {})", uri, peers == null ? "none" : "ready");
        StandaloneServer started = new StandaloneServer(server, signaling, api, uri, peers != null);
        started.rehearsal = rehearsal;
        started.store = store;
        return started;
    }

    private static String configured(DuetConfig config, String key) {
        return config.raw().hasPath(key) ? config.raw().getString(key) : "";
    }

    private static RoomStore openStore(DuetConfig config, Path defaultStore) {
        String configured = config.raw().hasPath("duet.store.path") ? config.raw().getString("duet.store.path") : "";
        Path dir = !configured.isBlank() ? Path.of(configured) : defaultStore;
        if (dir == null) {
            return null;
        }
        try {
            RoomStore s = RoomStore.open(dir);
            LOG.info("room state kept in {}", dir.toAbsolutePath());
            return s;
        } catch (java.sql.SQLException e) {
            LOG.warn("room state will not survive a restart: cannot open the store in {} ({})", dir, e.getMessage());
            return null;
        }
    }

    /** Rooms, invites, backing tracks, plain-RTP participants and members' standing from before a restart. */
    private static void restore(RoomStore store, DuetMixer mixer, RoomDirectory directory, SignalingService signaling,
                                ControlApi api) {
        int rooms = 0;
        for (RoomStore.RoomRecord r : store.rooms()) {
            org.duet.mixer.room.Room room = mixer.openRoom(r.name());
            rooms++;
            if (r.singerInvite() != null && r.listenerInvite() != null) {
                signaling.access().restore(r.name(), new RoomAccess.Invites(r.singerInvite(), r.listenerInvite()));
            }
            if (r.backingPath() != null) {
                try {
                    room.setBackingTrack(Path.of(r.backingPath()), r.backingGain());
                } catch (java.io.IOException | IllegalArgumentException e) {
                    LOG.warn("room {}: backing track {} not restored: {}", r.name(), r.backingPath(), e.getMessage());
                }
            }
        }
        api.useStore(store);
        signaling.useStore(store);
        for (RoomStore.RoomRecord r : store.rooms()) { // after the plain-RTP singers, who may lead, are back
            restoreSyncMode(mixer.room(r.name()), r);
        }
        directory.onRoomClosed(name -> {
            signaling.access().forget(name);
            store.deleteRoom(name);
        });
        LOG.info("restored {} rooms, {} plain-RTP participants, {} members' resume tokens", rooms,
                store.rtpParticipants().size(), store.members().size());
    }

    /** The stored sync mode; the stored leader only while a singer of that id is in the room (else the first singer leads). */
    private static void restoreSyncMode(org.duet.mixer.room.Room room, RoomStore.RoomRecord r) {
        if (room == null || r.syncMode() == null) {
            return;
        }
        try {
            org.duet.mixer.room.Participant leader = r.syncLeader() == null ? null : room.participant(r.syncLeader());
            room.setSyncMode(org.duet.mixer.sync.SyncMode.parse(r.syncMode()),
                    leader != null && leader.role().isSinger() ? leader.id() : null);
        } catch (IllegalArgumentException e) {
            LOG.warn("room {}: sync mode {} not restored: {}", r.name(), r.syncMode(), e.getMessage());
        }
    }

    /**
     * Runs the mixer and this server until the process is stopped (Ctrl-C), for {@code Main serve}
     * and {@code demo}: prints where to point the browsers. Room state is kept in
     * {@code duet.store.path}, by default {@code ~/.local/state/duet}, and restored on start.
     */
    public static void serve(DuetConfig config) throws InterruptedException {
        DuetMixer mixer = DuetMixer.start(config);
        StandaloneServer server = start(config, mixer, WebRtcPeers.startingFactory(config),
                Path.of(System.getProperty("user.home"), ".local", "state", "duet"));
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            mixer.close();
            stopped.countDown();
        }, "duet-shutdown"));
        System.out.println("Duet is running: open " + server.uri() + " in two browser tabs (or on two machines),"
                + " pick singer A and singer B, put on headphones and sing. Ctrl-C stops it.");
        stopped.await();
    }

    private static String hostForUri(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        return uri;
    }

    /** True when browsers can send and receive audio (a WebRTC transport answers their offers). */
    public boolean webRtcAvailable() {
        return webRtc;
    }

    /** The rehearsal room: backing tracks, monitor mixes, takes (docs/rehearsal.md). */
    public RehearsalService rehearsal() {
        return rehearsal;
    }

    /** The signaling service (open sockets, error counts). */
    public SignalingService signaling() {
        return signaling;
    }

    @Override
    public void close() {
        signaling.close();
        rehearsal.close(); // takes in progress are finished, so their files are complete
        api.closeAll();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("web server stop failed", e);
        }
        if (store != null) {
            store.close();
        }
    }
}
