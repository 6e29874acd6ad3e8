package org.duet.coordinator.testing;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A mediajson peer standing in for a mixer's Jitsi transport in front tests: checks the secret header,
 * records every frame with its arrival time, answers pings after 20 ms, and echoes each {@code media}
 * event back tagged {@code <tag>.duet} (the way a mixer answers with a synthetic source).
 */
public final class FakeMixerServer implements AutoCloseable {

    /** One received frame. */
    public record Frame(String meetingId, String text, long nanos) {
    }

    private final Server server;
    private final ServerConnector connector;
    private final String expectedAuth;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    public final List<Frame> frames = new CopyOnWriteArrayList<>();
    public final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    public final AtomicInteger refused = new AtomicInteger();
    public final AtomicInteger connections = new AtomicInteger();
    /** The X-Duet-Resumed header of each accepted connection, in order ("" when absent). */
    public final List<String> resumedHeaders = new CopyOnWriteArrayList<>();
    private volatile boolean echo = true;

    public FakeMixerServer(String expectedAuth) throws Exception {
        this.expectedAuth = expectedAuth;
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, context, c -> {
            c.setIdleTimeout(Duration.ofSeconds(30));
            c.addMapping("/translate/*", (req, resp, cb) -> {
                String auth = req.getHeaders().get("Authorization");
                if (expectedAuth != null && !expectedAuth.equals(auth)) {
                    refused.incrementAndGet();
                    Response.writeError(req, resp, cb, 401, "secret");
                    return null;
                }
                String resumed = req.getHeaders().get("X-Duet-Resumed");
                resumedHeaders.add(resumed == null ? "" : resumed);
                String path = req.getHttpURI().getPath();
                return new Peer(path.substring("/translate/".length()));
            });
        });
        context.setHandler(ws);
        server.setHandler(context);
        server.start();
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/translate");
    }

    public int port() {
        return connector.getLocalPort();
    }

    public void setEcho(boolean on) {
        echo = on;
    }

    /** Frames received for a meeting whose text contains {@code needle}. */
    public long count(String needle) {
        return frames.stream().filter(f -> f.text().contains(needle)).count();
    }

    /** Dies without a close handshake: every TCP connection is cut, then the listener goes away. */
    public void crash() throws Exception {
        for (Session s : sessions) {
            s.disconnect();
        }
        server.stop();
    }

    @Override
    public void close() throws Exception {
        timer.shutdownNow();
        server.stop();
    }

    public final class Peer implements Session.Listener.AutoDemanding {
        private final String meetingId;
        private Session session;

        Peer(String meetingId) {
            this.meetingId = meetingId;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            sessions.add(s);
            connections.incrementAndGet();
        }

        @Override
        public void onWebSocketText(String text) {
            frames.add(new Frame(meetingId, text, System.nanoTime()));
            if (text.contains("\"event\":\"ping\"")) {
                String id = text.replaceAll(".*\"id\":\"?([0-9]+)\"?.*", "$1");
                timer.schedule(() -> session.sendText("{\"event\":\"pong\",\"id\":" + id + "}", Callback.NOOP),
                        20, TimeUnit.MILLISECONDS);
            } else if (echo && text.startsWith("{\"event\":\"media\"")) {
                session.sendText(text.replaceFirst("\"tag\":\"([^\"]*)\"", "\"tag\":\"$1.duet\""), Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int code, String reason, Callback callback) {
            sessions.remove(session);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            sessions.remove(session);
        }
    }
}
