package org.duet.mixer.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.duet.mixer.testing.PeerJoin.join;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.record.OggOpusFiles;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.SignalAnalysis;
import org.duet.mixer.testing.TestAudioFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rehearsal operations of the loopback control API against the real server and engine, with
 * two plain-RTP singers on real UDP: a backing track PUT as a file, looped, started, turned down
 * 20 dB (what singer B receives shows each step), seeked and stopped; a take started, stopped,
 * listed, downloaded (its mix decodes and carries the track at both levels), played back in the
 * room and deleted; monitor and listener-mix settings; bad input refused with its code.
 */
class RehearsalApiTest {

    private static final double TRACK_HZ = 2000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void everyRehearsalOperationOverTheControlApi() throws Exception {
        CodecWarmUp.run();
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\nduet.mixer.loops = 1\n"
                + "duet.rehearsal.takes.dir = \"" + tmp.resolve("takes") + "\"\n"
                + "duet.rehearsal.backing.max-bytes = 256 KiB");
        try (DuetMixer mixer = DuetMixer.start(config);
             StandaloneServer server = StandaloneServer.start(config, mixer, null);
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111)) {
            URI base = server.uri();
            Room room = mixer.openRoom("rehearse");
            join(room, "a", Role.singer("a"), a);
            join(room, "b", Role.singer("b"), b);
            long start = System.nanoTime() + 50_000_000L;
            a.startSending(tone(9, 440), start);
            b.startSending(tone(9, 660), start);

            // bad input first: nothing is loaded and nothing changes
            assertError(send(base, "POST", "/api/rooms/rehearse/backing/start", "{}"), 409, "no-backing-track");
            assertError(put(base, "/api/rooms/rehearse/backing/file?name=junk.wav", "RIFF....WAVEjunk".getBytes()), 400,
                    "corrupt-file");
            assertError(put(base, "/api/rooms/rehearse/backing/file?name=notes.txt", "hello".getBytes()), 400,
                    "unsupported-format");
            assertOversizeRefusedFromItsHeader(base, "/api/rooms/rehearse/backing/file?name=big.wav", 300 * 1024);
            assertThat(json(send(base, "GET", "/api/rooms/rehearse/backing", null)).path("backing").isNull()).isTrue();

            // a 3 s 2 kHz track at -12 dBFS (16 kHz WAV: resampled to 48 kHz), looped and started
            HttpResponse<String> loaded = put(base, "/api/rooms/rehearse/backing/file?name=tone.wav",
                    TestAudioFiles.wav(3, 16_000, 1, TRACK_HZ, 0.25));
            assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
            JsonNode s = json(loaded);
            assertThat(s.path("name").asText()).isEqualTo("tone.wav");
            assertThat(s.path("format").asText()).isEqualTo("WAV");
            assertThat(s.path("durationMs").asLong()).isEqualTo(3000);
            assertThat(s.path("playing").asBoolean()).isFalse();
            assertThat(json(send(base, "POST", "/api/rooms/rehearse/backing/loop", "{\"loop\": true}")).path("loop")
                    .asBoolean()).isTrue();
            assertThat(json(send(base, "POST", "/api/rooms/rehearse/backing/start", "{}")).path("playing").asBoolean())
                    .isTrue();
            assertError(send(base, "POST", "/api/rooms/rehearse/backing/level", "{\"level\": 9}"), 400, "level");
            assertError(send(base, "PUT", "/api/rooms/rehearse/monitor/a", "{\"partner\": -1, \"backing\": 1}"), 400,
                    "partner");

            JsonNode take = json(send(base, "POST", "/api/rooms/rehearse/takes/start", "{}"));
            String id = take.path("id").asText();
            assertThat(take.path("status").asText()).isEqualTo("recording");
            assertError(send(base, "POST", "/api/rooms/rehearse/takes/start", "{}"), 409, "take-running");
            Thread.sleep(3_000);
            long quieterAt = System.nanoTime();
            assertThat(json(send(base, "POST", "/api/rooms/rehearse/backing/level", "{\"level\": 0.1}")).path("level")
                    .asDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-6));
            Thread.sleep(3_000);
            JsonNode done = json(send(base, "POST", "/api/rooms/rehearse/takes/stop", "{}"));
            assertThat(done.path("status").asText()).isEqualTo("done");
            assertThat(done.path("durationMs").asLong()).as("take duration").isBetween(5_000L, 10_000L);

            JsonNode seeked = json(send(base, "POST", "/api/rooms/rehearse/backing/seek", "{\"positionMs\": 1000}"));
            assertThat(seeked.path("positionMs").asLong()).isBetween(1000L, 1100L);
            assertThat(json(send(base, "POST", "/api/rooms/rehearse/backing/stop", "{}")).path("playing").asBoolean())
                    .isFalse();
            assertThat(send(base, "PUT", "/api/rooms/rehearse/monitor/a", "{\"partner\": 1, \"backing\": 0.5}")
                    .statusCode()).isEqualTo(204);
            assertThat(send(base, "PUT", "/api/rooms/rehearse/listener-mix",
                    "{\"voices\": {\"singer-a\": 0.5}, \"backing\": 1}").statusCode()).isEqualTo(204);
            assertError(send(base, "PUT", "/api/rooms/rehearse/listener-mix", "{\"voices\": {\"listener\": 1}}"), 400,
                    "bad-role");

            // what B heard: the track at -12 dBFS, then 20 dB down
            a.awaitSent(20_000);
            b.awaitSent(20_000);
            float[] heard = b.receivedAudio();
            int split = -1;
            for (int off = 0; off < heard.length; off += 480) {
                if (b.arrivalNanosOfSample(off) >= quieterAt) {
                    split = off;
                    break;
                }
            }
            assertThat(split).as("B received audio after the level change").isGreaterThan(96_000);
            double before = SignalAnalysis.medianShortToneLevelDb(heard, split - 72_000, 48_000, TRACK_HZ);
            double after = SignalAnalysis.medianShortToneLevelDb(heard, split + 24_000, 48_000, TRACK_HZ);

            // the take: listed, downloaded, its mix carries the track at both levels
            JsonNode list = json(send(base, "GET", "/api/rooms/rehearse/takes", null));
            assertThat(list.isArray() && list.size() == 1 && list.get(0).path("id").asText().equals(id)).as(list.toString())
                    .isTrue();
            HttpResponse<byte[]> mixFile = http.send(HttpRequest.newBuilder(base.resolve("/api/takes/" + id + "/mix.opus"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(mixFile.statusCode()).isEqualTo(200);
            assertThat(mixFile.headers().firstValue("content-type").orElse("")).isEqualTo("audio/ogg");
            Path saved = Files.write(tmp.resolve("mix.opus"), mixFile.body());
            OggOpusFiles.Contents mix = OggOpusFiles.read(saved);
            assertThat(mix.decodeErrors()).isZero();
            // sample k of the file is k after the take's start; the level changed about 3 s in
            assertThat(mix.audio().length).as("mix samples").isGreaterThan(48_000 * 5);
            double mixBefore = SignalAnalysis.medianShortToneLevelDb(mix.audio(), 72_000, 48_000, TRACK_HZ);
            double mixAfter = SignalAnalysis.medianShortToneLevelDb(mix.audio(), 192_000, 48_000, TRACK_HZ);
            System.out.printf("rehearsal_api: B heard the track at %.2f dBFS, after level 0.1 at %.2f dBFS; take %s %d ms,"
                            + " its mix %.2f then %.2f dBFS%n", before, after, id, done.path("durationMs").asLong(),
                    mixBefore, mixAfter);
            assertThat(before).as("track in B's ear").isBetween(-14.0, -10.0);
            assertThat(after - before).as("level 0.1 in B's ear, dB").isBetween(-21.0, -19.0);
            assertThat(mixBefore).as("track in the take's mix").isBetween(-14.0, -10.0);
            assertThat(mixAfter - mixBefore).as("level 0.1 in the take's mix, dB").isBetween(-21.0, -19.0);

            // played back in the room: the take's mix becomes the backing track, playing
            assertError(send(base, "POST", "/api/rooms/rehearse/takes/play", "{\"id\": \"nope\"}"), 404, "no-take");
            JsonNode played = json(send(base, "POST", "/api/rooms/rehearse/takes/play", "{\"id\": \"" + id + "\"}"));
            assertThat(played.path("name").asText()).isEqualTo("take " + id);
            assertThat(played.path("playing").asBoolean()).isTrue();
            assertThat(played.path("durationMs").asLong()).as("the take's length, as decoded")
                    .isCloseTo(done.path("durationMs").asLong(), org.assertj.core.data.Offset.offset(50L));

            assertThat(send(base, "DELETE", "/api/takes/" + id, null).statusCode()).isEqualTo(204);
            assertThat(send(base, "GET", "/api/takes/" + id, null).statusCode()).isEqualTo(404);
        }
    }

    private static float[] tone(int seconds, double hz) {
        float[] x = new float[48_000 * seconds];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.25 * Math.sin(2 * Math.PI * hz * i / 48_000));
        }
        return x;
    }

    /**
     * An oversize upload is refused from its Content-Length alone: only the headers are sent. (With
     * the body sent too, the server answered 413 and closed while the client was still writing, and
     * a clean-clone run saw only the reset.)
     */
    private static void assertOversizeRefusedFromItsHeader(URI base, String path, int length) throws Exception {
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(30_000);
            String request = "PUT " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nContent-Length: " + length + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).as("the answer to headers alone").startsWith("HTTP/1.1 413").contains("file-too-large");
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode n = Messages.JSON.readTree(r.body());
        assertThat(n.path("code").asText() + " " + n.path("error").asText()).as(r.body()).contains(code);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Messages.JSON.readTree(r.body());
    }

    private HttpResponse<String> put(URI base, String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(URI base, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
