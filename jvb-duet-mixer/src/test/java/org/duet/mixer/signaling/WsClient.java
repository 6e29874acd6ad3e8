package org.duet.mixer.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test's signaling client: the JDK WebSocket, every received message queued as JSON. */
final class WsClient implements WebSocket.Listener, AutoCloseable {

    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private WebSocket socket;

    static WsClient connect(URI server) throws Exception {
        WsClient c = new WsClient();
        c.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://" + server.getRawAuthority() + "/ws"), c)
                .get(5, TimeUnit.SECONDS);
        return c;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                received.add(Messages.JSON.readTree(partial.toString()));
            } catch (Exception e) {
                received.add(Messages.JSON.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.complete(-1);
    }

    void send(String text) throws Exception {
        socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    JsonNode join(String room, String role, String name) throws Exception {
        send(Messages.JSON.createObjectNode().put("type", "join").put("room", room).put("role", role)
                .put("name", name).toString());
        return next("joined", "error");
    }

    /** The next message of one of {@code types}, skipping greetings, broadcasts and pushes in between. */
    JsonNode next(String... types) throws InterruptedException {
        Set<String> wanted = Set.of(types);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode m = left > 0 ? received.poll(left, TimeUnit.NANOSECONDS) : null;
            if (m == null) {
                throw new AssertionError("no " + wanted + " message within 5 s");
            }
            String t = m.path("type").asText();
            if (wanted.contains(t)) {
                return m;
            }
            if (!Set.of("stats", "roster", "pong", "welcome").contains(t)) {
                throw new AssertionError("expected " + wanted + " but got " + m);
            }
        }
    }

    /** Sends a ping and waits for its pong: proof the server still serves this socket. */
    void assertServed() throws Exception {
        long t = System.nanoTime();
        send("{\"type\":\"ping\",\"t\":" + t + "}");
        JsonNode pong = next("pong");
        if (pong.path("t").asLong() != t) {
            throw new AssertionError("pong for another ping: " + pong);
        }
    }

    @Override
    public void close() {
        socket.abort();
    }
}
