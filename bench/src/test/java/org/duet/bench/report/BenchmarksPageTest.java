package org.duet.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksPageTest {

    @Test
    void aSectionGoesBeforeThePlotsAndIsReplacedInPlaceKeepingTheRest(@TempDir Path docs) throws Exception {
        String page = "# Benchmarks\n\nhead\n\n## Figures\n\n| a | 1 |\n\n## Plots\n\nplots\n";
        Files.writeString(docs.resolve("benchmarks.md"), page);
        BenchmarksPage.writeSection(docs, "capacity", "Capacity", "./duet bench --only capacity", "1.00 2.00 3.00",
                "4.00 5.00 6.00", "intro.", List.of(new Figure("duets_per_core", 30, "duets")));
        String once = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(once).startsWith("# Benchmarks\n\nhead\n\n## Figures\n\n| a | 1 |\n\n<!-- bench:section capacity -->")
                .contains("| duets_per_core | 30 | duets |").contains("load average at start 1.00 2.00 3.00, at end 4.00 5.00 6.00")
                .endsWith("<!-- bench:end capacity -->\n\n## Plots\n\nplots\n");
        BenchmarksPage.writeSection(docs, "capacity", "Capacity", "./duet bench --only capacity", "1", "2", "intro.",
                List.of(new Figure("duets_per_core", 41, "duets")));
        BenchmarksPage.writeSection(docs, "detectors", "Detectors", "./duet bench --only detectors", "1", "2", "intro.",
                List.of(new Figure("howl_cpu_ms_per_singer_second", 3.5, "ms")));
        String twice = Files.readString(docs.resolve("benchmarks.md"));
        assertThat(twice).doesNotContain("| duets_per_core | 30 |").contains("| duets_per_core | 41 | duets |")
                .contains("| howl_cpu_ms_per_singer_second | 3.50 | ms |").endsWith("## Plots\n\nplots\n");
        assertThat(twice.indexOf("<!-- bench:section capacity -->")).isEqualTo(once.indexOf("<!-- bench:section capacity -->"));
        assertThat(twice.split("bench:section capacity", -1)).hasSize(2);
    }

    @Test
    void aPageWithoutPlotsGetsTheSectionAtItsEnd() {
        String s = BenchmarksPage.spliceSection("# B\n\ntext\n", "x", "<!-- bench:section x -->\nbody\n<!-- bench:end x -->\n");
        assertThat(s).isEqualTo("# B\n\ntext\n\n<!-- bench:section x -->\nbody\n<!-- bench:end x -->\n");
    }
}
