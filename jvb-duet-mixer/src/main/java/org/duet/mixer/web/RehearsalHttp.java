package org.duet.mixer.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duet.mixer.backing.BackingState;
import org.duet.mixer.record.TakeInfo;
import org.duet.mixer.rehearsal.RehearsalException;
import org.duet.mixer.rehearsal.RehearsalService;
import org.duet.mixer.signaling.Member;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.signaling.RoomDirectory;
import org.duet.mixer.signaling.SignalingException;
import org.duet.mixer.web.HttpJson.HttpError;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * HTTP for the rehearsal room (docs/rehearsal.md). Two audiences:
 * <ul>
 *   <li>the page, authorised by the token its {@code rehearsal} message carries:
 *       {@code POST /rehearsal/backing} (upload) and {@code GET /rehearsal/takes/{id}/{file}} (download);</li>
 *   <li>the loopback control API, the same operations for programs: {@code /api/rooms/{room}/backing...},
 *       {@code /monitor/{id}}, {@code /listener-mix}, {@code /takes...}, and {@code /api/takes/{id}...}.</li>
 * </ul>
 * Errors are {@code {"error": sentence, "code": code}} with a 4xx/5xx status.
 */
final class RehearsalHttp extends Handler.Abstract {

    static final String TOKEN_HEADER = "X-Duet-Token";
    private static final Pattern PAGE_DOWNLOAD = Pattern.compile("/rehearsal/takes/([^/]+)/([^/]+)");
    private static final Pattern API_BACKING = Pattern.compile("/api/rooms/([^/]+)/backing(?:/([a-z]+))?");
    private static final Pattern API_MONITOR = Pattern.compile("/api/rooms/([^/]+)/monitor/([^/]+)");
    private static final Pattern API_LISTENER_MIX = Pattern.compile("/api/rooms/([^/]+)/listener-mix");
    private static final Pattern API_TAKES = Pattern.compile("/api/rooms/([^/]+)/takes(?:/([a-z]+))?");
    private static final Pattern API_TAKE = Pattern.compile("/api/takes/([^/]+)(?:/([^/]+))?");

    private final RehearsalService rehearsal;
    private final WebSettings settings;

    RehearsalHttp(RehearsalService rehearsal, WebSettings settings) {
        this.rehearsal = rehearsal;
        this.settings = settings;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        boolean page = path.startsWith("/rehearsal/");
        boolean api = path.startsWith("/api/rooms/") && (API_BACKING.matcher(path).matches()
                || API_MONITOR.matcher(path).matches() || API_LISTENER_MIX.matcher(path).matches()
                || API_TAKES.matcher(path).matches()) || path.startsWith("/api/takes/");
        if (!page && !api) {
            return false;
        }
        try {
            if (page) {
                page(path, request, response, callback);
            } else {
                if (settings.apiLoopbackOnly() && !ControlApi.isLoopback(request)) {
                    throw new HttpError(403, "the control API answers loopback clients only (duet.http.api-loopback-only)");
                }
                api(path, request, response, callback);
            }
        } catch (HttpError e) {
            HttpJson.error(response, callback, e.status, e.getMessage());
        } catch (RehearsalException e) {
            fail(response, callback, e);
        }
        return true;
    }

    // ---- the page ----

    private void page(String path, Request request, Response response, Callback callback)
            throws HttpError, RehearsalException {
        Fields query = Request.extractQueryParameters(request);
        Matcher m;
        if (path.equals("/rehearsal/backing")) {
            requireMethod(request, HttpMethod.POST);
            Member member = member(request.getHeaders().get(TOKEN_HEADER));
            if (!member.isSinger()) {
                throw new RehearsalException("not-allowed", 403, "Only singers upload backing tracks.");
            }
            byte[] body = readBody(request);
            String by = member.name().isEmpty() ? member.id() : member.name();
            respond(rehearsal.uploadBacking(member.room(), by, query.getValue("name"), body), response, callback);
        } else if ((m = PAGE_DOWNLOAD.matcher(path)).matches()) {
            requireMethod(request, HttpMethod.GET);
            Member member = member(query.getValue("token"));
            TakeInfo t = rehearsal.takes().get(m.group(1));
            if (t == null || !t.room().equals(member.room())) {
                throw new HttpError(404, "no take " + m.group(1) + " in room " + member.room());
            }
            download(m.group(1), m.group(2), response, callback);
        } else {
            throw new HttpError(404, "no such page API: " + path);
        }
    }

    private Member member(String token) throws RehearsalException {
        Member m = rehearsal.memberForToken(token);
        if (m == null) {
            throw new RehearsalException("not-joined", 403, "Join the room first (the page's token is missing or"
                    + " out of date).");
        }
        return m;
    }

    // ---- the control API ----

    private void api(String path, Request request, Response response, Callback callback)
            throws HttpError, RehearsalException {
        Matcher m;
        if ((m = API_BACKING.matcher(path)).matches()) {
            String room = room(m.group(1));
            String action = m.group(2);
            if (action == null) {
                requireMethod(request, HttpMethod.GET);
                BackingState s = rehearsal.backingState(room);
                HttpJson.json(response, callback, 200, s == null ? Messages.JSON.createObjectNode().putNull("backing") : s);
                return;
            }
            if (action.equals("file")) {
                requireMethod(request, HttpMethod.PUT);
                String name = Request.extractQueryParameters(request).getValue("name");
                respond(rehearsal.uploadBacking(room, "operator", name, readBody(request)), response, callback);
                return;
            }
            requireMethod(request, HttpMethod.POST);
            BackingState s = switch (action) {
                case "start" -> rehearsal.backingStart(room);
                case "stop" -> rehearsal.backingStop(room);
                case "seek" -> rehearsal.backingSeek(room, positionMs(HttpJson.readObject(request)));
                case "level" -> rehearsal.backingLevel(room, level(HttpJson.readObject(request), "level"));
                case "loop" -> rehearsal.backingLoop(room, HttpJson.readObject(request).path("loop").asBoolean(false));
                case "clear" -> {
                    rehearsal.backingClear(room);
                    yield null;
                }
                default -> throw new HttpError(404, "no backing action " + action);
            };
            HttpJson.json(response, callback, 200, s == null ? Messages.JSON.createObjectNode().putNull("backing") : s);
        } else if ((m = API_MONITOR.matcher(path)).matches()) {
            requireMethod(request, HttpMethod.PUT);
            JsonNode body = HttpJson.readObject(request);
            rehearsal.monitor(room(m.group(1)), m.group(2), level(body, "partner"), level(body, "backing"));
            HttpJson.noContent(response, callback);
        } else if ((m = API_LISTENER_MIX.matcher(path)).matches()) {
            requireMethod(request, HttpMethod.PUT);
            JsonNode body = HttpJson.readObject(request);
            rehearsal.listenerMix(room(m.group(1)), RehearsalService.levels(body.get("voices")),
                    body.hasNonNull("backing") ? level(body, "backing") : null);
            HttpJson.noContent(response, callback);
        } else if ((m = API_TAKES.matcher(path)).matches()) {
            String room = room(m.group(1));
            String action = m.group(2);
            if (action == null) {
                requireMethod(request, HttpMethod.GET);
                HttpJson.json(response, callback, 200, rehearsal.listTakes(room));
            } else if (action.equals("start")) {
                requireMethod(request, HttpMethod.POST);
                HttpJson.json(response, callback, 200, rehearsal.startTake(room, "operator"));
            } else if (action.equals("stop")) {
                requireMethod(request, HttpMethod.POST);
                TakeInfo t = rehearsal.stopTake(room);
                try {
                    t = rehearsal.awaitTake(room, t.id(), 5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                HttpJson.json(response, callback, 200, t);
            } else if (action.equals("play")) {
                requireMethod(request, HttpMethod.POST);
                JsonNode id = HttpJson.readObject(request).get("id");
                if (id == null || !id.isTextual()) {
                    throw new HttpError(400, "\"id\" must be a take id (a string)");
                }
                respond(rehearsal.playTake(room, id.asText(), "operator"), response, callback);
            } else {
                throw new HttpError(404, "no takes action " + action);
            }
        } else if ((m = API_TAKE.matcher(path)).matches()) {
            String id = m.group(1);
            if (m.group(2) != null) {
                requireMethod(request, HttpMethod.GET);
                download(id, m.group(2), response, callback);
            } else if (HttpMethod.DELETE.is(request.getMethod())) {
                rehearsal.deleteTake(null, id);
                HttpJson.noContent(response, callback);
            } else {
                requireMethod(request, HttpMethod.GET);
                TakeInfo t = rehearsal.takes().get(id);
                if (t == null) {
                    throw new HttpError(404, "no take " + id);
                }
                HttpJson.json(response, callback, 200, t);
            }
        } else {
            throw new HttpError(404, "no such API: " + path);
        }
    }

    private static long positionMs(JsonNode body) throws HttpError {
        JsonNode v = body.get("positionMs");
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0) {
            throw new HttpError(400, "\"positionMs\" must be a number of milliseconds, 0 or more");
        }
        return v.asLong();
    }

    // ---- helpers ----

    private void download(String id, String file, Response response, Callback callback) throws HttpError {
        Path p = rehearsal.takes().file(id, file);
        if (p == null || !Files.isRegularFile(p)) {
            throw new HttpError(404, "take " + id + " has no file " + file);
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "audio/ogg");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + id + "-" + file + "\"");
        try {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Files.size(p));
        } catch (IOException e) {
            throw new HttpError(404, "take " + id + " file " + file + " cannot be read");
        }
        Content.copy(Content.Source.from(p), response, callback);
    }

    private byte[] readBody(Request request) throws RehearsalException, HttpError {
        long max = rehearsal.settings().maxUploadBytes();
        long declared = request.getLength();
        if (declared > max) {
            throw tooLarge(declared, max);
        }
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        } catch (IOException e) {
            throw new HttpError(400, "could not read the upload: " + e.getMessage());
        }
        if (body.length > max) {
            throw tooLarge(body.length, max);
        }
        return body;
    }

    private static RehearsalException tooLarge(long size, long max) {
        return new RehearsalException("file-too-large", 413, String.format(java.util.Locale.ROOT,
                "The file is %.1f MiB; backing tracks may be at most %.1f MiB.", size / 1048576.0, max / 1048576.0));
    }

    private static void respond(CompletableFuture<BackingState> future, Response response, Callback callback) {
        future.whenComplete((state, ex) -> {
            if (ex == null) {
                HttpJson.json(response, callback, 200, state);
                return;
            }
            Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
            if (cause instanceof RehearsalException re) {
                fail(response, callback, re);
            } else {
                HttpJson.error(response, callback, 500, "decoding failed: " + cause);
            }
        });
    }

    private static void fail(Response response, Callback callback, RehearsalException e) {
        ObjectNode n = Messages.JSON.createObjectNode().put("error", e.getMessage()).put("code", e.code());
        HttpJson.json(response, callback, e.status(), n);
    }

    private static String room(String name) throws HttpError {
        try {
            RoomDirectory.checkRoomName(name);
        } catch (SignalingException e) {
            throw new HttpError(400, e.getMessage());
        }
        return name;
    }

    private static float level(JsonNode body, String field) throws HttpError {
        JsonNode v = body.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble()) || v.asDouble() < 0 || v.asDouble() > 4) {
            throw new HttpError(400, "\"" + field + "\" must be a level from 0 to 4 (1 = unchanged)");
        }
        return (float) v.asDouble();
    }

    private static void requireMethod(Request request, HttpMethod expected) throws HttpError {
        if (!expected.is(request.getMethod())) {
            throw new HttpError(405, "use " + expected.asString() + " here, not " + request.getMethod());
        }
    }
}
