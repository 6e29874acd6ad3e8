package org.duet.mixer.rtp;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Where the mixer's RTP randomness comes from: its SSRCs, first sequence numbers and timestamps
 * (RFC 3550 5.1) and the randomised RTCP report intervals (6.3.1). A running mixer draws them per
 * thread; a simulation gives the room one seeded generator instead, so a run repeats exactly and
 * a rare combination (where the reports fall against the ticks) can be found again by its seed.
 */
public final class RtpRandomness {

    private static final RandomGenerator PER_THREAD = () -> ThreadLocalRandom.current().nextLong();

    private RtpRandomness() {
    }

    /**
     * The running mixer's source: {@link ThreadLocalRandom} of whichever thread asks (one
     * {@code ThreadLocalRandom} instance must not be kept and used from other threads).
     */
    public static RandomGenerator perThread() {
        return PER_THREAD;
    }
}
