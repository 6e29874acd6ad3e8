package org.duet.mixer.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LibraryConsoleTest {

    @Test
    void aMuffledThreadPrintsNothingAndOtherThreadsPrintAsBefore() throws Exception {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            long before = LibraryConsole.droppedLines();
            Thread other = new Thread(() -> {
                for (int i = 0; i < 3; i++) {
                    System.out.println("other thread " + i);
                }
            });
            LibraryConsole.muffled(() -> {
                for (int i = 0; i < 1000; i++) {
                    System.out.println("readResidual elsecase, pEsc = " + i); // what JFLAC prints
                }
                System.err.println("Warning - damaged page");
                other.start();
                try {
                    other.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            System.out.println("after");
            String out = console.toString(StandardCharsets.UTF_8);
            assertThat(out).doesNotContain("pEsc").doesNotContain("damaged");
            assertThat(out).contains("other thread 0", "other thread 2", "after");
            assertThat(LibraryConsole.droppedLines() - before).isEqualTo(1001);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
