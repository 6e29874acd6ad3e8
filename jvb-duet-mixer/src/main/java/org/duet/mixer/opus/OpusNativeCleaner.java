package org.duet.mixer.opus;

import java.lang.ref.Cleaner;

/** One cleaner thread for all native codec states that were not closed explicitly. */
final class OpusNativeCleaner {

    static final Cleaner CLEANER = Cleaner.create();

    private OpusNativeCleaner() {
    }
}
