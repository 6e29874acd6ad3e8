package org.duet.jitsi.e2e;

import java.util.List;

/**
 * The servers under test (Prosody, JVB, Jicofo, the Duet coordinator and mixers) run 10 nice levels
 * above the test, so that the test's own three Chromiums, which raise themselves to nice -8, cannot
 * starve them. In a deployment the browsers sit on other machines; here they share two cores with
 * the stack, and in one run at load 30 the serving mixer, below the browsers, sent its streams with
 * 1.7-2 s of jitter and the listener's mix was 83 % concealed. Needs root (as {@code ./duet test}
 * runs in CI); otherwise {@code nice} says it cannot and runs the server at the test's own level.
 */
final class ServerPriority {

    private static final List<String> PREFIX = List.of("nice", "-n", "-10");

    private ServerPriority() {
    }

    /** The command line that starts a server process with {@code command}. */
    static List<String> command(List<String> command) {
        List<String> out = new java.util.ArrayList<>(PREFIX);
        out.addAll(command);
        return out;
    }
}
