package org.duet.mixer.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.e2e.AudioAnalysis;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.signaling.Messages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP control API against the real server and engine: plain-RTP participants created by
 * POST exchange audio over real UDP sockets; bad input gets 400/404/405/409 with a reason.
 */
class ControlApiTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private DuetMixer mixer;
    private StandaloneServer server;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0");
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer, null);
    }

    @AfterEach
    void stop() {
        server.close();
        mixer.close();
    }

    @Test
    void rtpParticipantsCreatedOverHttpSingTogether() throws Exception {
        try (RtpPeer a = new RtpPeer("a", 111); RtpPeer b = new RtpPeer("b", 111)) {
            InetSocketAddress aLocal = addSinger("a1", "singer-a", a);
            InetSocketAddress bLocal = addSinger("b1", "singer-b", b);
            a.connect(aLocal);
            b.connect(bLocal);
            a.startReceiving();
            b.startReceiving();
            int seconds = 3;
            a.startSending(TestSignal.toneWithClicks(48_000 * seconds, 440, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(48_000 * seconds, 660, 0.3f, 0, 0));
            a.awaitSent(seconds * 1000L + 3000);
            b.awaitSent(seconds * 1000L + 3000);
            Thread.sleep(300);

            float[] atA = a.receivedAudio();
            float[] atB = b.receivedAudio();
            assertThat(atA.length).as("A received the mix").isGreaterThan(48_000 * 2);
            assertThat(atB.length).as("B received the mix").isGreaterThan(48_000 * 2);
            // steady state: skip the first half second
            int from = 24_000;
            double aHearsB = AudioAnalysis.bandAmplitude(atA, from, atA.length - 4800, 660, 48_000);
            double aHearsA = AudioAnalysis.bandAmplitude(atA, from, atA.length - 4800, 440, 48_000);
            double bHearsA = AudioAnalysis.bandAmplitude(atB, from, atB.length - 4800, 440, 48_000);
            double bHearsB = AudioAnalysis.bandAmplitude(atB, from, atB.length - 4800, 660, 48_000);
            System.out.printf("http_rtp_a_hears_b %.1f dBFS%nhttp_rtp_a_own_voice_rejection %.1f dB%n",
                    AudioAnalysis.db(aHearsB), AudioAnalysis.db(aHearsB / aHearsA));
            assertThat(AudioAnalysis.db(aHearsB)).as("A hears B's 660 Hz").isGreaterThan(-30);
            assertThat(AudioAnalysis.db(bHearsA)).as("B hears A's 440 Hz").isGreaterThan(-30);
            assertThat(AudioAnalysis.db(aHearsB / aHearsA)).as("A's own voice is not in A's mix").isGreaterThan(40);
            assertThat(AudioAnalysis.db(bHearsA / bHearsB)).as("B's own voice is not in B's mix").isGreaterThan(40);

            JsonNode stats = json(get("/api/stats"));
            JsonNode room = stats.path("rooms").get(0);
            assertThat(room.path("name").asText()).isEqualTo("duet");
            assertThat(room.path("participants")).hasSize(2);
            assertThat(room.path("participants").get(0).path("stats").path("packetsIn").asLong()).isGreaterThan(50);
            assertThat(stats.path("tick").path("ticks").asLong()).isGreaterThan(0);

            String metrics = get("/metrics").body();
            assertThat(metrics).contains("duet_rooms").contains("duet_participants 2.0")
                    .containsPattern("duet_packets_in_total [1-9]")
                    .contains("duet_adapt_changes");

            HttpResponse<String> deleted = send("DELETE", "/api/rooms/duet/participants/a1", null);
            assertThat(deleted.statusCode()).isEqualTo(204);
            assertThat(mixer.room("duet").participants()).hasSize(1);
        }
    }

    @Test
    void badInputIsRefusedWithAReason() throws Exception {
        String good = "{\"id\":\"a1\",\"role\":\"singer-a\",\"remote\":\"127.0.0.1:40000\",\"payloadType\":111}";
        assertThat(post("/api/rooms/duet/rtp-participants", good).statusCode()).isEqualTo(200);

        assertError(post("/api/rooms/duet/rtp-participants", good), 409, "already exists");
        assertError(post("/api/rooms/duet/rtp-participants",
                "{\"id\":\"a2\",\"role\":\"singer-a\",\"remote\":\"127.0.0.1:40001\"}"), 409, "taken");
        assertError(post("/api/rooms/duet/rtp-participants", "{\"role\":\"singer-b\"}"), 400, "\"id\" is missing");
        assertError(post("/api/rooms/duet/rtp-participants", "{\"id\":\"x\",\"role\":\"drummer\"}"), 400, "role");
        assertError(post("/api/rooms/duet/rtp-participants", "{\"id\":\"x\",\"role\":\"singer-c\"}"), 400, "singer");
        assertError(post("/api/rooms/duet/rtp-participants",
                "{\"id\":\"x\",\"role\":\"singer-b\",\"remote\":\"localhost:4000\"}"), 400, "literal IP");
        assertError(post("/api/rooms/duet/rtp-participants",
                "{\"id\":\"x\",\"role\":\"singer-b\",\"remote\":\"127.0.0.1:70000\"}"), 400, "port");
        assertError(post("/api/rooms/duet/rtp-participants",
                "{\"id\":\"x\",\"role\":\"singer-b\",\"payloadType\":300}"), 400, "payloadType");
        assertError(post("/api/rooms/duet/rtp-participants",
                "{\"id\":\"x\",\"role\":\"singer-b\",\"payloadType\":\"111\"}"), 400, "integer");
        assertError(post("/api/rooms/duet/rtp-participants", "{\"id\":\"bad id!\",\"role\":\"singer-b\"}"), 400, "id");
        assertError(post("/api/rooms/duet/rtp-participants", "not json"), 400, "JSON");
        assertError(post("/api/rooms/duet/rtp-participants", "[]"), 400, "object");
        assertError(post("/api/rooms/bad$room/rtp-participants", "{\"id\":\"x\",\"role\":\"listener\"}"), 400, "room");
        // an encoded slash never reaches the API: Jetty refuses the ambiguous path itself
        assertThat(post("/api/rooms/a%2Fb/rtp-participants", "{}").statusCode()).isEqualTo(400);
        assertError(post("/api/rooms/duet/rtp-participants", "{\"pad\":\"" + "x".repeat(70_000) + "\"}"), 413, "larger");
        assertError(send("GET", "/api/rooms/duet/rtp-participants", null), 405, "POST");
        assertError(send("DELETE", "/api/rooms/duet/participants/nobody", null), 404, "nobody");
        assertError(get("/api/nothing"), 404, "no such API");
        assertError(send("PUT", "/api/rooms/duet/backing-track", "{\"path\":\"relative.wav\"}"), 400, "absolute");
        assertError(send("PUT", "/api/rooms/duet/backing-track",
                "{\"path\":\"" + tmp.resolve("missing.wav") + "\"}"), 400, "missing.wav");
        Path notWav = Files.writeString(tmp.resolve("text.wav"), "this is not a wav file");
        assertError(send("PUT", "/api/rooms/duet/backing-track", "{\"path\":\"" + notWav + "\"}"), 400, "");
        assertError(send("PUT", "/api/rooms/duet/backing-track", "{\"path\":null,\"gain\":99}"), 400, "gain");
        assertThat(send("PUT", "/api/rooms/duet/backing-track", "{\"path\":null}").statusCode()).isEqualTo(204);

        // after all that, the server still works: the role frees up on DELETE and can be taken again
        assertThat(send("DELETE", "/api/rooms/duet/participants/a1", null).statusCode()).isEqualTo(204);
        assertThat(post("/api/rooms/duet/rtp-participants",
                "{\"id\":\"a2\",\"role\":\"singer-a\",\"remote\":\"127.0.0.1:40001\"}").statusCode()).isEqualTo(200);
        // a request relayed by a reverse proxy is not local, even though it comes from loopback
        HttpResponse<String> proxied = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/stats"))
                .header("X-Forwarded-For", "192.0.2.7").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertError(proxied, 403, "loopback");
        JsonNode health = json(get("/health"));
        assertThat(health.path("status").asText()).isEqualTo("ok");
        assertThat(health.path("rooms").asInt()).isEqualTo(1);
    }

    private InetSocketAddress addSinger(String id, String role, RtpPeer peer) throws Exception {
        InetSocketAddress mine = peer.localAddress();
        HttpResponse<String> r = post("/api/rooms/duet/rtp-participants", Messages.JSON.createObjectNode()
                .put("id", id).put("role", role).put("remote", "127.0.0.1:" + mine.getPort())
                .put("payloadType", 111).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("id").asText()).isEqualTo(id);
        String[] local = body.path("local").asText().split(":");
        assertThat(local[0]).isEqualTo("127.0.0.1");
        return new InetSocketAddress(local[0], Integer.parseInt(local[1]));
    }

    private static void assertError(HttpResponse<String> r, int status, String text) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r).path("error").asText()).contains(text);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        return Messages.JSON.readTree(r.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", path, body);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        URI uri = server.uri().resolve(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
