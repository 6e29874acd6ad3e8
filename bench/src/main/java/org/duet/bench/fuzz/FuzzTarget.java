package org.duet.bench.fuzz;

import java.util.List;

/**
 * One parser under fuzzing: valid inputs to mutate, tokens worth inserting, and the call that
 * feeds it one input the way the server does.
 */
interface FuzzTarget extends AutoCloseable {

    /** Short name, used in the figure names ({@code fuzz_<name>_...}). */
    String name();

    /** Valid inputs the mutator starts from (never empty). */
    List<byte[]> seeds();

    /** Tokens of the format (field names, keywords, delimiters) the mutator may insert; may be empty. */
    List<byte[]> dictionary();

    /** Longest input to generate. */
    int maxLength();

    /**
     * Feeds one input. Returns true when it was accepted, false when it was refused the documented
     * way (an error value, a checked rejection, a 4xx). Anything thrown is a bug: a crash.
     */
    boolean run(byte[] input) throws Exception;

    /**
     * What the target still holds that it should not once every input was handled (open rooms,
     * members, sessions, UDP sockets); empty when clean. Called after the run, before {@link #close}.
     */
    default List<String> leftovers() throws Exception {
        return List.of();
    }

    @Override
    void close();
}
