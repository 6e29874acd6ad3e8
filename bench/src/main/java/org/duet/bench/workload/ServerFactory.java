package org.duet.bench.workload;

/** Starts a fresh server for one run (each run gets a new process, so runs do not share state). */
@FunctionalInterface
public interface ServerFactory {
    MixerUnderTest start() throws Exception;
}
