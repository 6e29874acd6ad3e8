package org.duet.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the page modules' own tests (src/test/js/*.test.mjs, Node's built-in test runner) on the
 * plain ES modules the browser loads: no build step, no test double of the modules themselves.
 */
class PageModulesNodeTest {

    @Test
    void pageModuleTestsPass() throws IOException, InterruptedException {
        Path out = Files.createTempFile("node-test", ".txt");
        Process p = new ProcessBuilder("node", "--test", "src/test/js/")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String text = Files.readString(out);
        Files.deleteIfExists(out);
        assertThat(done).as("node --test finished in 120 s").isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).containsPattern("# pass [1-9]").contains("# fail 0");
        text.lines().filter(l -> l.startsWith("# tests") || l.startsWith("# pass")).forEach(System.out::println);
    }
}
