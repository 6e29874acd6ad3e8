package org.duet.mixer.jitsi.brewery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Prosody 13 with Jitsi's plugins, started by the local stack's script
 * ({@code docker/local-stack/jitsi-stack.sh start prosody}, which registers the duet-mixer and
 * duet-coordinator accounts) in a run directory of this test, inside the network namespace the
 * test JVM runs in (see the {@code brewery-in-netns} execution in pom.xml), and stopped at the end.
 */
final class StackProsody implements AutoCloseable {

    private final Path script;
    private final Path run;
    private final String address;
    private final Map<String, String> env = new HashMap<>();

    private StackProsody(Path script, Path run, String address) {
        this.script = script;
        this.run = run;
        this.address = address;
    }

    static StackProsody start() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        Path script = null;
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path s = dir.resolve("docker/local-stack/jitsi-stack.sh");
            if (Files.isExecutable(s)) {
                script = s;
                break;
            }
        }
        if (script == null) {
            throw new IllegalStateException("docker/local-stack/jitsi-stack.sh not found");
        }
        String address = System.getenv().getOrDefault("DUET_STACK_ADDRESS", "127.0.0.1");
        StackProsody p = new StackProsody(script, Path.of("/tmp/duet-mixer-brewery-" + ProcessHandle.current().pid()),
                address);
        p.run(Duration.ofSeconds(120), "start", "prosody");
        for (String line : p.run(Duration.ofSeconds(30), "env").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                p.env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return p;
    }

    private String run(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "--address", address, "--run-dir", run.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("DUET_NETNS"); // this JVM is inside the namespace already
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
            throw new IllegalStateException("jitsi-stack.sh " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    String get(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException("jitsi-stack.sh env has no " + key);
        }
        return v;
    }

    String address() {
        return address;
    }

    @Override
    public void close() throws Exception {
        run(Duration.ofSeconds(30), "stop");
        try (var files = Files.walk(run)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
