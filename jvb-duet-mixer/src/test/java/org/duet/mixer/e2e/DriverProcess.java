package org.duet.mixer.e2e;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.remote.http.ClientConfig;

/**
 * A chromedriver this test starts itself (optionally behind a prefix such as
 * {@code ip netns exec NAME}), with its Chromium, and a teardown that is sure to end both within a
 * bounded time: quit over WebDriver (at most {@link #QUIT_WAIT}), then kill what is left of the
 * process tree and wait for it (at most {@link #KILL_WAIT}). Every WebDriver call
 * has a read timeout, so a driver that stops answering fails the test instead of hanging it.
 */
final class DriverProcess implements AutoCloseable {

    static final Duration QUIT_WAIT = Duration.ofSeconds(15);
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /**
     * Set in the driver's environment and inherited by everything it starts, so processes that
     * leave the tree (Chromium's crash handler re-parents itself to init at once; a renderer whose
     * browser process died is re-parented too) are still found.
     */
    static final String TAG_VARIABLE = "DUET_TEST_BROWSER";

    private final Process process;
    private final String label;
    private final String tag;
    private volatile WebDriver driver;

    private DriverProcess(Process process, String label, String tag) {
        this.process = process;
        this.label = label;
        this.tag = tag;
    }

    /**
     * Starts chromedriver with {@code prefix} before it, reached at {@code host} from this JVM
     * (whose address there is {@code clientIp}, or null for loopback), and opens a browser session
     * with {@code options}.
     */
    static DriverProcess start(String label, List<String> prefix, String host, String clientIp, ChromeOptions options,
                               Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // free here; inside a namespace ports are separate anyway
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(HeadlessChromium.DRIVER.toString(), "--port=" + port));
        if (clientIp != null) { // chromedriver answers only loopback unless told
            cmd.addAll(List.of("--allowed-ips=" + clientIp, "--allowed-origins=*"));
        }
        String tag = label + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(TAG_VARIABLE, tag);
        DriverProcess d = new DriverProcess(pb.start(), label, tag);
        try {
            URI uri = URI.create("http://" + host + ":" + port);
            awaitStatus(uri, d.process);
            ClientConfig config = ClientConfig.defaultConfig().baseUri(uri)
                    .connectionTimeout(Duration.ofSeconds(10)).readTimeout(Duration.ofSeconds(60));
            WebDriver w = new RemoteWebDriver(uri.toURL(), options, config);
            d.driver = w;
            w.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            w.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return d;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            d.close();
            throw e;
        }
    }

    WebDriver driver() {
        return driver;
    }

    /**
     * The driver and everything it started: its process tree now, and every process that carries
     * this driver's tag in its environment (read from /proc, as root).
     */
    List<ProcessHandle> tree() {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        all.add(process.toHandle());
        process.toHandle().descendants().forEach(all::add);
        byte[] mark = ("\0" + TAG_VARIABLE + "=" + tag + "\0").getBytes(StandardCharsets.UTF_8);
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                byte[] padded = new byte[env.length + 2]; // NUL on both sides: the first and last entries match too
                System.arraycopy(env, 0, padded, 1, env.length);
                if (indexOf(padded, mark) >= 0) {
                    all.add(p);
                }
            } catch (IOException | SecurityException e) {
                // gone meanwhile, or not ours to read
            }
        });
        return new ArrayList<>(all);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Quits the browser (bounded), then kills the driver's whole tree and waits for it (bounded). */
    @Override
    public void close() {
        long t0 = System.nanoTime();
        List<ProcessHandle> before = tree(); // before the quit: a dying browser's children leave the tree
        WebDriver w = driver;
        if (w != null && process.isAlive()) {
            Thread quit = new Thread(() -> {
                try {
                    w.quit();
                } catch (RuntimeException e) {
                    // the kill below ends it anyway
                }
            }, "quit-" + label);
            quit.setDaemon(true);
            quit.start();
            try {
                quit.join(QUIT_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Set<ProcessHandle> all = new LinkedHashSet<>(before);
        all.addAll(tree());
        boolean clean = kill(new ArrayList<>(all), KILL_WAIT);
        System.out.printf("browser %s: teardown of %d processes %.1f s%s%n", label, all.size(),
                (System.nanoTime() - t0) / 1e9, clean ? "" : " (still alive after the kill: " + alive(tree()) + ")");
    }

    /**
     * Kills the given processes and all their descendants, from a snapshot of the tree taken before
     * the first kill (a child re-parented when its parent dies is still in it), three rounds to
     * catch one started meanwhile, then waits until all have exited or {@code wait} has passed. True when none is left.
     */
    static boolean kill(List<ProcessHandle> processes, Duration wait) {
        for (int round = 0; round < 3; round++) {
            Set<ProcessHandle> now = new LinkedHashSet<>();
            for (ProcessHandle p : processes) {
                p.descendants().forEach(now::add);
                now.add(p);
            }
            for (ProcessHandle p : now) {
                p.destroyForcibly();
            }
            processes = new ArrayList<>(now);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (ProcessHandle p : processes) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                p.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // checked below
            }
        }
        return alive(processes).isEmpty();
    }

    static List<Long> alive(List<ProcessHandle> processes) {
        List<Long> pids = new ArrayList<>();
        for (ProcessHandle p : processes) {
            if (p.isAlive()) {
                pids.add(p.pid());
            }
        }
        return pids;
    }

    private static void awaitStatus(URI driver, Process p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                HttpURLConnection c = (HttpURLConnection) driver.resolve("/status").toURL().openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("chromedriver did not answer /status within 60 s (alive: " + p.isAlive() + ")");
    }
}
