package org.duet.mixer.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Role;
import org.duet.mixer.web.StandaloneServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Signaling against the real server on an ephemeral loopback port: every refusal is a clear
 * error on the socket, and the server keeps serving that client and everyone else.
 */
class SignalingServerTest {

    private DuetMixer mixer;
    private StandaloneServer server;

    private URI start(String hocon) {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\n" + hocon);
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer, null);
        return server.uri();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (mixer != null) {
            mixer.close();
        }
    }

    @Test
    void joinAnswersWithIdRoleRoomAndRoster() throws Exception {
        URI uri = start("");
        try (WsClient ana = WsClient.connect(uri); WsClient ben = WsClient.connect(uri)) {
            JsonNode joined = ana.join("duet", "singer-a", "Ana");
            assertThat(joined.path("type").asText()).isEqualTo("joined");
            assertThat(joined.path("participantId").asText()).matches("[A-Za-z0-9._-]+");
            assertThat(joined.path("role").asText()).isEqualTo("singer-a");
            assertThat(joined.path("room").asText()).isEqualTo("duet");
            assertThat(joined.path("iceServers").isArray()).isTrue();
            assertThat(joined.path("participants")).hasSize(1);

            JsonNode benJoined = ben.join("duet", "singer-b", "Ben");
            assertThat(benJoined.path("youHear")).hasSize(1);
            assertThat(benJoined.path("youHear").get(0).asText()).isEqualTo(joined.path("participantId").asText());
            // Ana hears about Ben through a roster broadcast, with Ben in her mix.
            JsonNode roster = ana.next("roster");
            assertThat(roster.path("participants")).hasSize(2);
            assertThat(roster.path("youHear").get(0).asText()).isEqualTo(benJoined.path("participantId").asText());
        }
    }

    @Test
    void aNewSocketIsGreetedWithTheRolesOnOffer() throws Exception {
        URI uri = start("duet.rooms.max-singers = 3\nduet.rooms.open = false\nduet.rooms.preset = [stage]");
        try (WsClient c = WsClient.connect(uri)) {
            JsonNode welcome = c.next("welcome");
            assertThat(welcome.path("singerRoles").toString()).isEqualTo("[\"singer-a\",\"singer-b\",\"singer-c\"]");
            assertThat(welcome.path("openRooms").asBoolean()).isFalse();
            assertThat(welcome.path("rooms").toString()).isEqualTo("[\"stage\"]");
            assertThat(welcome.path("webrtc").asBoolean()).isFalse();
        }
    }

    @Test
    void takenSingerRoleIsAnErrorAndTheClientCanPickAnother() throws Exception {
        URI uri = start("");
        try (WsClient first = WsClient.connect(uri); WsClient second = WsClient.connect(uri)) {
            assertThat(first.join("duet", "singer-a", "Ana").path("type").asText()).isEqualTo("joined");
            JsonNode error = second.join("duet", "singer-a", "Ben");
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("role-taken");
            assertThat(error.path("message").asText()).contains("singer-a").contains("taken").contains("Ana");
            assertThat(error.path("inReplyTo").asText()).isEqualTo("join");
            // same socket, another role: served
            assertThat(second.join("duet", "singer-b", "Ben").path("role").asText()).isEqualTo("singer-b");
            // the first client was not disturbed
            first.assertServed();
        }
    }

    @Test
    void leavingOrDisconnectingFreesTheRole() throws Exception {
        URI uri = start("");
        WsClient b = WsClient.connect(uri);
        try (WsClient a = WsClient.connect(uri); WsClient c = WsClient.connect(uri)) {
            a.join("duet", "singer-a", "");
            a.send("{\"type\":\"leave\"}");
            assertThat(a.next("left").path("reason").asText()).isNotEmpty();
            assertThat(b.join("duet", "singer-a", "").path("type").asText()).isEqualTo("joined");
            b.close();
            JsonNode joined = null;
            for (int i = 0; i < 50 && joined == null; i++) { // the server notices the dropped socket
                JsonNode r = c.join("duet", "singer-a", "");
                if (r.path("type").asText().equals("joined")) {
                    joined = r;
                } else {
                    assertThat(r.path("code").asText()).isEqualTo("role-taken");
                    Thread.sleep(100);
                }
            }
            assertThat(joined).as("singer-a free again after the holder disconnected").isNotNull();
        }
    }

    @Test
    void unknownRoomIsAnErrorWhenRoomsAreClosed() throws Exception {
        URI uri = start("duet.rooms.open = false\nduet.rooms.preset = [stage]");
        try (WsClient c = WsClient.connect(uri)) {
            JsonNode error = c.join("nope", "listener", "");
            assertThat(error.path("code").asText()).isEqualTo("unknown-room");
            assertThat(error.path("message").asText()).contains("nope").contains("does not exist");
            assertThat(mixer.room("nope")).isNull();
            assertThat(c.join("stage", "listener", "").path("type").asText()).isEqualTo("joined");
        }
    }

    @Test
    void malformedJsonIsAnErrorAndTheSocketStaysUsable() throws Exception {
        URI uri = start("");
        try (WsClient c = WsClient.connect(uri)) {
            c.send("{\"type\": \"join\", room:");
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("bad-json");
            assertThat(e.path("message").asText()).contains("not valid JSON");
            c.send("[1,2,3]");
            assertThat(c.next("error").path("code").asText()).isEqualTo("bad-message");
            c.send("{\"room\":\"duet\"}");
            assertThat(c.next("error").path("message").asText()).contains("type");
            c.send("{\"type\":\"join\",\"room\":\"duet\",\"role\":7}");
            assertThat(c.next("error").path("message").asText()).contains("role").contains("string");
            c.send("{\"type\":\"join\",\"room\":\"../etc\",\"role\":\"listener\"}");
            assertThat(c.next("error").path("message").asText()).contains("room name");
            c.assertServed();
            assertThat(c.join("duet", "listener", "").path("type").asText()).isEqualTo("joined");
        }
    }

    @Test
    void unknownTypeAndUnknownRoleAreErrors() throws Exception {
        URI uri = start("");
        try (WsClient c = WsClient.connect(uri)) {
            c.send("{\"type\":\"dance\"}");
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("unknown-type");
            assertThat(e.path("message").asText()).contains("dance").contains("join");
            assertThat(c.join("duet", "singer-c", "").path("code").asText()).isEqualTo("bad-role");
            assertThat(c.join("duet", "drummer", "").path("code").asText()).isEqualTo("bad-role");
            c.send("{\"type\":\"offer\",\"sdp\":\"v=0\"}");
            assertThat(c.next("error").path("code").asText()).isEqualTo("not-joined");
            c.assertServed();
        }
    }

    @Test
    void moreSingersWhenConfigured() throws Exception {
        URI uri = start("duet.rooms.max-singers = 3");
        try (WsClient c = WsClient.connect(uri)) {
            JsonNode joined = c.join("trio", "singer-c", "Cleo");
            assertThat(joined.path("type").asText()).isEqualTo("joined");
            assertThat(joined.path("singerRoles")).hasSize(3);
        }
    }

    @Test
    void oversizeMessageIsAnErrorAndTheServerKeepsServing() throws Exception {
        URI uri = start("duet.signaling.max-message-bytes = 16 KiB");
        try (WsClient big = WsClient.connect(uri); WsClient other = WsClient.connect(uri)) {
            String huge = "{\"type\":\"offer\",\"sdp\":\"" + "a".repeat(40_000) + "\"}";
            big.send(huge);
            JsonNode e = big.next("error");
            assertThat(e.path("code").asText()).isEqualTo("message-too-large");
            assertThat(e.path("message").asText()).contains("16384");
            big.assertServed();
            // Something absurd (beyond the WebSocket frame limit) costs only that client its socket.
            try {
                big.send("{\"type\":\"x\",\"pad\":\"" + "b".repeat(3 << 20) + "\"}");
            } catch (ExecutionException | CompletionException ignored) {
                // the server may close before the client finishes writing
            }
            assertThat(big.closeCode.get(5, TimeUnit.SECONDS)).isIn(1009, -1, 1006);
            other.assertServed();
            assertThat(other.join("duet", "singer-a", "").path("type").asText()).isEqualTo("joined");
        }
    }

    @Test
    void floodingIsRateLimitedWithoutHurtingOthers() throws Exception {
        URI uri = start("duet.signaling.max-messages-per-second = 10");
        try (WsClient flood = WsClient.connect(uri); WsClient other = WsClient.connect(uri)) {
            for (int i = 0; i < 40; i++) {
                flood.send("{\"type\":\"ping\",\"t\":" + i + "}");
            }
            boolean limited = false;
            for (int i = 0; i < 40 && !limited; i++) {
                JsonNode m = flood.next("pong", "error");
                limited = m.path("code").asText().equals("rate-limited");
            }
            assertThat(limited).isTrue();
            other.assertServed();
        }
    }

    @Test
    void offerWithoutWebRtcTransportIsAClearError() throws Exception {
        URI uri = start("");
        try (WsClient c = WsClient.connect(uri)) {
            c.join("duet", "singer-a", "");
            c.send("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}");
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("webrtc-unavailable");
            assertThat(e.path("inReplyTo").asText()).isEqualTo("offer");
        }
    }

    @Test
    void realChromiumOfferIsAnsweredWithCandidatesAndStatsFollow() throws Exception {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\nduet.signaling.stats-interval = 200ms");
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer);
        assertThat(server.webRtcAvailable()).isTrue();
        String offer;
        try (var in = getClass().getResourceAsStream("/webrtc/chromium-156-offer-sendrecv.sdp")) {
            offer = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        try (WsClient c = WsClient.connect(server.uri())) {
            String id = c.join("duet", "singer-a", "Ana").path("participantId").asText();
            c.send(Messages.JSON.createObjectNode().put("type", "offer").put("sdp", offer).toString());
            JsonNode answer = c.next("answer");
            assertThat(answer.path("sdp").asText()).startsWith("v=0").contains("a=ice-lite").contains("a=fingerprint:")
                    .contains("a=sendrecv").contains("opus/48000").doesNotContain("a=ssrc:");
            JsonNode candidate = c.next("candidate");
            assertThat(candidate.path("candidate").asText()).startsWith("candidate:").contains("127.0.0.1").contains("typ host");
            assertThat(c.next("candidate").path("candidate").asText()).as("end of candidates").isEmpty();
            JsonNode stats = c.next("stats");
            assertThat(stats.path("connection").asText()).isIn("new", "connecting");
            assertThat(stats.has("jitterTargetMs")).isTrue();
            assertThat(mixer.room("duet").participants()).extracting(p -> p.id()).containsExactly(id);
            // a trickled browser candidate is accepted; garbage is refused without harm
            c.send("{\"type\":\"candidate\",\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\","
                    + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
            c.send("{\"type\":\"candidate\",\"candidate\":\"candidate:nonsense\",\"sdpMid\":\"0\"}");
            assertThat(c.next("error").path("code").asText()).isEqualTo("bad-message");
            // a second offer on the same session is refused, the first keeps working
            c.send(Messages.JSON.createObjectNode().put("type", "offer").put("sdp", offer).toString());
            assertThat(c.next("error").path("code").asText()).isEqualTo("negotiation-failed");
            c.send("{\"type\":\"leave\"}");
            c.next("left");
            assertThat(mixer.room("duet").participants()).isEmpty();
        }
    }

    @Test
    void garbageOfferIsANegotiationError() throws Exception {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0");
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer);
        try (WsClient c = WsClient.connect(server.uri())) {
            c.join("duet", "singer-a", "");
            c.send("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\nthis is not sdp\"}");
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("negotiation-failed");
            assertThat(mixer.room("duet").participants()).isEmpty();
            c.assertServed();
        }
    }

    @Test
    void crossOriginUpgradeIsRefused() throws Exception {
        URI uri = start("");
        WebSocket.Listener ignore = new WebSocket.Listener() { };
        Throwable failure = null;
        try {
            HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Origin", "http://evil.example")
                    .connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://" + uri.getRawAuthority() + "/ws"), ignore)
                    .get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        assertThat(failure).as("a page from another origin must not get a signaling socket")
                .isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) failure).getResponse().statusCode()).isEqualTo(403);
        // the page's own origin is welcome
        WebSocket own = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "http://" + uri.getRawAuthority())
                .buildAsync(URI.create("ws://" + uri.getRawAuthority() + "/ws"), ignore)
                .get(5, TimeUnit.SECONDS);
        own.abort();
    }

    @Test
    void rtpParticipantsHoldRolesToo() throws Exception {
        URI uri = start("");
        mixer.openRoom("duet");
        try (WsClient c = WsClient.connect(uri)) {
            // a participant the engine knows but signaling did not create: its role is still taken
            var t = org.duet.mixer.transport.UdpTransport.open(
                    new java.net.InetSocketAddress("127.0.0.1", 0), null);
            mixer.room("duet").join("bench-a", Role.singer("a"), t, org.duet.mixer.format.MediaFormat.opusDefaults());
            assertThat(c.join("duet", "singer-a", "").path("code").asText()).isEqualTo("role-taken");
            mixer.room("duet").leave("bench-a");
            t.close();
        }
    }
}
