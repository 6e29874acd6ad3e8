package org.duet.coordinator.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.duet.coordinator.config.CoordinatorConfig.XmppSettings;

/**
 * The real Prosody 13 with Jitsi's plugins, as the local stack starts it
 * ({@code docker/local-stack/jitsi-stack.sh start prosody}: accounts focus, jvb, duet-mixer,
 * duet-coordinator; components metadata and audiotranslation). One per test JVM, stopped when it exits.
 * Inside a network namespace (the module's tests run in one, see pom.xml) its address comes from
 * {@code DUET_STACK_ADDRESS}; {@code DUET_TEST_STACK_RUN} reuses a Prosody already started in that run dir.
 */
public final class LocalProsody {

    private static LocalProsody shared;

    private final Path script;
    private final Path run;
    private final String address;
    private final Map<String, String> env = new HashMap<>();

    private LocalProsody(Path script, Path run, String address) {
        this.script = script;
        this.run = run;
        this.address = address;
    }

    /** Starts Prosody once for this JVM (bounded: 120 s), or reuses the one named by DUET_TEST_STACK_RUN. */
    public static synchronized LocalProsody shared() throws Exception {
        if (shared != null) {
            return shared;
        }
        Path script = findScript();
        String address = System.getenv().getOrDefault("DUET_STACK_ADDRESS", "127.0.0.1");
        String reuse = System.getenv("DUET_TEST_STACK_RUN");
        Path run = reuse != null ? Path.of(reuse) : Path.of("/tmp/duet-coordinator-test-" + ProcessHandle.current().pid());
        LocalProsody p = new LocalProsody(script, run, address);
        if (reuse == null) {
            p.run(Duration.ofSeconds(120), "start", "prosody");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    p.run(Duration.ofSeconds(30), "stop");
                    try (var files = Files.walk(run)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                } catch (Exception ignored) {
                    // best effort at JVM exit
                }
            }));
        }
        String out = p.run(Duration.ofSeconds(30), "env");
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                p.env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        // Jicofo's account: the tests stand in for Jicofo (room creation, granting the first participant owner)
        for (String line : Files.readAllLines(run.resolve("secrets"), StandardCharsets.UTF_8)) {
            if (line.startsWith("FOCUS_PASS=")) {
                p.env.put("FOCUS_PASS", line.substring("FOCUS_PASS=".length()));
            }
        }
        shared = p;
        return p;
    }

    private static Path findScript() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path s = dir.resolve("docker/local-stack/jitsi-stack.sh");
            if (Files.isExecutable(s)) {
                return s;
            }
        }
        throw new IllegalStateException("docker/local-stack/jitsi-stack.sh not found above " + Path.of("").toAbsolutePath());
    }

    private String run(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(script.toString(), "--address", address,
                "--run-dir", run.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("DUET_NETNS"); // already inside the namespace, if any
        Path log = Files.createTempFile("jitsi-stack-", ".log");
        pb.redirectOutput(log.toFile());
        Process proc = pb.start();
        if (!proc.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new IllegalStateException("jitsi-stack.sh " + String.join(" ", args) + " timed out; log: " + log);
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        if (proc.exitValue() != 0) {
            throw new IllegalStateException("jitsi-stack.sh " + String.join(" ", args) + " failed (" + proc.exitValue()
                    + "):\n" + out);
        }
        return out;
    }

    public String get(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException("jitsi-stack.sh env has no " + key);
        }
        return v;
    }

    public String address() {
        return address;
    }

    public int xmppPort() {
        return Integer.parseInt(get("XMPP_PORT"));
    }

    /** The BOSH URL (Prosody's http port, as the XMPP WebSocket URL names it). */
    public URI boshUrl() {
        URI ws = URI.create(get("XMPP_WEBSOCKET"));
        return URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/http-bind");
    }

    /** An auth-domain account's settings for the coordinator's XMPP code. */
    public XmppSettings account(String user, String password) {
        return new XmppSettings(address, xmppPort(), get("AUTH_DOMAIN"), user, password, false, false,
                Duration.ofSeconds(15), Duration.ofMillis(500));
    }

    public XmppSettings focus() {
        return account("focus", get("FOCUS_PASS"));
    }

    public XmppSettings coordinator() {
        return account(get("COORDINATOR_USER"), get("COORDINATOR_PASS"));
    }

    public XmppSettings mixer() {
        return account(get("MIXER_USER"), get("MIXER_PASS"));
    }
}
