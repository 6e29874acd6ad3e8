package org.duet.mixer.jitsi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.List;

/**
 * Reads one mediajson text message into a reused {@link MediaJsonEvent} with Jackson's streaming
 * parser: no tree, no data-binding objects, and for {@code media} events no strings (the tag is
 * copied as characters, the base64 payload decoded straight into a byte buffer).
 *
 * <p>The bridge writes most numbers as JSON strings ({@code "chunk":"32460"}); both forms are
 * accepted. Field order is free, so the event type is known only at the end of the object.
 * Unknown fields are skipped, as the bridge's own parser does.
 */
final class MediaJsonReader {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(1 << 16).build())
            .build();

    private MediaJsonReader() {
    }

    /** Parses {@code text} into {@code into}; on failure {@code into.error} says why. */
    static void read(String text, MediaJsonEvent into) {
        into.clear();
        int len = text.length();
        if (len > into.text.length) {
            into.error = JitsiDropReason.OVERSIZE_MESSAGE;
            return;
        }
        // Parsing from the holder's own char buffer spares Jackson's copy of the string.
        text.getChars(0, len, into.text, 0);
        try (JsonParser p = FACTORY.createParser(into.text, 0, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                into.error = JitsiDropReason.MALFORMED_JSON;
                return;
            }
            MediaJsonEvent.Type eventType = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName(); // field names are interned by Jackson: no allocation
                JsonToken v = p.nextToken();
                switch (field) {
                    case "event" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            into.error = JitsiDropReason.MALFORMED_JSON;
                            return;
                        }
                        eventType = typeOf(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                    }
                    case "media" -> readMedia(p, v, into);
                    case "start", "stop" -> readStart(p, v, into);
                    case "id" -> {
                        into.id = number(p, v);
                        into.hasId = true;
                    }
                    case "exports" -> {
                        readNames(p, v, into.exports);
                        into.hasExports = true;
                    }
                    case "requests" -> {
                        readNames(p, v, into.requests);
                        into.hasRequests = true;
                    }
                    default -> p.skipChildren();
                }
                if (into.error != null) {
                    return;
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                into.error = JitsiDropReason.MALFORMED_JSON;
                return;
            }
            into.type = eventType == null ? MediaJsonEvent.Type.UNKNOWN : eventType;
            if (into.type == MediaJsonEvent.Type.UNKNOWN) {
                into.error = JitsiDropReason.UNKNOWN_EVENT;
            }
        } catch (IOException | NumberFormatException e) {
            into.error = JitsiDropReason.MALFORMED_JSON;
        }
    }

    private static final String[] EVENT_NAMES = {"media", "start", "stop", "ping", "pong", "sources", "info",
        "session-end", "transcription-result"};
    private static final MediaJsonEvent.Type[] EVENT_TYPES = {MediaJsonEvent.Type.MEDIA, MediaJsonEvent.Type.START,
        MediaJsonEvent.Type.STOP, MediaJsonEvent.Type.PING, MediaJsonEvent.Type.PONG, MediaJsonEvent.Type.SOURCES,
        MediaJsonEvent.Type.INFO, MediaJsonEvent.Type.SESSION_END, MediaJsonEvent.Type.TRANSCRIPTION};

    /** The event type named by {@code c[off, off+len)}, compared in place (no string per message). */
    private static MediaJsonEvent.Type typeOf(char[] c, int off, int len) {
        outer:
        for (int i = 0; i < EVENT_NAMES.length; i++) {
            String name = EVENT_NAMES[i];
            if (name.length() != len) {
                continue;
            }
            for (int j = 0; j < len; j++) {
                if (name.charAt(j) != c[off + j]) {
                    continue outer;
                }
            }
            return EVENT_TYPES[i];
        }
        return MediaJsonEvent.Type.UNKNOWN;
    }

    private static void readMedia(JsonParser p, JsonToken v, MediaJsonEvent into) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            into.error = JitsiDropReason.MALFORMED_JSON;
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "tag" -> readTag(p, t, into);
                case "chunk" -> {
                    into.chunk = number(p, t);
                    into.hasChunk = true;
                }
                case "timestamp" -> {
                    into.timestamp = number(p, t);
                    into.hasTimestamp = true;
                }
                case "payload" -> {
                    if (t != JsonToken.VALUE_STRING) {
                        into.error = JitsiDropReason.MALFORMED_JSON;
                        return;
                    }
                    int len = p.getTextLength();
                    if (Base64Codec.maxDecodedLength(len) > into.payload.length) {
                        into.error = JitsiDropReason.OVERSIZE_PAYLOAD;
                        return;
                    }
                    into.payloadLength = Base64Codec.decode(p.getTextCharacters(), p.getTextOffset(), len,
                            into.payload, 0);
                    if (into.payloadLength < 0) {
                        into.error = JitsiDropReason.BAD_PAYLOAD;
                        return;
                    }
                }
                default -> p.skipChildren();
            }
            if (into.error != null) {
                return;
            }
        }
    }

    private static void readStart(JsonParser p, JsonToken v, MediaJsonEvent into) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            into.error = JitsiDropReason.MALFORMED_JSON;
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "tag" -> readTag(p, t, into);
                case "mediaFormat" -> {
                    if (t != JsonToken.START_OBJECT) {
                        into.error = JitsiDropReason.MALFORMED_JSON;
                        return;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken ft = p.nextToken();
                        switch (f) {
                            case "encoding" -> into.encoding = ft == JsonToken.VALUE_STRING ? p.getText() : null;
                            case "sampleRate" -> into.sampleRate = number(p, ft);
                            case "channels" -> into.channels = number(p, ft);
                            default -> p.skipChildren();
                        }
                    }
                }
                case "customParameters" -> {
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken ft = p.nextToken();
                        if (f.equals("endpointId") && ft == JsonToken.VALUE_STRING) {
                            into.endpointId = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                case "timestamp" -> {
                    if (t != JsonToken.VALUE_NULL) {
                        into.timestamp = number(p, t);
                        into.hasTimestamp = true;
                    }
                }
                default -> p.skipChildren();
            }
            if (into.error != null) {
                return;
            }
        }
    }

    private static void readTag(JsonParser p, JsonToken t, MediaJsonEvent into) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            into.error = JitsiDropReason.MALFORMED_JSON;
            return;
        }
        int len = p.getTextLength();
        if (len > into.tag.length) {
            into.error = JitsiDropReason.UNKNOWN_TAG; // no source of ours has a name this long
            return;
        }
        System.arraycopy(p.getTextCharacters(), p.getTextOffset(), into.tag, 0, len);
        into.tagLength = len;
    }

    private static void readNames(JsonParser p, JsonToken v, List<String> into) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw new NumberFormatException("names must be an array"); // reported as malformed
        }
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING || into.size() >= 64) {
                throw new NumberFormatException("names must be at most 64 strings");
            }
            into.add(p.getText());
        }
    }

    /** A JSON number, or a string holding a decimal integer (the bridge's way), without allocating. */
    private static long number(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t != JsonToken.VALUE_STRING) {
            throw new NumberFormatException("expected a number");
        }
        char[] c = p.getTextCharacters();
        int off = p.getTextOffset();
        int len = p.getTextLength();
        if (len == 0 || len > 19) {
            throw new NumberFormatException("bad number");
        }
        boolean negative = c[off] == '-';
        int i = negative ? 1 : 0;
        if (i == len) {
            throw new NumberFormatException("bad number");
        }
        long v = 0;
        for (; i < len; i++) {
            char d = c[off + i];
            if (d < '0' || d > '9') {
                throw new NumberFormatException("bad number");
            }
            v = v * 10 + (d - '0');
        }
        return negative ? -v : v;
    }
}
