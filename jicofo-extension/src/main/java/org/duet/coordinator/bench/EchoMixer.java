package org.duet.coordinator.bench;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The benchmark's stand-in for a mixer's Jitsi transport: answers every {@code media} event at once with
 * the same frame (so a round trip measures the transport and the relay, not a mix), pings with a pong.
 */
public final class EchoMixer implements AutoCloseable {

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    public EchoMixer() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ContextHandler context = new ContextHandler("/");
        context.setHandler(WebSocketUpgradeHandler.from(server, context, c -> {
            c.setIdleTimeout(Duration.ofSeconds(60));
            c.addMapping("/translate/*", (req, resp, cb) -> new Peer());
        }));
        server.setHandler(context);
        server.start();
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/translate");
    }

    /** Dies without a close handshake. */
    public void crash() throws Exception {
        for (Session s : sessions) {
            s.disconnect();
        }
        server.stop();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** One connection; Jetty needs it public. */
    public final class Peer implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            sessions.add(s);
        }

        @Override
        public void onWebSocketText(String text) {
            if (text.startsWith("{\"event\":\"media\"")) {
                session.sendText(text, Callback.NOOP);
            } else if (text.startsWith("{\"event\":\"ping\"")) {
                session.sendText(text.replace("\"ping\"", "\"pong\""), Callback.NOOP);
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
    }
}
