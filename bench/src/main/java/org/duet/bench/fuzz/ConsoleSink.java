package org.duet.bench.fuzz;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Stands in for {@code System.out} and {@code System.err} while a parser runs: some libraries
 * print from inside their decoders (JFLAC prints a line per escape-coded residual partition, the
 * Ogg reader a warning per damaged page), and writing that to a terminal or file cost more than
 * the parsing itself and buried the figures. The lines are counted and dropped; the count is a
 * figure ({@code fuzz_<parser>_console_lines}).
 */
final class ConsoleSink extends OutputStream {

    private long lines;
    private boolean any;

    static PrintStream printStream(ConsoleSink sink) {
        return new PrintStream(sink, false, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        count(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            count(b[i]);
        }
    }

    private void count(int b) {
        if (b == '\n') {
            lines++;
            any = false;
        } else {
            any = true;
        }
    }

    /** Lines written so far (a last line without its newline counts too). */
    synchronized long lines() {
        return lines + (any ? 1 : 0);
    }
}
