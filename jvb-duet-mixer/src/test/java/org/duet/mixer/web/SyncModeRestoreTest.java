package org.duet.mixer.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.signaling.Messages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A room's sync mode survives a restart: set to leader-follower (leader: plain-RTP singer a) on one
 * server, it is what the next server on the same room store reports, with the same leader.
 */
class SyncModeRestoreTest {

    @TempDir
    Path store;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @Test
    void theSyncModeAndItsLeaderAreBackAfterARestart() throws Exception {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\nduet.store.path = \"" + store + "\"");
        try (DatagramSocket peerA = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket peerB = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            try (DuetMixer mixer = DuetMixer.start(config);
                 StandaloneServer server = StandaloneServer.start(config, mixer, null)) {
                URI base = server.uri();
                assertThat(send(base, "POST", "api/rooms/duet/rtp-participants", "{\"id\":\"a\",\"role\":\"singer-a\","
                        + "\"remote\":\"127.0.0.1:" + peerA.getLocalPort() + "\"}")).isEqualTo(200);
                assertThat(send(base, "POST", "api/rooms/duet/rtp-participants", "{\"id\":\"b\",\"role\":\"singer-b\","
                        + "\"remote\":\"127.0.0.1:" + peerB.getLocalPort() + "\"}")).isEqualTo(200);
                assertThat(send(base, "POST", "api/rooms/duet/sync",
                        "{\"action\":\"mode\",\"mode\":\"leader-follower\",\"leader\":\"a\"}")).isEqualTo(200);
            }
            try (DuetMixer mixer = DuetMixer.start(config);
                 StandaloneServer server = StandaloneServer.start(config, mixer, null)) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve("api/rooms/duet/sync"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                var state = Messages.JSON.readTree(r.body());
                assertThat(state.path("mode").asText()).as(r.body()).isEqualTo("leader-follower");
                assertThat(state.path("leader").asText()).as(r.body()).isEqualTo("a");
            }
        }
    }

    private int send(URI base, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println(method + " " + path + " -> " + r.statusCode() + " " + r.body());
        return r.statusCode();
    }
}
