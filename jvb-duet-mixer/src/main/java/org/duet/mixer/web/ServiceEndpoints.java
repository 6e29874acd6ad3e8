package org.duet.mixer.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.signaling.RoomDirectory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code /health} (JSON: ok, uptime, rooms) and {@code /metrics} (Prometheus text). */
final class ServiceEndpoints extends Handler.Abstract {

    private final DuetMixer mixer;
    private final RoomDirectory directory;
    private final DuetMetrics metrics;
    private final long startNanos = System.nanoTime();

    ServiceEndpoints(DuetMixer mixer, RoomDirectory directory, DuetMetrics metrics) {
        this.mixer = mixer;
        this.directory = directory;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        switch (path) {
            case "/health" -> {
                ObjectNode n = Messages.JSON.createObjectNode();
                n.put("status", "ok");
                n.put("uptimeSeconds", (System.nanoTime() - startNanos) / 1_000_000_000L);
                n.put("rooms", mixer.rooms().size());
                n.put("members", directory.memberCount());
                HttpJson.json(response, callback, 200, n);
                return true;
            }
            case "/metrics" -> {
                HttpJson.send(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                return true;
            }
            default -> {
                return false;
            }
        }
    }
}
