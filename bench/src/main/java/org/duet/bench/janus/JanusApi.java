package org.duet.bench.janus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Janus HTTP API (json over POST to /janus, events by long-poll GET on the session): create a
 * session, attach plugin handles, send plugin requests. Synchronous plugin requests (create,
 * rtp_forward) answer in the POST; asynchronous ones (join) answer "ack" and the result arrives
 * as an event carrying the same transaction, which {@link #asyncRequest} polls for.
 */
public final class JanusApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final AtomicLong transactions = new AtomicLong();
    private long session;

    public JanusApi(URI base) {
        this.base = base;
    }

    /** True once GET /janus/info answers. */
    public boolean ready() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/janus/info"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"janus\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public long createSession() throws IOException, InterruptedException {
        JsonNode r = post("/janus", message("create"));
        session = success(r).path("data").path("id").asLong();
        return session;
    }

    public long attach(String plugin) throws IOException, InterruptedException {
        ObjectNode m = message("attach");
        m.put("plugin", plugin);
        return success(post("/janus/" + session, m)).path("data").path("id").asLong();
    }

    /** A plugin request answered in the POST itself; returns plugindata.data. */
    public JsonNode syncRequest(long handle, ObjectNode body) throws IOException, InterruptedException {
        ObjectNode m = message("message");
        m.set("body", body);
        JsonNode r = success(post("/janus/" + session + "/" + handle, m));
        return pluginData(r);
    }

    /** A plugin request whose answer comes as an event; waits up to {@code timeout} for it. */
    public JsonNode asyncRequest(long handle, ObjectNode body, Duration timeout) throws IOException, InterruptedException {
        ObjectNode m = message("message");
        m.set("body", body);
        String tx = m.get("transaction").asText();
        JsonNode r = post("/janus/" + session + "/" + handle, m);
        String kind = r.path("janus").asText();
        if (kind.equals("event") || kind.equals("success")) {
            return pluginData(r);
        }
        if (!kind.equals("ack")) {
            throw new IOException("Janus refused " + body + ": " + r);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int polls = 0; polls < 100 && System.nanoTime() < deadline; polls++) {
            HttpResponse<String> poll = http.send(HttpRequest.newBuilder(
                            base.resolve("/janus/" + session + "?maxev=20&rid=" + System.nanoTime()))
                    .timeout(Duration.ofSeconds(35)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode events = JSON.readTree(poll.body());
            if (!events.isArray()) {
                events = JSON.createArrayNode().add(events);
            }
            for (JsonNode ev : events) {
                if (tx.equals(ev.path("transaction").asText()) && ev.path("janus").asText().equals("event")) {
                    return pluginData(ev);
                }
            }
        }
        throw new IOException("no answer from Janus to " + body + " within " + timeout);
    }

    private static JsonNode pluginData(JsonNode r) throws IOException {
        JsonNode data = r.path("plugindata").path("data");
        if (data.has("error")) {
            throw new IOException("Janus plugin error " + data.path("error_code").asInt() + ": " + data.path("error").asText());
        }
        return data;
    }

    private static JsonNode success(JsonNode r) throws IOException {
        if (!"success".equals(r.path("janus").asText())) {
            throw new IOException("Janus error: " + r);
        }
        return r;
    }

    private ObjectNode message(String kind) {
        ObjectNode m = JSON.createObjectNode();
        m.put("janus", kind);
        m.put("transaction", "t" + transactions.incrementAndGet());
        return m;
    }

    public static ObjectNode body(String request) {
        ObjectNode b = JSON.createObjectNode();
        b.put("request", request);
        return b;
    }

    private JsonNode post(String path, ObjectNode m) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(m))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " from Janus " + path + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
