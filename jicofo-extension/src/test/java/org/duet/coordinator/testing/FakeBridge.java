package org.duet.coordinator.testing;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Sends what JVB's media export sends (mediajson as in Exporter.kt / MediaJsonSerializer.kt: numbers as
 * strings) to a URL, with an optional {@code Authorization} header, and records what comes back.
 */
public final class FakeBridge implements AutoCloseable {

    /** One received frame. */
    public record Frame(String text, long nanos) {
    }

    private final WebSocketClient client = new WebSocketClient();
    public final List<Frame> received = new CopyOnWriteArrayList<>();
    /** WebSocket ping frames received (the front's keep-alive). */
    public final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
    public final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    private Session session;
    private int seq;

    public FakeBridge() throws Exception {
        client.start();
    }

    /** Connects; throws if refused (e.g. 401). */
    public FakeBridge connect(URI uri, String authorization) throws Exception {
        ClientUpgradeRequest req = new ClientUpgradeRequest();
        if (authorization != null) {
            req.setHeader("Authorization", authorization);
        }
        session = client.connect(new Listener(), uri, req).get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Jetty calls this; it must be a public class. */
    public final class Listener implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketText(String message) {
            received.add(new Frame(message, System.nanoTime()));
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
        }

        @Override
        public void onWebSocketPing(ByteBuffer payload) {
            pings.incrementAndGet();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            closedWith.complete(statusCode);
            callback.succeed();
        }
    }

    public void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    public synchronized void sources(String exportTag, String request) {
        send("{\"event\":\"sources\",\"exports\":[\"" + exportTag + "\"],\"requests\":[\"" + request + "\"]}");
    }

    public synchronized void start(String tag, String endpointId) {
        send("{\"event\":\"start\",\"sequenceNumber\":\"" + (++seq) + "\",\"start\":{\"tag\":\"" + tag
                + "\",\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2},"
                + "\"customParameters\":{\"endpointId\":\"" + endpointId + "\"}}}");
    }

    public synchronized void media(String tag, long chunk) {
        send("{\"event\":\"media\",\"sequenceNumber\":\"" + (++seq) + "\",\"media\":{\"tag\":\"" + tag
                + "\",\"chunk\":\"" + chunk + "\",\"timestamp\":\"" + (chunk * 960) + "\",\"payload\":\"/Pz8/A==\","
                + "\"audioLevel\":33,\"vad\":true}}");
    }

    public void ping(int id) {
        send("{\"event\":\"ping\",\"id\":" + id + "}");
    }

    public long count(String needle) {
        return received.stream().filter(f -> f.text().contains(needle)).count();
    }

    public boolean isOpen() {
        return session != null && session.isOpen();
    }

    public void closeSession() {
        if (session != null) {
            session.close(1001, "going away", Callback.NOOP);
        }
    }

    @Override
    public void close() throws Exception {
        closeSession();
        client.stop();
    }
}
