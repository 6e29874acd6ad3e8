package org.duet.bench.netem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether this kernel can emulate a network with {@code tc netem}: tries it on the loopback of a
 * throwaway network namespace ({@code unshare -n}), which disappears with the probe process, so
 * nothing outside is touched and nothing needs cleaning up.
 */
public final class NetemProbe {

    private NetemProbe() {
    }

    public static boolean kernelHasNetem() {
        if (!Files.isExecutable(Path.of("/usr/bin/unshare")) || !Files.isExecutable(Path.of("/usr/sbin/tc"))) {
            return false;
        }
        Process p = null;
        try {
            p = new ProcessBuilder("/usr/bin/unshare", "-n", "sh", "-c",
                    "ip link set lo up && tc qdisc add dev lo root netem delay 1ms")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }
}
