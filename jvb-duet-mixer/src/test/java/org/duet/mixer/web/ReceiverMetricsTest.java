package org.duet.mixer.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpRtcpDemux;
import org.duet.mixer.signaling.Messages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-receiver adaptation series in /metrics, scraped over HTTP from a real running mixer: two
 * plain-RTP singers over loopback UDP and a listener whose socket reports 10 % loss (RTCP receiver
 * reports about the listener mix it receives). The listener's series show FEC on and a lower
 * bitrate, the singers' stay clean; a receiver that leaves, then its room, leave no series behind.
 */
class ReceiverMetricsTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private DuetMixer mixer;
    private StandaloneServer server;

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
    void eachReceiverHasItsOwnSeriesAndLeavingRemovesThem() throws Exception {
        long t0 = System.nanoTime();
        try (RtpPeer a = new RtpPeer("a", 111); RtpPeer b = new RtpPeer("b", 111);
             DatagramSocket listener = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            a.connect(add("a1", "singer-a", a.localAddress().getPort()));
            b.connect(add("b1", "singer-b", b.localAddress().getPort()));
            InetSocketAddress mixerForListener = add("l1", "listener", listener.getLocalPort());
            a.startReceiving();
            b.startReceiving();
            a.startSending(TestSignal.toneWithClicks(48_000 * 4, 440, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(48_000 * 4, 660, 0.3f, 0, 0));

            // The listener mix's SSRC, from what arrives at the listener's socket.
            long mixSsrc = firstRtpSsrc(listener, 5000);
            assertThat(mixSsrc).as("the listener receives the listener mix").isGreaterThanOrEqualTo(0);

            // 10 % loss (fraction 26/256) about that stream, reported three times, as a receiver would.
            RtcpWriter w = new RtcpWriter();
            byte[] rr = new byte[128];
            for (int i = 0; i < 3; i++) {
                w.clearReportBlocks();
                w.addReportBlock(mixSsrc, 26, 40 * (i + 1), 1000 + 100L * i, 480, 0, 0);
                int n = w.writeReceiverReport(rr, 0, 0x1234_5678L);
                listener.send(new DatagramPacket(rr, n, mixerForListener));
                Thread.sleep(200);
            }

            System.out.printf("receiver_metrics_ssrc_known_ms %d%n", (System.nanoTime() - t0) / 1_000_000);
            String metrics = awaitMetrics("duet_adapt_receiver_fec{receiver=\"l1\",room=\"duet\"} 1.0", 5000);
            System.out.println(metrics.lines().filter(l -> l.startsWith("duet_adapt_"))
                    .reduce("", (x, y) -> x + y + "\n"));
            double listenerBitrate = value(metrics, "duet_adapt_receiver_bitrate_bps", "l1");
            double singerBitrate = value(metrics, "duet_adapt_receiver_bitrate_bps", "a1");
            assertThat(listenerBitrate).as("the lossy listener's bitrate").isLessThan(singerBitrate);
            assertThat(value(metrics, "duet_adapt_receiver_loss_percent", "l1")).isBetween(9.0, 11.0);
            assertThat(value(metrics, "duet_adapt_receiver_loss_hint_percent", "l1")).isEqualTo(10.0);
            assertThat(value(metrics, "duet_adapt_receiver_frame_seconds", "l1")).isEqualTo(0.02);
            assertThat(value(metrics, "duet_adapt_receiver_changes", "l1")).isEqualTo(1.0);
            // the singers' paths are clean: they keep the configured encoder (whatever its FEC setting)
            assertThat(value(metrics, "duet_adapt_receiver_changes", "a1")).isEqualTo(0.0);
            assertThat(value(metrics, "duet_adapt_receiver_frame_seconds", "a1")).isEqualTo(0.01);
            assertThat(value(metrics, "duet_adapt_receiver_changes", "b1")).isEqualTo(0.0);
            assertThat(value(metrics, "duet_adapt_receiver_encoders", "l1")).isEqualTo(1.0);
            assertThat(value(metrics, "duet_adapt_advice_bitrate_bps", "a1")).isGreaterThan(0);
            assertThat(metrics).as("a listener gets no sender advice")
                    .doesNotContain("duet_adapt_advice_bitrate_bps{receiver=\"l1\"");
            assertThat(metrics).contains("duet_adapt_receivers_unlisted 0.0");

            assertThat(send("DELETE", "/api/rooms/duet/participants/l1").statusCode()).isEqualTo(204);
            metrics = get("/metrics");
            assertThat(metrics).as("a receiver that left has no series").doesNotContain("receiver=\"l1\"")
                    .contains("receiver=\"a1\"");
            assertThat(send("DELETE", "/api/rooms/duet/participants/a1").statusCode()).isEqualTo(204);
            assertThat(send("DELETE", "/api/rooms/duet/participants/b1").statusCode()).isEqualTo(204);
            metrics = get("/metrics");
            assertThat(metrics).as("a room that closed has no series").doesNotContain("room=\"duet\"");
            System.out.printf("receiver_metrics_test_ms %d%n", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** The SSRC of the first RTP packet to arrive, or -1 after {@code timeoutMs}. */
    private static long firstRtpSsrc(DatagramSocket s, long timeoutMs) throws Exception {
        byte[] buf = new byte[1500];
        RtpPacket rtp = new RtpPacket();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        s.setSoTimeout(200);
        while (System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (!RtpRtcpDemux.isRtcp(buf, 0, p.getLength())
                    && rtp.parse(buf, 0, p.getLength()) == org.duet.mixer.rtp.RtpDropReason.NONE) {
                return rtp.ssrc();
            }
        }
        return -1;
    }

    private String awaitMetrics(String expected, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        String m = get("/metrics");
        while (!m.contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = get("/metrics");
        }
        assertThat(m).contains(expected);
        return m;
    }

    private static double value(String metrics, String name, String receiver) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{receiver=\"" + Pattern.quote(receiver)
                + "\",room=\"duet\"} (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(name + " for " + receiver).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private InetSocketAddress add(String id, String role, int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/rooms/duet/rtp-participants"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Messages.JSON.createObjectNode().put("id", id)
                        .put("role", role).put("remote", "127.0.0.1:" + port).put("payloadType", 111).toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Messages.JSON.readTree(r.body());
        String[] local = body.path("local").asText().split(":");
        return new InetSocketAddress(local[0], Integer.parseInt(local[1]));
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = server.uri().resolve(path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
