package org.duet.jitsi.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves Duet's web folder the way a Jitsi Meet deployment serves it next to its own files: the
 * duet page (jitsi.html) and its modules at /, lib-jitsi-meet at /libs/lib-jitsi-meet.min.js, the
 * deployment's /config.js (hosts, websocket) and the self-hoster's duet-config.js. On localhost,
 * which Chromium treats as a secure context (getUserMedia, AudioWorklet). Pages upload their
 * recordings to /upload/<key> (POST, binary), which {@link #takeUpload} hands to the test.
 */
final class PageServer implements AutoCloseable {

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "json", "application/json",
            "svg", "image/svg+xml", "png", "image/png");

    /** Upload bodies by key; a recording is taken once. */
    private static final Map<String, byte[]> UPLOADS = new ConcurrentHashMap<>();
    private static final int MAX_UPLOAD_BYTES = 64 << 20;

    private final HttpServer server;

    /**
     * @param meetConfig the deployment's config.js (Jitsi Meet's {@code var config = {...}})
     * @param duetConfig this deployment's duet-config.js
     */
    PageServer(int port, Path webRoot, Path libJitsiMeet, String meetConfig, String duetConfig) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/libs/lib-jitsi-meet.min.js", ex -> send(ex, libJitsiMeet));
        server.createContext("/config.js", ex -> sendBytes(ex, meetConfig.getBytes(StandardCharsets.UTF_8), "js"));
        server.createContext("/duet-config.js", ex -> sendBytes(ex, duetConfig.getBytes(StandardCharsets.UTF_8), "js"));
        server.createContext("/upload/", PageServer::receiveUpload);
        server.createContext("/", ex -> {
            Path file = webRoot.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(webRoot) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            send(ex, file);
        });
        server.start();
    }

    private static void receiveUpload(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = ex.getRequestBody().readNBytes(MAX_UPLOAD_BYTES + 1);
            if (body.length > MAX_UPLOAD_BYTES) {
                ex.sendResponseHeaders(413, -1);
                return;
            }
            UPLOADS.put(ex.getRequestURI().getPath().substring("/upload/".length()), body);
            ex.sendResponseHeaders(204, -1);
        }
    }

    /** The body a page POSTed to /upload/{@code key}, removed from the store; null if none came. */
    static byte[] takeUpload(String key) {
        return UPLOADS.remove(key);
    }

    private static void send(HttpExchange ex, Path file) throws IOException {
        String name = file.getFileName().toString();
        sendBytes(ex, Files.readAllBytes(file), name.substring(name.lastIndexOf('.') + 1));
    }

    private static void sendBytes(HttpExchange ex, byte[] body, String ext) throws IOException {
        ex.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
