package org.duet.mixer.record;

import java.io.IOException;

/** The bytes a take may still write before the recordings directory reaches its size cap. */
final class ByteBudget {

    /** Thrown when a write would pass the cap; the take stops with this message. */
    static final class CapReached extends IOException {
        CapReached(String message) {
            super(message);
        }
    }

    private final long limit;
    private final String what;
    private long used;

    ByteBudget(long limit, String what) {
        this.limit = limit;
        this.what = what;
    }

    void take(long bytes) throws CapReached {
        if (used + bytes > limit) {
            throw new CapReached(what);
        }
        used += bytes;
    }

    long used() {
        return used;
    }
}
