package org.duet.mixer.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recordings directory that cannot be written: a read-only mount (this test mounts a tmpfs
 * read-only; skips with a message where mounting is not allowed; as root, file permissions alone
 * would not stop a write) refuses a new take with a sentence; a take whose directory is deleted
 * while it records stops with a sentence, and the recorder stops taking work from the loop.
 */
class UnwritableTakesDirTest {

    @TempDir
    Path tmp;

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done || p.exitValue() != 0) {
            System.out.println(String.join(" ", cmd) + ": " + out.strip());
            return false;
        }
        return true;
    }

    @Test
    void aReadOnlyDirectoryRefusesATake() throws Exception {
        Path ro = tmp.resolve("read-only");
        Files.createDirectories(ro);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "duet-test-ro", ro.toString()),
                "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): read-only test skipped");
        try {
            TakeStore store = new TakeStore(ro, 10, 10L << 20);
            assertThatThrownBy(() -> store.begin("room", "test", 1.7e12, 0))
                    .isInstanceOf(TakeStore.TakeRefused.class)
                    .hasMessageContaining("not writable").hasMessageContaining(ro.toString())
                    .hasMessageContaining("Read-only");
            assertThat(store.list("room")).isEmpty();
        } finally {
            run("umount", "-l", ro.toString());
        }
    }

    @Test
    void aTakeWhoseDirectoryGoesAwayStopsWithAReason() throws Exception {
        TakeStore store = new TakeStore(tmp.resolve("takes"), 10, 10L << 20);
        TakeInfo info = store.begin("room", "test", 1.7e12, 0);
        TakeWriter writer = TakeWriter.start(store, info, 256, t -> { });
        TakeRecorder rec = writer.recorder();
        short[] pcm = new short[480];
        long pos = 0;
        for (int i = 0; i < 100; i++, pos += 480) { // 1 s of the listener mix
            rec.listenerMix(pcm, 480, pos);
        }
        Thread.sleep(1_500); // flushed once
        try (var files = Files.walk(store.dir().resolve(info.id()))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!rec.isFailed() && System.nanoTime() < deadline) {
            rec.listenerMix(pcm, 480, pos); // the loop keeps feeding, 10 ms a tick
            pos += 480;
            Thread.sleep(10);
        }
        assertThat(writer.await(5_000)).as("the writer stopped").isTrue();
        TakeInfo t = writer.info();
        System.out.printf("take_dir_gone: %s after %d ms: %s%n", t.status(), t.durationMs(), t.message());
        assertThat(rec.isFailed()).as("the recorder takes no more work").isTrue();
        assertThat(t.status()).isEqualTo(TakeInfo.FAILED);
        assertThat(t.message()).startsWith("Recording stopped").contains(info.id()).contains("is gone");
    }
}
