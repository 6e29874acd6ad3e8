package org.duet.mixer.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.room.DuetMixer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control API and the WebSocket upgrade against the real server, attacked the way issue 14
 * found them open: proxy-header spoofing, DNS rebinding (a foreign Host), CSRF (a cross-origin
 * text/plain POST), the Server header, a plain-RTP socket captured by a stranger's datagram, and
 * a signaling client that never reads. Requests are written by hand on a raw socket so every
 * header (Host included) is exactly what an attacker would send.
 */
class ControlApiAbuseTest {

    private static final String BODY = "{\"id\":\"x1\",\"role\":\"singer-a\",\"remote\":\"127.0.0.1:40000\"}";

    private DuetMixer mixer;
    private StandaloneServer server;

    private int start(String hocon) {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\n" + hocon);
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer, null);
        return server.uri().getPort();
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
    void proxyHeadersOfEveryKindMakeARequestNonLocal() throws Exception {
        int port = start("");
        assertThat(status(raw(port, "GET", "/api/stats", "127.0.0.1:" + port, null, null))).isEqualTo(200);
        for (String h : new String[] {"X-Forwarded-Host: evil", "X-Client-IP: 192.0.2.1", "True-Client-IP: 192.0.2.1",
                "X-Forwarded-For: 192.0.2.1", "Forwarded: for=192.0.2.1", "X-Real-IP: 192.0.2.1",
                "CF-Connecting-IP: 192.0.2.1", "Via: 1.1 proxy"}) {
            assertThat(status(raw(port, "GET", "/api/stats", "127.0.0.1:" + port, h, null))).as(h).isEqualTo(403);
        }
    }

    @Test
    void aForeignHostIsRefusedSoDnsRebindingGetsNothing() throws Exception {
        int port = start("");
        String r = raw(port, "POST", "/api/rooms/duet/rtp-participants", "rebind.attacker.example:" + port,
                "Content-Type: application/json", BODY);
        assertThat(status(r)).isEqualTo(403);
        assertThat(mixer.rooms()).isEmpty();
        assertThat(status(raw(port, "GET", "/api/stats", "localhost:" + port, null, null))).isEqualTo(200);
        // the WebSocket: Origin and Host both the attacker's name (what rebinding produces) is refused
        String ws = raw(port, "GET", "/ws", "rebind.attacker.example:" + port, "Origin: http://rebind.attacker.example:"
                + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", null);
        assertThat(status(ws)).isEqualTo(403);
        String own = raw(port, "GET", "/ws", "127.0.0.1:" + port, "Origin: http://127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", null);
        assertThat(status(own)).isEqualTo(101);
    }

    @Test
    void crossSiteRequestsCannotCreateASinger() throws Exception {
        int port = start("");
        String host = "127.0.0.1:" + port;
        // what a page on another site can send without a CORS preflight: text/plain, with Origin
        assertThat(status(raw(port, "POST", "/api/rooms/duet/rtp-participants", host,
                "Content-Type: text/plain\r\nOrigin: http://evil.example", BODY))).isEqualTo(403);
        assertThat(status(raw(port, "POST", "/api/rooms/duet/rtp-participants", host,
                "Content-Type: application/json\r\nSec-Fetch-Site: cross-site", BODY))).isEqualTo(403);
        assertThat(status(raw(port, "POST", "/api/rooms/duet/rtp-participants", host,
                "Content-Type: text/plain", BODY))).isEqualTo(415);
        assertThat(mixer.rooms()).as("no singer was created").isEmpty();
        assertThat(status(raw(port, "POST", "/api/rooms/duet/rtp-participants", host,
                "Content-Type: application/json; charset=utf-8", BODY))).isEqualTo(200);
    }

    @Test
    void withAnAdminTokenTheApiNeedsIt() throws Exception {
        int port = start("duet.http.admin-token = \"s3cret-token-for-tests\"");
        String host = "127.0.0.1:" + port;
        assertThat(status(raw(port, "GET", "/api/stats", host, null, null))).isEqualTo(401);
        assertThat(status(raw(port, "GET", "/api/stats", host, "Authorization: Bearer wrong", null))).isEqualTo(401);
        assertThat(status(raw(port, "GET", "/api/stats", host, "Authorization: Bearer s3cret-token-for-tests", null)))
                .isEqualTo(200);
    }

    @Test
    void noServerHeaderAndNoInternalDetails() throws Exception {
        int port = start("");
        String page = raw(port, "GET", "/", "127.0.0.1:" + port, null, null);
        assertThat(status(page)).isEqualTo(200);
        assertThat(page.toLowerCase()).doesNotContain("\r\nserver:").doesNotContain("jetty");
        String api = raw(port, "GET", "/api/stats", "127.0.0.1:" + port, null, null);
        assertThat(api.toLowerCase()).doesNotContain("\r\nserver:");
    }

    /** Before: a participant created without remote latched onto whoever sent the first byte. */
    @Test
    void aPlainRtpSocketIsNotCapturedByAStranger() throws Exception {
        int port = start("");
        String host = "127.0.0.1:" + port;
        assertThat(status(raw(port, "POST", "/api/rooms/duet/rtp-participants", host, "Content-Type: application/json",
                "{\"id\":\"nolatch\",\"role\":\"singer-a\"}"))).as("remote is required").isEqualTo(400);
        server.close();
        mixer.close();
        port = start("duet.rtp.allow-latching = true");
        host = "127.0.0.1:" + port;
        try (RtpPeer singerB = new RtpPeer("b", 111); RtpPeer singerA = new RtpPeer("a", 111);
             DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String b = raw(port, "POST", "/api/rooms/duet/rtp-participants", host, "Content-Type: application/json",
                    "{\"id\":\"b\",\"role\":\"singer-b\",\"remote\":\"127.0.0.1:" + singerB.localAddress().getPort() + "\"}");
            String a = raw(port, "POST", "/api/rooms/duet/rtp-participants", host, "Content-Type: application/json",
                    "{\"id\":\"a\",\"role\":\"singer-a\"}");
            assertThat(status(a)).isEqualTo(200);
            InetSocketAddress aSocket = local(a);
            // the stranger speaks first: one junk byte, then a packet that is not valid RTP of type 111
            stranger.send(new DatagramPacket(new byte[] {0x42}, 1, aSocket));
            byte[] wrongType = new byte[20];
            wrongType[0] = (byte) 0x80;
            wrongType[1] = 0; // PCMU, not our Opus payload type
            stranger.send(new DatagramPacket(wrongType, wrongType.length, aSocket));
            Thread.sleep(200);
            // then the real singer A; B sings so A's mix has something in it
            singerA.connect(aSocket);
            singerB.connect(local(b));
            singerA.startReceiving();
            singerA.startSending(TestSignal.toneWithClicks(48_000 * 2, 440, 0.3f, 0, 0));
            singerB.startSending(TestSignal.toneWithClicks(48_000 * 2, 660, 0.3f, 0, 0));
            singerA.awaitSent(5000);
            singerB.awaitSent(5000);
            // A's socket latched onto A (the first valid RTP of type 111), not the stranger: nothing for it
            stranger.setSoTimeout(300);
            byte[] in = new byte[1500];
            boolean strangerGotMedia;
            try {
                stranger.receive(new DatagramPacket(in, in.length));
                strangerGotMedia = true;
            } catch (java.net.SocketTimeoutException e) {
                strangerGotMedia = false;
            }
            System.out.printf("latch: singer A received %d packets, stranger received media: %s%n",
                    singerA.packetsReceived(), strangerGotMedia);
            assertThat(strangerGotMedia).as("the stranger's datagrams did not capture A's socket").isFalse();
            assertThat(singerA.packetsReceived()).as("A's mix goes to A").isGreaterThan(50);
        }
    }

    /** Before: Jetty's outgoing queue grew without bound for a client that never reads. */
    @Test
    void aSignalingClientThatNeverReadsIsDropped() throws Exception {
        int port = start("duet.http.ws-max-outgoing-frames = 16\nduet.http.ws-write-timeout = 2 s\n"
                + "duet.signaling.max-messages-per-second = 100000");
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(2048);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // never read again; send what earns the longest reply (a bad-json error quoting the
            // offending token, about 300 bytes) as fast as we can
            byte[] ping = maskedText("z".repeat(400));
            long t0 = System.nanoTime();
            int sent = 0;
            try {
                while (server.signaling().slowReadersDropped() == 0 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)
                        && sent < 400_000) {
                    out.write(ping);
                    sent++;
                }
            } catch (java.io.IOException e) {
                // the server dropped us: what this test wants
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.signaling().openSessions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.printf("slow reader dropped after %d pings, %.1f s; open sessions %d%n", sent,
                    (System.nanoTime() - t0) / 1e9, server.signaling().openSessions());
            assertThat(server.signaling().slowReadersDropped()).isGreaterThanOrEqualTo(1);
            assertThat(server.signaling().openSessions()).isZero();
        }
    }

    private static byte[] maskedText(String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (p.length < 126) {
            f.write(0x80 | p.length);
        } else {
            f.write(0x80 | 126);
            f.write(p.length >> 8);
            f.write(p.length & 0xFF);
        }
        byte[] mask = {1, 2, 3, 4};
        f.writeBytes(mask);
        for (int i = 0; i < p.length; i++) {
            f.write(p[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    private static InetSocketAddress local(String response) throws Exception {
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        String local = org.duet.mixer.signaling.Messages.JSON.readTree(body).path("local").asText();
        int colon = local.lastIndexOf(':');
        return new InetSocketAddress(local.substring(0, colon), Integer.parseInt(local.substring(colon + 1)));
    }

    private static int status(String response) {
        return Integer.parseInt(response.split(" ", 3)[1]);
    }

    /** One HTTP/1.1 request written by hand; returns the status line, headers and body as text. */
    private static String raw(int port, String method, String path, String host, String extraHeaders, String body)
            throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            if (extraHeaders != null) {
                req.append(extraHeaders).append("\r\n");
            }
            if (!path.equals("/ws")) {
                req.append("Connection: close\r\n");
            }
            if (body != null) {
                req.append("Content-Length: ").append(b.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                    if (path.equals("/ws") && got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                        break; // an upgrade answer: the connection stays open
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // keep what arrived
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }
}
