package org.duet.bench.restart;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.duet.bench.report.Figure;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.signaling.Messages;

/**
 * The issue-14 restart target as a figure: a mixer process ({@code Main serve} with a room store)
 * runs a duet of two plain-RTP singers who never stop sending; it is killed with SIGKILL and started
 * again on the same store. Figures: seconds from the restart's launch until both singers receive the
 * mix again ({@code restart_kill9_audio_back}, target under 5 s), of which the JVM start until the
 * server answers {@code /health} ({@code restart_kill9_jvm_start}) and the rest, restoring the room
 * and its singers' sockets and mixing ({@code restart_kill9_restore}). Loopback only.
 */
public final class RestartFigures {

    private RestartFigures() {
    }

    public static void main(String[] args) throws Exception {
        for (Figure f : run()) {
            System.out.println(f.line());
        }
    }

    public static List<Figure> run() throws Exception {
        Path store = Files.createTempDirectory("duet-restart-bench-");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        Process first = start(store, port, 1);
        List<Figure> figures = new ArrayList<>();
        try (RtpPeer a = new RtpPeer("a", 111); RtpPeer b = new RtpPeer("b", 111)) {
            awaitHealthy(http, base, first, 300);
            a.connect(add(http, base, "a", "singer-a", a));
            b.connect(add(http, base, "b", "singer-b", b));
            a.startReceiving();
            b.startReceiving();
            a.startSending(TestSignal.toneWithClicks(48_000 * 600, 440, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(48_000 * 600, 660, 0.3f, 0, 0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((a.packetsReceived() < 100 || b.packetsReceived() < 100) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            first.destroyForcibly(); // SIGKILL
            first.waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(300);
            long launch = System.nanoTime();
            Process second = start(store, port, 2);
            try {
                int aBase = a.packetsReceived();
                int bBase = b.packetsReceived();
                awaitHealthy(http, base, second, 300);
                double listening = (System.nanoTime() - launch) / 1e9;
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((a.packetsReceived() < aBase + 10 || b.packetsReceived() < bBase + 10)
                        && System.nanoTime() < deadline && second.isAlive()) {
                    Thread.sleep(5);
                }
                double back = (System.nanoTime() - launch) / 1e9;
                boolean ok = a.packetsReceived() >= aBase + 10 && b.packetsReceived() >= bBase + 10;
                figures.add(new Figure("restart_kill9_audio_back", ok ? back : Double.NaN, "s"));
                figures.add(new Figure("restart_kill9_jvm_start", listening, "s"));
                figures.add(new Figure("restart_kill9_restore", ok ? back - listening : Double.NaN, "s"));
            } finally {
                second.destroyForcibly();
                second.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            first.destroyForcibly();
            deleteTree(store);
        }
        return figures;
    }

    private static Process start(Path store, int port, int n) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dice4j.harvest.mapping.aws.enabled=false", "-Dice4j.harvest.mapping.stun.enabled=false",
                "-Dduet.store.path=" + store, "-Dduet.mixer.loops=1", "-cp", System.getProperty("java.class.path"),
                "org.duet.mixer.Main", "serve", "--port", String.valueOf(port));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(store.resolveSibling(store.getFileName() + "-mixer-" + n + ".log").toFile()).start();
    }

    private static void awaitHealthy(HttpClient http, URI base, Process p, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the mixer did not come up within " + seconds + " s");
    }

    private static InetSocketAddress add(HttpClient http, URI base, String id, String role, RtpPeer peer) throws Exception {
        String body = Messages.JSON.createObjectNode().put("id", id).put("role", role)
                .put("remote", "127.0.0.1:" + peer.localAddress().getPort()).toString();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/rooms/duet/rtp-participants"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("could not add " + id + ": " + r.body());
        }
        String local = Messages.JSON.readTree(r.body()).path("local").asText();
        int colon = local.lastIndexOf(':');
        return new InetSocketAddress(local.substring(0, colon), Integer.parseInt(local.substring(colon + 1)));
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir
        }
    }
}
