package org.duet.bench.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one {@link FuzzTarget} for a number of cases or until a time bound, on a worker thread
 * watched for hangs, and checks afterwards that nothing leaked: the target's own leftovers, file
 * descriptors, threads and heap against a baseline taken after a warm-up.
 */
final class FuzzRun {

    /** A case that runs this long without returning counts as a hang (the server must never block on input). */
    static final long HANG_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Slack for descriptors and threads that come and go on their own (Jetty's pool, the JIT, GC). */
    static final int FD_SLACK = 8;
    static final int THREAD_SLACK = 8;
    static final long HEAP_SLACK = 64L << 20;

    /**
     * @param uncaught       throwables out of the parser (bugs: the server would lose a thread or a connection)
     * @param contractBreaks cases where the parser returned but broke what the server relies on ({@link BrokenContract})
     * @param consoleLines   lines the parser's libraries printed to stdout or stderr during the measured cases
     */
    record Result(String target, long cases, double seconds, long accepted, long uncaught, long contractBreaks,
                  boolean hung, long slowestNanos, long consoleLines, List<String> leaks, List<String> findings) {
        double rate() {
            return cases / Math.max(seconds, 1e-9);
        }

        long crashes() {
            return uncaught + contractBreaks;
        }
    }

    private FuzzRun() {
    }

    /** Where the run's own messages go while System.out and System.err are the {@link ConsoleSink}. */
    private static PrintStream console = System.err;

    static Result run(FuzzTarget target, long maxCases, double maxSeconds, long seed, Path findingsDir)
            throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ConsoleSink sink = new ConsoleSink();
        console = err;
        System.setOut(ConsoleSink.printStream(sink));
        System.setErr(ConsoleSink.printStream(sink));
        try {
            return measure(target, maxCases, maxSeconds, seed, findingsDir, sink);
        } finally {
            System.out.flush();
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Result measure(FuzzTarget target, long maxCases, double maxSeconds, long seed, Path findingsDir,
                                  ConsoleSink sink) throws Exception {
        Mutator mutator = new Mutator(seed, target.seeds(), target.dictionary(), target.maxLength());
        List<String> findings = new ArrayList<>();
        // warm-up: every seed once (each must be accepted, or the target is set up wrong), then a few
        // thousand cases, so pools, caches and JIT settle before the baseline
        long seedUncaught = 0;
        long seedBroken = 0;
        for (byte[] s : target.seeds()) {
            try {
                if (!target.run(s.clone())) {
                    console.println("fuzz: " + target.name() + ": a seed was refused (check the seeds): " + preview(s));
                }
            } catch (BrokenContract t) {
                seedBroken++;
                findings.add(record(findingsDir, target.name() + "-seed", findings.size(), s, t));
            } catch (Throwable t) {
                seedUncaught++;
                findings.add(record(findingsDir, target.name() + "-seed", findings.size(), s, t));
            }
        }
        Mutator warm = new Mutator(~seed, target.seeds(), target.dictionary(), target.maxLength());
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < 2000 && System.nanoTime() < warmEnd; i++) {
            try {
                target.run(warm.next());
            } catch (Throwable t) {
                // counted in the measured run if it recurs
            }
        }
        settle(target);
        ResourceSnapshot before = ResourceSnapshot.now();
        long linesBefore = sink.lines();

        AtomicLong done = new AtomicLong();
        long[] accepted = {0};
        long[] uncaught = {seedUncaught};
        long[] broken = {seedBroken};
        long[] slowest = {0};
        byte[][] current = {null};
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        Thread worker = new Thread(() -> {
            for (long i = 0; i < maxCases; i++) {
                if ((i & 255) == 0 && System.nanoTime() > deadline || stopped.get()) {
                    break; // stopped: a case hung and the target is being closed under this thread
                }
                byte[] input = mutator.next();
                current[0] = input;
                long t0 = System.nanoTime();
                try {
                    if (target.run(input)) {
                        accepted[0]++;
                    }
                } catch (Throwable t) {
                    if (stopped.get()) {
                        break; // the hung case failing because its target was closed: not a finding
                    }
                    if (t instanceof BrokenContract) {
                        broken[0]++;
                    } else {
                        uncaught[0]++;
                    }
                    if (findings.size() < 5) {
                        findings.add(record(findingsDir, target.name(), findings.size(), input, t));
                    }
                }
                long took = System.nanoTime() - t0;
                if (took > slowest[0]) {
                    slowest[0] = took;
                }
                done.incrementAndGet();
            }
        }, "fuzz-" + target.name());
        worker.setDaemon(true);
        worker.start();
        boolean hung = false;
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (worker.isAlive()) {
            worker.join(200);
            long c = done.get();
            if (c != lastCount) {
                lastCount = c;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > HANG_NANOS) {
                hung = true;
                stopped.set(true);
                findings.add(record(findingsDir, target.name() + "-hang", 0, current[0],
                        new IllegalStateException("no progress for " + HANG_NANOS / 1_000_000_000 + " s")));
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long consoleLines = sink.lines() - linesBefore;
        List<String> leaks = new ArrayList<>();
        if (!hung) {
            settle(target);
            leaks.addAll(target.leftovers());
            ResourceSnapshot after = ResourceSnapshot.now();
            if (after.fds() > before.fds() + FD_SLACK) {
                leaks.add("file descriptors " + before.fds() + " -> " + after.fds());
            }
            if (after.threads() > before.threads() + THREAD_SLACK) {
                leaks.add("threads " + before.threads() + " -> " + after.threads());
            }
            if (after.heapBytes() > before.heapBytes() + HEAP_SLACK) {
                leaks.add("heap " + (before.heapBytes() >> 20) + " -> " + (after.heapBytes() >> 20) + " MiB");
            }
            console.println("fuzz: " + target.name() + ": before " + before + "; after " + after);
        }
        return new Result(target.name(), done.get(), seconds, accepted[0], uncaught[0], broken[0], hung, slowest[0],
                consoleLines, leaks, findings);
    }

    /** Gives timers that release things (idle rooms, closing sockets) time to run: at most 5 s. */
    private static void settle(FuzzTarget target) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end && !target.leftovers().isEmpty()) {
            Thread.sleep(100);
        }
    }

    private static String record(Path dir, String name, int n, byte[] input, Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        String where = "(input not saved)";
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(name + "-" + n + ".bin");
            Files.write(file, input == null ? new byte[0] : input);
            where = file.toString();
        } catch (IOException e) {
            // the trace is still reported
        }
        String text = name + ": " + t + " on input " + where + "\n" + trace;
        console.println("fuzz: FINDING " + text);
        return text;
    }

    static String preview(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 120), java.nio.charset.StandardCharsets.ISO_8859_1);
        return s.replaceAll("[^\\x20-\\x7e]", ".");
    }
}
