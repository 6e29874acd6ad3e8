package org.duet.jitsi.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Duet process (mixer, coordinator) run as a child JVM on this test's classpath, which holds the
 * reactor's freshly compiled modules. Output goes to a log file; {@link #kill()} is kill -9.
 */
final class ChildJvm implements AutoCloseable {

    final String name;
    final Path log;
    private final Process process;

    private ChildJvm(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ChildJvm start(String name, Path log, String mainClass, Map<String, String> properties, List<String> args)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java));
        if (name.startsWith("mixer")) {
            // the mixers run as a deployment runs them (./duet's JVM options: G1, both JIT tiers), since
            // the run reports their latency and CPU; the coordinator stays small
            cmd.addAll(List.of("-Xmx512m", "-XX:AutoBoxCacheMax=65536"));
        } else {
            cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        }
        cmd.addAll(List.of("-Dice4j.harvest.mapping.aws.enabled=false", "-Dice4j.harvest.mapping.stun.enabled=false"));
        // wall-clock times in the logs, to line them up with the bridge's log and the pages' recordings
        cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
        // measuring aids of the mixer (e.g. -Dduet.debug.onsets=true) pass through from the test run
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("duet.debug."))
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", classpath, mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(ServerPriority.command(cmd)).redirectErrorStream(true).redirectOutput(log.toFile());
        return new ChildJvm(name, log, pb.start());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, sockets just vanish (what a crashed mixer looks like). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
