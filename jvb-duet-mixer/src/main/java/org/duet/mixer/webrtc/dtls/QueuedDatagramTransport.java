package org.duet.mixer.webrtc.dtls;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.DatagramTransport;

/**
 * bctls's view of the socket: records demultiplexed as DTLS by the receive thread are queued
 * here (copies; DTLS traffic is a handful of datagrams per session), and sends go straight out.
 */
final class QueuedDatagramTransport implements DatagramTransport {

    /** Records Chrome sends in one flight fit easily; more means something is flooding us. */
    private static final int QUEUE = 64;
    static final int MTU = 1200;

    /** Wakes a handshake blocked in {@link #receive} when the transport closes. */
    private static final byte[] CLOSED = new byte[0];

    private final ArrayBlockingQueue<byte[]> incoming = new ArrayBlockingQueue<>(QUEUE);
    private final DatagramSender sender;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    QueuedDatagramTransport(DatagramSender sender) {
        this.sender = sender;
    }

    /** Called by the receive thread; copies the record. */
    void offer(byte[] buf, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        if (!incoming.offer(copy)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    @Override
    public int getReceiveLimit() {
        return 1500;
    }

    @Override
    public int getSendLimit() {
        return MTU - 28; // IPv4 + UDP headers
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        byte[] record;
        try {
            record = incoming.poll(Math.max(waitMillis, 0), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (record == CLOSED || closed) {
            throw new IOException("DTLS transport closed");
        }
        if (record == null) {
            return -1;
        }
        int n = Math.min(len, record.length);
        System.arraycopy(record, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        sender.send(buf, off, len);
    }

    @Override
    public void close() {
        closed = true;
        incoming.clear();
        incoming.offer(CLOSED);
    }
}
