package org.duet.coordinator.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;

/**
 * Duet's session state: the value of the room metadata key {@code duet} (JITSI.md, docs/protocol.md).
 * <pre>
 * {"v":1, "active":true, "singers":{"a":"&lt;endpointId&gt;","b":"&lt;endpointId&gt;"},
 *  "mode":"live", "leader":"a", "updatedBy":"&lt;endpointId&gt;", "ts":&lt;ms&gt;}
 * </pre>
 * Endpoint ids are what lib-jitsi-meet uses as MUC nicknames: 8 hex digits
 * ({@code RandomUtil.randomHexString(8).toLowerCase()} in JitsiConference.ts). Unknown fields are ignored;
 * bad JSON and invalid values are refused with {@link IllegalArgumentException}.
 *
 * @param singerA   singer a's endpoint id, or null (only while not active)
 * @param singerB   singer b's endpoint id, or null (only while not active)
 * @param mode      {@code live} (the duet as it is sung); other lower-case words are kept for later modes
 * @param leader    {@code a} or {@code b}: whose timing the other follows
 * @param updatedBy the moderator's endpoint id that wrote this value, or null
 * @param ts        milliseconds since the epoch when it was written
 */
public record DuetSession(boolean active, String singerA, String singerB, String mode, String leader,
                         String updatedBy, long ts) {

    public static final String METADATA_KEY = "duet";
    public static final int VERSION = 1;
    private static final Pattern ENDPOINT_ID = Pattern.compile("[0-9a-fA-F]{8}");
    private static final Pattern MODE = Pattern.compile("[a-z][a-z-]{0,31}");
    private static final ObjectMapper JSON = new ObjectMapper();

    public DuetSession {
        checkId(singerA, "singers.a");
        checkId(singerB, "singers.b");
        checkId(updatedBy, "updatedBy");
        if (mode == null) {
            mode = "live";
        }
        if (!MODE.matcher(mode).matches()) {
            throw new IllegalArgumentException("mode must be a lower-case word: " + mode);
        }
        if (leader == null) {
            leader = "a";
        }
        if (!leader.equals("a") && !leader.equals("b")) {
            throw new IllegalArgumentException("leader must be \"a\" or \"b\": " + leader);
        }
        if (active && (singerA == null || singerB == null)) {
            throw new IllegalArgumentException("an active duet needs both singers");
        }
        if (singerA != null && singerA.equalsIgnoreCase(singerB)) {
            throw new IllegalArgumentException("singer a and singer b must be different endpoints");
        }
        if (ts < 0) {
            throw new IllegalArgumentException("ts must not be negative");
        }
    }

    /** A running duet of {@code a} and {@code b}, live mode, a leading, written now by {@code moderator}. */
    public static DuetSession start(String a, String b, String moderator) {
        return new DuetSession(true, a, b, "live", "a", moderator, System.currentTimeMillis());
    }

    /** This duet stopped (the singers are kept so the pages know who sang). */
    public DuetSession stopped(String moderator) {
        return new DuetSession(false, singerA, singerB, mode, leader, moderator, System.currentTimeMillis());
    }

    private static void checkId(String id, String field) {
        if (id != null && !ENDPOINT_ID.matcher(id).matches()) {
            throw new IllegalArgumentException(field + " is not an endpoint id (8 hex digits): " + id);
        }
    }

    /** Parses the JSON text of the {@code duet} value. */
    public static DuetSession parse(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("duet session is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads the {@code duet} value; unknown fields are ignored. */
    public static DuetSession fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("duet session must be a JSON object");
        }
        JsonNode v = n.path("v");
        if (!v.canConvertToInt() || v.asInt() != VERSION) {
            throw new IllegalArgumentException("unsupported duet session version: " + v);
        }
        JsonNode singers = n.path("singers");
        if (!singers.isMissingNode() && !singers.isNull() && !singers.isObject()) {
            throw new IllegalArgumentException("singers must be an object");
        }
        JsonNode active = n.path("active");
        if (!active.isMissingNode() && !active.isBoolean()) {
            throw new IllegalArgumentException("active must be true or false");
        }
        JsonNode ts = n.path("ts");
        if (!ts.isMissingNode() && !ts.isNull() && !ts.canConvertToLong()) {
            throw new IllegalArgumentException("ts must be a number");
        }
        return new DuetSession(active.asBoolean(false), text(singers, "a"), text(singers, "b"),
                text(n, "mode"), text(n, "leader"), text(n, "updatedBy"), ts.asLong(0));
    }

    private static String text(JsonNode parent, String field) {
        JsonNode f = parent.path(field);
        if (f.isMissingNode() || f.isNull()) {
            return null;
        }
        if (!f.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return f.asText();
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        n.put("active", active);
        ObjectNode s = n.putObject("singers");
        s.put("a", singerA);
        s.put("b", singerB);
        n.put("mode", mode);
        n.put("leader", leader);
        n.put("updatedBy", updatedBy);
        n.put("ts", ts);
        return n;
    }

    /** The role of {@code endpointId} while this duet runs: singer-a, singer-b, listener; null when not active. */
    public String roleOf(String endpointId) {
        if (!active) {
            return null;
        }
        if (singerA.equalsIgnoreCase(endpointId)) {
            return "singer-a";
        }
        if (singerB.equalsIgnoreCase(endpointId)) {
            return "singer-b";
        }
        return "listener";
    }
}
