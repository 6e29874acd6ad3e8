package org.duet.jitsi.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Duet's own processes for the Jitsi end-to-end test, as a deployment runs them: the coordinator
 * ({@code ./duet coordinator}: brewery member + the front Jicofo's translation.url-template points
 * at) and mixers ({@code ./duet mixer} with the brewery announcer on), each a child JVM.
 */
final class DuetServices implements AutoCloseable {

    private final Path work;
    private final String address;
    private final String secret;
    private final LocalJitsiStack stack;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();

    private final Map<String, ChildJvm> mixers = new LinkedHashMap<>();
    private final Map<String, Integer> mixerPorts = new LinkedHashMap<>();
    private ChildJvm coordinator;
    private String lastStatsProblem = "";
    private int frontPort;

    DuetServices(Path work, String address, String secret, LocalJitsiStack stack) {
        this.work = work;
        this.address = address;
        this.secret = secret;
        this.stack = stack;
    }

    void startCoordinator(int port) throws IOException {
        frontPort = port;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("duet-coordinator.xmpp.host", stack.get("XMPP_HOST"));
        p.put("duet-coordinator.xmpp.port", stack.get("XMPP_PORT"));
        p.put("duet-coordinator.xmpp.domain", stack.get("AUTH_DOMAIN"));
        p.put("duet-coordinator.xmpp.username", stack.get("COORDINATOR_USER"));
        p.put("duet-coordinator.xmpp.password", stack.get("COORDINATOR_PASS"));
        p.put("duet-coordinator.brewery.room", "duetbrewery@" + stack.get("INTERNAL_MUC_DOMAIN"));
        p.put("duet-coordinator.front.host", address);
        p.put("duet-coordinator.front.port", Integer.toString(port));
        p.put("duet-coordinator.front.secret", secret);
        coordinator = ChildJvm.start("coordinator", work.resolve("coordinator.log"),
                "org.duet.coordinator.CoordinatorMain", p, List.of());
    }

    void startMixer(String id, int port) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("duet.jitsi.brewery.enabled", "true");
        p.put("duet.jitsi.brewery.nickname", id);
        p.put("duet.jitsi.brewery.xmpp-host", stack.get("XMPP_HOST"));
        p.put("duet.jitsi.brewery.xmpp-port", stack.get("XMPP_PORT"));
        p.put("duet.jitsi.brewery.domain", stack.get("AUTH_DOMAIN"));
        p.put("duet.jitsi.brewery.username", stack.get("MIXER_USER"));
        p.put("duet.jitsi.brewery.password", stack.get("MIXER_PASS"));
        p.put("duet.jitsi.brewery.muc-jid", "duetbrewery@" + stack.get("INTERNAL_MUC_DOMAIN"));
        p.put("duet.jitsi.brewery.advertised-url", "ws://" + address + ":" + port + "/translate");
        mixerPorts.put(id, port);
        mixers.put(id, ChildJvm.start(id, work.resolve(id + ".log"), "org.duet.mixer.Main", p,
                List.of("mixer", "--host", address, "--port", Integer.toString(port), "--secret", secret)));
    }

    /** The coordinator's /stats once it lists every mixer as live in the brewery. */
    void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (ChildJvm c : all()) {
                if (!c.alive()) {
                    throw new IOException(c.name + " exited; log " + c.log + ":\n" + tail(c.log));
                }
            }
            JsonNode stats = stats();
            if (stats != null && stats.path("mixers").size() == mixers.size()) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new IOException("the coordinator does not list " + mixers.size() + " live mixers after "
                        + timeout + ": " + stats + " " + lastStatsProblem + "\ncoordinator log:\n" + tail(coordinator.log));
            }
            Thread.sleep(300);
        }
    }

    /** Any HTTP GET inside the test's namespace, as text; the problem when it does not answer. */
    static String get(String url) throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            return "{\"problem\":\"" + e + "\"}";
        }
    }

    /** The coordinator's /stats as text. */
    String frontStatsText() throws InterruptedException {
        return get("http://" + address + ":" + frontPort + "/stats");
    }

    /** The ids of the mixers this run started. */
    java.util.Set<String> mixerIds() {
        return mixerPorts.keySet();
    }

    /** The coordinator's stats (null while it does not answer). */
    JsonNode stats() throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://" + address + ":" + frontPort + "/stats")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                lastStatsProblem = "HTTP " + r.statusCode() + ": " + r.body();
                return null;
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            lastStatsProblem = e.toString();
            return null;
        }
    }

    /** A mixer's own /stats (rooms, voices, their placement), as text; the problem when it does not answer. */
    String mixerStats(String mixerId) throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://" + address + ":" + mixerPorts.get(mixerId) + "/stats"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            return "{\"problem\":\"" + e + "\"}";
        }
    }

    /** The id of the mixer the coordinator assigned {@code meeting}'s bridge connection to (null: none). */
    String assignedMixer() throws InterruptedException {
        JsonNode stats = stats();
        if (stats == null || stats.path("assignments").size() != 1) {
            return null;
        }
        String id = stats.path("assignments").elements().next().asText();
        return mixers.containsKey(id) ? id : null;
    }

    /** The process id of mixer {@code mixerId} (-1: unknown). */
    long mixerPid(String mixerId) {
        ChildJvm m = mixers.get(mixerId);
        return m == null ? -1 : m.pid();
    }

    void kill(String mixerId) throws InterruptedException {
        ChildJvm m = mixers.get(mixerId);
        System.out.println("jitsi e2e: kill -9 " + m.name + " (pid " + m.pid() + ")");
        m.kill();
    }

    private List<ChildJvm> all() {
        List<ChildJvm> l = new java.util.ArrayList<>(mixers.values());
        if (coordinator != null) {
            l.add(coordinator);
        }
        return l;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildJvm c : all()) {
            c.close();
        }
    }
}
