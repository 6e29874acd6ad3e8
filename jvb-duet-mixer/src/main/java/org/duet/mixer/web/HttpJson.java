package org.duet.mixer.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.duet.mixer.signaling.Messages;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small helpers for JSON over Jetty's core request/response. */
final class HttpJson {

    static final int MAX_BODY_BYTES = 64 * 1024;

    private HttpJson() {
    }

    /** An HTTP error with the status to answer and a message for {@code {"error": ...}}. */
    static final class HttpError extends Exception {
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    static void send(Response response, Callback callback, int status, String contentType, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    static void json(Response response, Callback callback, int status, Object body) {
        String text;
        try {
            text = body instanceof String s ? s : Messages.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            text = "{\"error\":\"response could not be encoded\"}";
            status = 500;
        }
        send(response, callback, status, "application/json; charset=utf-8", text);
    }

    static void error(Response response, Callback callback, int status, String message) {
        json(response, callback, status, Messages.JSON.createObjectNode().put("error", message));
    }

    static void noContent(Response response, Callback callback) {
        response.setStatus(204);
        callback.succeeded();
    }

    /** Reads a JSON object body of at most {@link #MAX_BODY_BYTES}. */
    static JsonNode readObject(Request request) throws HttpError {
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new HttpError(400, "could not read the request body: " + e.getMessage());
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new HttpError(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = Messages.JSON.readTree(body);
        } catch (IOException e) {
            throw new HttpError(400, "body is not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new HttpError(400, "body must be a JSON object");
        }
        return node;
    }
}
