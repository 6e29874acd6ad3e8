package org.duet.jitsi.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Prosody 13 + JVB + Jicofo, started and stopped by docker/local-stack/jitsi-stack.sh (the same
 * script developers use), in this JVM's network namespace on {@code address}.
 */
final class LocalJitsiStack implements AutoCloseable {

    private final Path script;
    private final Path runDir;
    private final String address;
    private final Map<String, String> extraEnv;
    private Map<String, String> env = Map.of();
    private boolean started;

    /** The process id of one of the stack's servers ("jvb", "jicofo", "prosody"; -1: unknown). */
    long pid(String server) {
        return CpuTime.pidIn(runDir.resolve("pids").resolve(server + ".pid"));
    }

    LocalJitsiStack(Path root, Path runDir, String address, Map<String, String> extraEnv) {
        this.script = root.resolve("docker/local-stack/jitsi-stack.sh");
        this.runDir = runDir;
        this.address = address;
        this.extraEnv = extraEnv;
    }

    /** Starts everything and waits until JVB and Jicofo are healthy and the bridge is in the brewery. */
    void start(Duration timeout) throws IOException, InterruptedException {
        started = true;
        run(timeout, "start");
        env = readEnv();
    }

    /** KEY=VALUE lines of {@code jitsi-stack.sh env}: accounts, secret, URLs, build paths. */
    String get(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException("jitsi-stack.sh env has no " + key + ": " + env.keySet());
        }
        return v;
    }

    Path log(String name) {
        return runDir.resolve("logs").resolve(name);
    }

    private Map<String, String> readEnv() throws IOException, InterruptedException {
        String out = run(Duration.ofSeconds(30), "env");
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return m;
    }

    private String run(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(script.toString(), "--address", address,
                "--run-dir", runDir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(ServerPriority.command(cmd));
        pb.environment().putAll(extraEnv);
        pb.environment().remove("DUET_NETNS"); // this JVM is inside the namespace already
        Path out = Files.createTempFile("jitsi-stack-", ".out");
        pb.redirectOutput(out.toFile());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jitsi-stack.sh " + String.join(" ", args) + " took longer than " + timeout);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        if (p.exitValue() != 0) {
            throw new IOException("jitsi-stack.sh " + String.join(" ", args) + " failed (exit " + p.exitValue() + ")");
        }
        return text;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (started) {
            run(Duration.ofSeconds(60), "stop");
        }
    }
}
