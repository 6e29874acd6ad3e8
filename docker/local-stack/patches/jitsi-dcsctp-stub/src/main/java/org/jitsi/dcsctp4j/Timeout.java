package org.jitsi.dcsctp4j;

/** A timer the socket asks its owner to run. */
public interface Timeout {
    void start(long duration, long timeoutId);

    void stop();

    default void restart(long duration, long timeoutId) {
        stop();
        start(duration, timeoutId);
    }
}
