package org.duet.bench.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fuzzer itself: reproducible, and it does catch a crash and a leak when there is one. */
class FuzzRunTest {

    @TempDir
    Path findings;

    @Test
    void theSameSeedGivesTheSameCases() {
        List<byte[]> seeds = List.of("{\"type\":\"join\"}".getBytes(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Mutator a = new Mutator(42, seeds, Seeds.ascii("\"", "{"), 256);
        Mutator b = new Mutator(42, seeds, Seeds.ascii("\"", "{"), 256);
        for (int i = 0; i < 1000; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }

    @Test
    void aParserThatThrowsOnSomeInputIsReportedWithTheInputSaved() throws Exception {
        FuzzRun.Result r = FuzzRun.run(new Toy(false), 20_000, 30, 1, findings);
        assertThat(r.uncaught()).as("the fuzzer reaches the bad byte").isPositive();
        assertThat(r.findings()).isNotEmpty();
        assertThat(findings.resolve("toy-0.bin")).exists();
        assertThat(r.leaks()).isEmpty();
    }

    @Test
    void whatATargetKeepsIsReportedAsALeak() throws Exception {
        FuzzRun.Result r = FuzzRun.run(new Toy(true), 5_000, 30, 1, findings);
        assertThat(r.leaks()).isNotEmpty();
    }

    /** Accepts inputs starting with 'A'; throws when a 0x7F byte follows one; optionally keeps every input. */
    private static final class Toy implements FuzzTarget {
        private final boolean hoard;
        private final List<byte[]> kept = new ArrayList<>();

        Toy(boolean hoard) {
            this.hoard = hoard;
        }

        @Override
        public String name() {
            return "toy";
        }

        @Override
        public List<byte[]> seeds() {
            return List.of("ABCDEFGH".getBytes());
        }

        @Override
        public List<byte[]> dictionary() {
            return List.of();
        }

        @Override
        public int maxLength() {
            return 64;
        }

        @Override
        public boolean run(byte[] input) {
            if (hoard) {
                kept.add(input);
            }
            for (int i = 0; i + 1 < input.length; i++) {
                if (input[i] == 'A' && input[i + 1] == 0x7F) {
                    throw new IllegalStateException("bug at " + i + " in " + Arrays.toString(input));
                }
            }
            return input.length > 0 && input[0] == 'A';
        }

        @Override
        public List<String> leftovers() {
            return kept.size() > 100 ? List.of(kept.size() + " inputs kept") : List.of();
        }

        @Override
        public void close() {
        }
    }
}
