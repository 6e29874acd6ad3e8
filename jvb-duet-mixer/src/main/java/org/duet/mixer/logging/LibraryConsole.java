package org.duet.mixer.logging;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps libraries that print to {@code System.out}/{@code System.err} from inside their decoders
 * quiet while they decode what a user uploaded. JFLAC prints a line per escape-coded residual
 * partition and the Ogg reader a warning per damaged page: a crafted upload could write hundreds of
 * thousands of lines to the server's console (203,000 over the fuzzer's million uploads).
 *
 * <p>{@link #muffled(Runnable)} runs a piece of work with the console muted for its thread only;
 * what the thread prints meanwhile is dropped and counted ({@link #droppedLines()}). Other threads
 * print as before. A call puts a thin filter in front of the process's {@code System.out} and
 * {@code System.err} unless one is there already (a later {@code System.setOut} by someone else
 * replaces it; the next call puts a filter in front of that one).
 */
public final class LibraryConsole {

    private static final ThreadLocal<Boolean> MUTED = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final AtomicLong DROPPED_LINES = new AtomicLong();

    private LibraryConsole() {
    }

    /** Runs {@code work} with this thread's console output dropped (and counted). */
    public static void muffled(Runnable work) {
        install();
        boolean before = MUTED.get();
        MUTED.set(Boolean.TRUE);
        try {
            work.run();
        } finally {
            MUTED.set(before);
        }
    }

    /** Lines dropped so far, all threads. */
    public static long droppedLines() {
        return DROPPED_LINES.get();
    }

    private static synchronized void install() {
        if (!(System.out instanceof Filter)) {
            System.setOut(new Filter(System.out));
        }
        if (!(System.err instanceof Filter)) {
            System.setErr(new Filter(System.err));
        }
    }

    /** A console stream that drops what muted threads write. */
    private static final class Filter extends PrintStream {
        Filter(PrintStream target) {
            super(dropWhenMuted(target), true, StandardCharsets.UTF_8);
        }
    }

    private static OutputStream dropWhenMuted(PrintStream target) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                if (MUTED.get()) {
                    if (b == '\n') {
                        DROPPED_LINES.incrementAndGet();
                    }
                    return;
                }
                target.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (MUTED.get()) {
                    for (int i = off; i < off + len; i++) {
                        if (b[i] == '\n') {
                            DROPPED_LINES.incrementAndGet();
                        }
                    }
                    return;
                }
                target.write(b, off, len);
            }

            @Override
            public void flush() {
                target.flush();
            }
        };
    }
}
