package org.duet.bench.workload;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A mixer server the workload drives over plain RTP: Duet or Janus AudioBridge, each its own
 * process so its CPU can be read from /proc.
 */
public interface MixerUnderTest extends AutoCloseable {

    /** Server-side addresses for one duet; listener is null when the server sends the listener mix without a port of its own. */
    record DuetPorts(InetSocketAddress singerA, InetSocketAddress singerB, InetSocketAddress listener) {
    }

    String name();

    /** The server process (for /proc CPU sampling). */
    long pid();

    /**
     * Sets up duet {@code index}: two singers whose mix-minus goes to {@code singerA}/{@code singerB}
     * and a listener receiving the combined mix at {@code listener}.
     */
    DuetPorts addDuet(int index, InetSocketAddress singerA, InetSocketAddress singerB, InetSocketAddress listener)
            throws IOException, InterruptedException;

    /** Mixer-internal frames concealed per frame expected, when the server reports it; NaN otherwise. */
    default double reportedConcealedRate() {
        return Double.NaN;
    }

    /** Called when the measured window starts and when it ends (servers snapshot their own counters). */
    default void markWindow(boolean start) {
    }

    @Override
    void close();
}
