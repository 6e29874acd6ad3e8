package org.duet.mixer.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;

/**
 * Signaling JSON on hostile input, through the real session code (with a real mixer behind it):
 * any text, and messages built from the protocol's types with fields of every JSON kind. Nothing
 * throws, every reply is a JSON object with a type, and none is an {@code internal} error (the
 * server's word for a bug it caught).
 */
class SignalingJsonProperties {

    private static DuetMixer mixer;
    private static SignalingService service;

    @BeforeContainer
    static void start() {
        DuetConfig config = DuetConfig.withOverrides("duet.signaling.max-messages-per-second = 1000000\n"
                + "duet.limits.max-sockets-per-address = 1000000\nduet.limits.max-sockets = 1000000");
        mixer = DuetMixer.start(config);
        RoomDirectory directory = new RoomDirectory(mixer, SignalingSettings.from(config.raw()),
                LimitSettings.from(config.raw()));
        service = new SignalingService(mixer, directory, null);
    }

    @AfterContainer
    static void stop() {
        service.close();
        mixer.close();
    }

    @Property(tries = 3000)
    void anyTextIsHandledWithoutABug(@ForAll @StringLength(max = 400) String text) {
        assertAnswered(List.of(text));
    }

    @Property(tries = 3000)
    void protocolShapedMessagesAreHandledWithoutABug(@ForAll("conversations") List<String> messages) {
        assertAnswered(messages);
    }

    private static void assertAnswered(List<String> messages) {
        Capture out = new Capture();
        SignalingSession s = service.open(out);
        try {
            for (String m : messages) {
                s.onText(m); // must not throw; a bug would show as an "internal" error below
            }
        } finally {
            s.onClose();
        }
        for (String reply : out.sent) {
            JsonNode n;
            try {
                n = Messages.JSON.readTree(reply);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + reply, e);
            }
            assertThat(n.path("type").isTextual()).as(reply).isTrue();
            assertThat(n.path("code").asText()).as(reply).isNotEqualTo("internal");
        }
    }

    @Provide
    Arbitrary<List<String>> conversations() {
        Arbitrary<String> type = Arbitraries.of("join", "offer", "candidate", "leave", "ping", "revoke", "assign",
                "clock", "clock-sample", "nonsense", "");
        Arbitrary<String> field = Arbitraries.of("room", "role", "name", "resume", "invite", "token", "sdp",
                "candidate", "sdpMid", "sdpMLineIndex", "participantId", "t", "x");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of("\"duet\"", "\"singer-a\"", "\"singer-b\"", "\"listener\"", "\"\"", "null", "true",
                        "0", "-1", "1e308", "[]", "{}", "[1,[2,[3]]]", "{\"a\":{\"b\":1}}", "\"v=0\\r\\n\"",
                        "\"candidate:1 1 udp 1 127.0.0.1 1 typ host\"", "\"\\u0000\"", "9223372036854775808"),
                Arbitraries.strings().ofMaxLength(80).map(s -> Messages.JSON.getNodeFactory().textNode(s).toString()));
        Arbitrary<String> message = Arbitraries.maps(field, value).ofMaxSize(5).flatMap(fields -> type.map(t -> {
            StringBuilder b = new StringBuilder("{\"type\":\"").append(t).append('"');
            fields.forEach((k, v) -> b.append(",\"").append(k).append("\":").append(v));
            return b.append('}').toString();
        }));
        return message.list().ofMinSize(1).ofMaxSize(6);
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
            return "property test";
        }

        @Override
        public String clientAddress() {
            return "192.0.2.1";
        }
    }
}
