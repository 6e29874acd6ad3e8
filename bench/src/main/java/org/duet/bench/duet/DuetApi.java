package org.duet.bench.duet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Duet's HTTP control API for plain-RTP participants (served by the standalone server):
 * POST /api/rooms/{room}/rtp-participants, PUT /api/rooms/{room}/backing-track, GET /api/stats.
 */
public final class DuetApi implements DuetControl {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public DuetApi(URI base) {
        this.base = base;
    }

    /** True once GET /api/stats answers 200. */
    @Override
    public boolean ready() {
        try {
            return http.send(get("/api/stats"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Adds a plain-RTP participant that sends to {@code remote}; returns Duet's socket for it. */
    @Override
    public InetSocketAddress addRtpParticipant(String room, String id, String role, InetSocketAddress remote)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id);
        body.put("role", role);
        body.put("remote", remote.getAddress().getHostAddress() + ":" + remote.getPort());
        body.put("payloadType", 111);
        JsonNode r = send("POST", "/api/rooms/" + room + "/rtp-participants", body);
        String local = r.path("local").asText();
        int colon = local.lastIndexOf(':');
        if (colon < 0) {
            throw new IOException("Duet answered without a local address: " + r);
        }
        return new InetSocketAddress(local.substring(0, colon), Integer.parseInt(local.substring(colon + 1)));
    }

    @Override
    public void setBackingTrack(String room, Path wav, double gain) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("path", wav.toAbsolutePath().toString());
        body.put("gain", gain);
        send("PUT", "/api/rooms/" + room + "/backing-track", body);
    }

    @Override
    public JsonNode stats() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(get("/api/stats"), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /api/stats: HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build();
    }

    private JsonNode send(String method, String path, ObjectNode body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }
}
