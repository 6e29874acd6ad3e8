package org.duet.mixer.webrtc.dtls;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.duet.mixer.webrtc.sdp.Fingerprint;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;

/**
 * One DTLS-SRTP association (RFC 5764): runs the bctls handshake in either role on its own
 * thread, authenticates the peer by its SDP fingerprint, exports the SRTP keys and then watches
 * for the peer's close_notify. Records come in through {@link #receive}; nothing here touches
 * the socket directly.
 */
public final class DtlsEndpoint implements AutoCloseable {

    /** What the session learns from the handshake thread. */
    public interface Listener {
        void onConnected(SrtpKeys keys);

        void onFailed(String reason);

        void onClosedByPeer();
    }

    public enum State { NEW, HANDSHAKING, CONNECTED, FAILED, CLOSED }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** DTLS record content type of an alert. */
    private static final byte ALERT = 21;

    private final String name;
    private final DtlsCertificate certificate;
    private final PeerCertificateCheck peerCheck;
    private final boolean client;
    private final List<SrtpProfile> profiles;
    private final int handshakeTimeoutMillis;
    private final QueuedDatagramTransport transport;
    private final Listener listener;
    private final long lingerNanos;
    private volatile State state = State.NEW;
    private volatile String failure;
    private volatile boolean peerClosed;
    private volatile boolean lingering = true;
    private volatile DTLSTransport dtls;
    private Thread thread;

    /**
     * @param client true when Duet answered {@code a=setup:active} and so starts the handshake
     */
    public DtlsEndpoint(String name, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints,
                        boolean client, List<SrtpProfile> profiles, int handshakeTimeoutMillis,
                        DatagramSender sender, Listener listener) {
        this(name, certificate, remoteFingerprints, client, profiles, handshakeTimeoutMillis,
                java.time.Duration.ofSeconds(10), sender, listener);
    }

    /**
     * @param linger how long the handshake thread keeps answering retransmitted flights after the
     *               handshake before it ends
     */
    public DtlsEndpoint(String name, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints,
                        boolean client, List<SrtpProfile> profiles, int handshakeTimeoutMillis,
                        java.time.Duration linger, DatagramSender sender, Listener listener) {
        this.lingerNanos = linger.toNanos();
        this.name = name;
        this.certificate = certificate;
        this.peerCheck = new PeerCertificateCheck(remoteFingerprints);
        this.client = client;
        this.profiles = List.copyOf(profiles);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.transport = new QueuedDatagramTransport(sender);
        this.listener = listener;
    }

    /** Starts the handshake thread (once; later calls do nothing). */
    public synchronized void start() {
        if (thread != null || state != State.NEW) {
            return;
        }
        state = State.HANDSHAKING;
        thread = new Thread(this::run, "duet-dtls-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** A datagram demultiplexed as DTLS (first byte 20..63); copied. */
    public void receive(byte[] buf, int off, int len) {
        if (state == State.HANDSHAKING || (state == State.CONNECTED && lingering)) {
            transport.offer(buf, off, len);
        } else if (state == State.CONNECTED && len > 0 && buf[off] == ALERT) {
            // DTLS-SRTP has no application data and no renegotiation: after the handshake an alert
            // record (close_notify or a fatal one, encrypted so we cannot tell) ends the association.
            peerClosed();
        }
    }

    public boolean isClient() {
        return client;
    }

    public State state() {
        return state;
    }

    /** Why the handshake failed, null otherwise. */
    public String failure() {
        return failure;
    }

    /** DTLS records dropped because the handshake thread fell behind. */
    public long droppedRecords() {
        return transport.dropped();
    }

    private void run() {
        BcTlsCrypto crypto = new BcTlsCrypto(RANDOM);
        SrtpKeys keys;
        try {
            if (client) {
                DtlsClient peer = new DtlsClient(crypto, certificate, peerCheck, profiles, handshakeTimeoutMillis,
                        () -> peerClosed = true);
                dtls = new DTLSClientProtocol().connect(peer, transport);
                keys = peer.keys();
            } else {
                DtlsServer peer = new DtlsServer(crypto, certificate, peerCheck, profiles, handshakeTimeoutMillis,
                        () -> peerClosed = true);
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                // The address already passed an authenticated ICE check, so a cookie round trip adds nothing.
                protocol.setVerifyRequests(false);
                dtls = protocol.accept(peer, transport);
                keys = peer.keys();
            }
        } catch (IOException | RuntimeException e) {
            if (state == State.CLOSED) {
                return;
            }
            String reason = peerCheck.failure() != null ? peerCheck.failure()
                    : "DTLS handshake failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            failure = reason;
            state = State.FAILED;
            transport.close();
            listener.onFailed(reason);
            return;
        }
        if (state == State.CLOSED) {
            return;
        }
        state = State.CONNECTED;
        listener.onConnected(keys);
        // Linger a while: if our last flight was lost the peer retransmits its own, and bctls
        // answers it only while someone reads. Then the thread ends (one thread per session, not
        // two); later records are only looked at for an alert, see receive().
        byte[] buf = new byte[1500];
        long lingerEnd = System.nanoTime() + lingerNanos;
        while (state == State.CONNECTED && !peerClosed && System.nanoTime() < lingerEnd) {
            try {
                dtls.receive(buf, 0, buf.length, 200);
            } catch (IOException | RuntimeException e) {
                break;
            }
        }
        lingering = false;
        if (peerClosed) {
            peerClosed();
        }
    }

    private void peerClosed() {
        synchronized (this) {
            if (state != State.CONNECTED) {
                return;
            }
            state = State.CLOSED;
        }
        listener.onClosedByPeer();
    }

    @Override
    public void close() {
        State was = state;
        state = State.CLOSED;
        DTLSTransport t = dtls;
        if (was == State.CONNECTED && t != null) {
            try {
                t.close(); // sends close_notify
            } catch (IOException | RuntimeException ignored) {
                // closing anyway
            }
        }
        transport.close();
        Thread th;
        synchronized (this) {
            th = thread;
        }
        if (th != null && th != Thread.currentThread()) {
            try {
                th.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
