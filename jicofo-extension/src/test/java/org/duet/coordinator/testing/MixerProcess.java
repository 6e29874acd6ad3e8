package org.duet.coordinator.testing;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Duet mixer ({@code org.duet.mixer.Main mixer}: the Jitsi transport and the brewery announcer)
 * as a child JVM of the test, so the test can kill it the hard way (SIGKILL).
 */
public final class MixerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private MixerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static MixerProcess start(String id, String secret, LocalProsody prosody, String breweryRoom)
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "-Dduet.mixer.loops=1",
                "-Dduet.jitsi.brewery.enabled=true",
                "-Dduet.jitsi.brewery.xmpp-host=" + prosody.address(),
                "-Dduet.jitsi.brewery.xmpp-port=" + prosody.xmppPort(),
                "-Dduet.jitsi.brewery.domain=" + prosody.get("AUTH_DOMAIN"),
                "-Dduet.jitsi.brewery.username=" + prosody.get("MIXER_USER"),
                "-Dduet.jitsi.brewery.password=" + prosody.get("MIXER_PASS"),
                "-Dduet.jitsi.brewery.muc-jid=" + breweryRoom,
                "-Dduet.jitsi.brewery.nickname=" + id,
                "-Dduet.jitsi.brewery.advertised-url=ws://127.0.0.1:" + port + "/translate",
                "org.duet.mixer.Main", "mixer", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--secret", secret));
        Path log = Files.createTempFile("duet-mixer-" + id + "-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new MixerProcess(p, port, log);
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + port + "/translate");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no goodbye on any socket. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        new File(log.toString()).delete();
    }
}
