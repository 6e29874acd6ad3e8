package org.duet.mixer.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that reads every plain-UDP socket through a single {@link Selector}, so a hundred
 * participants cost one thread, not a hundred. Reading never allocates: each transport reads
 * into its own direct buffer and hands the bytes to its receiver.
 */
final class UdpReceiveThread implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(UdpReceiveThread.class);
    private static UdpReceiveThread shared;

    private final Selector selector;
    private final ConcurrentLinkedQueue<UdpTransport> toRegister = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    /** Held in a field: a method reference written at the call would be a new object per wake-up. */
    private final java.util.function.Consumer<SelectionKey> onReadable = this::onReadable;

    private UdpReceiveThread() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        thread = new Thread(this, "duet-udp-rx");
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    /** The process-wide receive thread, started on first use. */
    static synchronized UdpReceiveThread shared() {
        if (shared == null) {
            shared = new UdpReceiveThread();
        }
        return shared;
    }

    void register(UdpTransport transport) {
        toRegister.add(transport);
        selector.wakeup();
    }

    @Override
    public void run() {
        while (true) {
            try {
                registerPending();
                selector.select(onReadable, 1000);
            } catch (IOException e) {
                LOG.warn("selector failed; continuing", e);
            } catch (RuntimeException e) {
                // A bug in one receiver must not stop every participant's audio.
                LOG.error("unexpected error in UDP receive thread", e);
            }
        }
    }

    private void registerPending() {
        UdpTransport t;
        while ((t = toRegister.poll()) != null) {
            try {
                t.channel().register(selector, SelectionKey.OP_READ, t);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot register {}: {}", t.describe(), e.toString());
            }
        }
    }

    private void onReadable(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        ((UdpTransport) key.attachment()).readAvailable();
    }
}
