package org.duet.mixer.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace this test creates, joined to this one by a veth pair with a private /30
 * (10.231.N.1 here, 10.231.N.2 inside), and nothing else: no route out of the machine. The link
 * can be taken down and up to cut everything inside off without any packet saying so (no FIN, no
 * RST, no ICMP reaches the other side). Needs root and iproute2; {@link #create} returns null when
 * the machine does not allow it.
 */
final class NetworkNamespace implements AutoCloseable {

    private static final Path IP = Path.of("/usr/sbin/ip");

    final String name;
    final String outside;
    final String inside;
    private final String hostLink;
    private final String innerLink;
    /** Removes the namespace if the JVM ends before the test could (a timeout, a kill): no browser is left behind. */
    private final Thread onExit = new Thread(this::close, "netns-cleanup");
    private boolean closed;

    private NetworkNamespace(String name, int subnet, String hostLink, String innerLink) {
        this.name = name;
        this.outside = "10.231." + subnet + ".1";
        this.inside = "10.231." + subnet + ".2";
        this.hostLink = hostLink;
        this.innerLink = innerLink;
    }

    /** A new namespace, or null (with the reason printed) when this machine cannot make one. */
    static NetworkNamespace create() {
        if (!Files.isExecutable(IP)) {
            System.out.println("network namespace: no " + IP);
            return null;
        }
        long pid = ProcessHandle.current().pid();
        int subnet = (int) (pid % 250) + 1;
        String tag = Long.toString(pid % 100_000);
        NetworkNamespace ns = new NetworkNamespace("duetdrop" + tag, subnet, "ddh" + tag, "ddi" + tag);
        try {
            Runtime.getRuntime().addShutdownHook(ns.onExit);
            ns.ip("netns", "add", ns.name);
            ns.ip("link", "add", ns.hostLink, "type", "veth", "peer", "name", ns.innerLink);
            ns.ip("link", "set", ns.innerLink, "netns", ns.name);
            ns.ip("addr", "add", ns.outside + "/30", "dev", ns.hostLink);
            ns.ip("link", "set", ns.hostLink, "up");
            ns.ip("netns", "exec", ns.name, IP.toString(), "addr", "add", ns.inside + "/30", "dev", ns.innerLink);
            ns.ip("netns", "exec", ns.name, IP.toString(), "link", "set", ns.innerLink, "up");
            ns.ip("netns", "exec", ns.name, IP.toString(), "link", "set", "lo", "up");
            return ns;
        } catch (IOException e) {
            System.out.println("network namespace: " + e.getMessage());
            ns.close();
            return null;
        }
    }

    /** Cuts the namespace off (its end of the link goes down: nothing in or out, nobody told). */
    void cut() throws IOException {
        ip("netns", "exec", name, IP.toString(), "link", "set", innerLink, "down");
    }

    /** Joins it again. */
    void restore() throws IOException {
        ip("netns", "exec", name, IP.toString(), "link", "set", innerLink, "up");
    }

    /** Starts {@code command} inside the namespace. */
    Process start(List<String> command, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(IP.toString(), "netns", "exec", name));
        cmd.addAll(command);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(IP.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + new String(p.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8).trim());
        }
    }

    /** Every process whose network is this namespace (what {@code ip netns pids} lists). */
    List<ProcessHandle> processes() {
        List<ProcessHandle> found = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(IP.toString(), "netns", "pids", name).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return found;
            }
            for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
                if (line.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(line)).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            System.out.println("network namespace: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return found;
    }

    /**
     * Kills whatever still runs inside (a browser whose driver was killed leaves its renderers
     * there), waits for them (bounded), then removes the link and the namespace. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        List<ProcessHandle> inside = processes();
        if (!inside.isEmpty() && !DriverProcess.kill(inside, Duration.ofSeconds(10))) {
            System.out.println("network namespace " + name + ": still running after kill -9: "
                    + DriverProcess.alive(inside));
        }
        try {
            ip("link", "del", hostLink); // takes its peer inside with it
        } catch (IOException e) {
            // not created
        }
        try {
            ip("netns", "del", name);
        } catch (IOException e) {
            System.out.println("network namespace: " + e.getMessage());
        }
    }
}
