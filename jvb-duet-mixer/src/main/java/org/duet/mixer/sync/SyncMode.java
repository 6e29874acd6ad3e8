package org.duet.mixer.sync;

import java.util.Locale;

/**
 * How a room's two singers are put together in time.
 * <ul>
 *   <li>{@link #LIVE}: both hear each other as early as possible; the listener mix aligns the
 *       voices by capture time.
 *   <li>{@link #LEADER_FOLLOWER}: the leader sings to the beat; the follower hears the leader and
 *       the beat together, as the leader performed them, and sings along; the listener mix delays
 *       the leader and the beat by the follower's calibrated loop so all three line up.
 * </ul>
 */
public enum SyncMode {
    LIVE, LEADER_FOLLOWER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static SyncMode parse(String wire) {
        if (wire != null) {
            for (SyncMode m : values()) {
                if (m.wireName().equals(wire.trim().toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("unknown sync mode '" + wire + "' (expected live or leader-follower)");
    }
}
