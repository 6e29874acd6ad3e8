package org.duet.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.LimitSettings;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.signaling.Outbox;
import org.duet.mixer.signaling.RoomDirectory;
import org.duet.mixer.signaling.SignalingService;
import org.duet.mixer.signaling.SignalingSession;
import org.duet.mixer.signaling.SignalingSettings;

/**
 * Signaling WebSocket messages through the real session code with a real mixer behind it (no
 * WebRTC transport: offers are answered {@code webrtc-unavailable}). One case is one connection:
 * a few messages (separated by U+001E in the input), then the close. Every reply must be a JSON
 * object with a type and never the {@code internal} error (the server's word for a bug it caught);
 * rooms, members and sessions must all be gone once the connections closed.
 */
final class SignalingTarget implements FuzzTarget {

    private static final String SEP = "\u001e";

    private final DuetMixer mixer;
    private final SignalingService service;
    private final Capture out = new Capture();

    SignalingTarget() {
        // the rate limit would refuse most cases (one address, a million messages); the caps stay at their defaults
        DuetConfig config = DuetConfig.withOverrides("duet.signaling.max-messages-per-second = 100000000\n"
                + "duet.limits.empty-room-grace = 0s\nduet.mixer.loops = 1");
        mixer = DuetMixer.start(config);
        RoomDirectory directory = new RoomDirectory(mixer, SignalingSettings.from(config.raw()),
                LimitSettings.from(config.raw()));
        service = new SignalingService(mixer, directory, null);
    }

    @Override
    public String name() {
        return "signaling";
    }

    @Override
    public List<byte[]> seeds() {
        return Seeds.ascii(
                "{\"type\":\"join\",\"room\":\"duet\",\"role\":\"listener\",\"name\":\"Ana\"}",
                "{\"type\":\"join\",\"room\":\"duet\",\"role\":\"singer-a\",\"name\":\"Ana\"}" + SEP
                        + "{\"type\":\"ping\",\"t\":12.5}" + SEP + "{\"type\":\"leave\"}",
                "{\"type\":\"join\",\"room\":\"duet\",\"role\":\"singer-b\"}" + SEP
                        + "{\"type\":\"join\",\"room\":\"duet\",\"role\":\"singer-a\"}",
                "{\"type\":\"ping\",\"t\":1700000000000}",
                "{\"type\":\"join\",\"room\":\"r2\",\"role\":\"listener\",\"resume\":\"AAAAAAAAAAAAAAAAAAAAAAAA\"}"
                        + SEP + "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}",
                "{\"type\":\"join\",\"room\":\"duet\",\"role\":\"singer-a\"}" + SEP
                        + "{\"type\":\"candidate\",\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ host\","
                        + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}",
                "{\"type\":\"join\",\"room\":\"duet\",\"role\":\"singer-a\"}" + SEP
                        + "{\"type\":\"clock\",\"t1\":1,\"t2\":2,\"t3\":3,\"t4\":4}" + SEP + "{\"type\":\"leave\"}");
    }

    @Override
    public List<byte[]> dictionary() {
        return Seeds.ascii("\"", "{", "}", "[", "]", ":", ",", "null", "true", "-1", "1e999", "0.5",
                "9223372036854775808", "\\u0000", "\\ud800", "\"type\"", "\"join\"", "\"leave\"", "\"offer\"",
                "\"candidate\"", "\"ping\"", "\"room\"", "\"role\"", "\"name\"", "\"resume\"", "\"invite\"",
                "\"token\"", "\"sdp\"", "\"listener\"", "\"singer-a\"", "\"singer-z\"", "\"assign\"", "\"revoke\"",
                "\"participantId\"", SEP, "{\"type\":\"leave\"}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    }

    @Override
    public int maxLength() {
        return 4096;
    }

    @Override
    public boolean run(byte[] input) {
        out.sent.clear();
        SignalingSession s = service.open(out);
        try {
            for (String message : new String(input, StandardCharsets.UTF_8).split(SEP, 8)) {
                s.onText(message);
            }
        } finally {
            s.onClose();
        }
        boolean accepted = true;
        for (String reply : out.sent) {
            JsonNode n;
            try {
                n = Messages.JSON.readTree(reply);
            } catch (Exception e) {
                throw new BrokenContract("a reply that is not JSON: " + reply, e);
            }
            if (!n.path("type").isTextual()) {
                throw new BrokenContract("a reply without a type: " + reply);
            }
            if (n.path("type").asText().equals("error")) {
                if (n.path("code").asText().equals("internal")) {
                    throw new BrokenContract("the server caught a bug: " + reply);
                }
                if (n.path("message").asText().isBlank()) {
                    throw new BrokenContract("an error without a sentence: " + reply);
                }
                accepted = false;
            }
        }
        return accepted;
    }

    @Override
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        if (service.openSessions() != 0) {
            left.add(service.openSessions() + " signaling sessions still open");
        }
        for (Room r : mixer.rooms()) {
            left.add("room " + r.name() + " still open with " + r.participants().size() + " participants");
            if (left.size() > 5) {
                break;
            }
        }
        return left;
    }

    @Override
    public void close() {
        service.close();
        mixer.close();
    }

    private static final class Capture implements Outbox {
        final List<String> sent = new ArrayList<>();

        @Override
        public synchronized void send(String json) {
            sent.add(json);
        }

        @Override
        public void close(int statusCode, String reason) {
        }

        @Override
        public String describe() {
            return "fuzz";
        }

        @Override
        public String clientAddress() {
            return "127.0.0.1";
        }
    }
}
