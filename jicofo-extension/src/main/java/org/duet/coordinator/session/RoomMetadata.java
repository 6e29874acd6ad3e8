package org.duet.coordinator.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The wire format of Jitsi's room metadata component ({@code mod_room_metadata_component.lua}, jitsi-meet
 * Prosody plugins; client side lib-jitsi-meet {@code modules/xmpp/RoomMetadata.ts}).
 * <pre>
 * write (client to metadata.&lt;domain&gt;, accepted from moderators only):
 *   &lt;message to="metadata.meet.jitsi"&gt;
 *     &lt;room_metadata xmlns="http://jitsi.org/jitmeet" room="name@muc.meet.jitsi"&gt;
 *       {"key":"duet","data":{...},"type":"room_metadata"}&lt;/room_metadata&gt;&lt;/message&gt;
 * broadcast (component to every occupant, whole metadata, on each change and before the self-presence):
 *   &lt;message from="metadata.meet.jitsi"&gt;
 *     &lt;json-message xmlns="http://jitsi.org/jitmeet" room="name@muc.meet.jitsi"&gt;
 *       {"type":"room_metadata","metadata":{"duet":{...}, ...}}&lt;/json-message&gt;&lt;/message&gt;
 * </pre>
 */
public final class RoomMetadata {

    public static final String NAMESPACE = "http://jitsi.org/jitmeet";
    public static final String WRITE_ELEMENT = "room_metadata";
    public static final String BROADCAST_ELEMENT = "json-message";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RoomMetadata() {
    }

    /** The text of a write: set {@code key} to {@code data}. */
    public static String writeBody(String key, JsonNode data) {
        ObjectNode m = JSON.createObjectNode();
        m.put("key", key);
        m.set("data", data);
        m.put("type", WRITE_ELEMENT);
        return m.toString();
    }

    /** The metadata object of a broadcast, or empty when the text is not a room_metadata message. */
    public static Optional<ObjectNode> metadataOf(String broadcastText) {
        try {
            JsonNode n = JSON.readTree(broadcastText);
            if (n != null && "room_metadata".equals(n.path("type").asText()) && n.path("metadata").isObject()) {
                return Optional.of((ObjectNode) n.get("metadata"));
            }
        } catch (Exception e) {
            // not JSON: some other component's message
        }
        return Optional.empty();
    }
}
