package org.duet.mixer.webrtc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.duet.mixer.format.DatagramLimits;
import org.duet.mixer.transport.PacketReceiver;
import org.duet.mixer.transport.PacketTransport;
import org.duet.mixer.webrtc.dtls.DtlsCertificate;
import org.duet.mixer.webrtc.dtls.DtlsEndpoint;
import org.duet.mixer.webrtc.ice.IceLiteResponder;
import org.duet.mixer.webrtc.sdp.Fingerprint;
import org.duet.mixer.webrtc.sdp.IceCredentials;
import org.duet.mixer.webrtc.srtp.PacketBuffer;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;
import org.duet.mixer.webrtc.srtp.SrtpResult;
import org.duet.mixer.webrtc.srtp.SrtpSession;

/**
 * A {@link PacketTransport} to one browser: one UDP socket carrying ICE-lite STUN, DTLS and
 * SRTP/SRTCP (demultiplexed per RFC 7983), with rtcp-mux and BUNDLE.
 *
 * <p>One receive thread per session reads the socket, answers STUN, hands DTLS records to the
 * handshake thread, and decrypts SRTP/SRTCP in place in one reusable buffer before calling the
 * {@link PacketReceiver}. {@link #sendRtp}/{@link #sendRtcp} encrypt into another reusable buffer
 * and send on the non-blocking socket: a full socket buffer drops (and counts) instead of blocking.
 * Media is accepted only from addresses that passed an authenticated ICE check, and only after
 * the DTLS handshake produced the SRTP keys.
 */
public final class WebRtcTransport implements PacketTransport {

    private static final java.util.function.Consumer<SelectionKey> IGNORE_KEY = key -> { };
    /** Addresses remembered as ICE-validated (browsers check a handful of pairs). */
    private static final int MAX_VALIDATED = 8;

    private final String name;
    private final WebRtcConfig config;
    private final DatagramChannel channel;
    private final Selector selector;
    private final InetSocketAddress localAddress;
    private final IceLiteResponder ice;
    private final DtlsEndpoint dtls;
    private final Thread receiveThread;
    private final long createdNanos;

    // receive thread only
    private final PacketBuffer rx = new PacketBuffer(4096);
    private final ByteBuffer rxBytes = ByteBuffer.wrap(rx.getBuffer());
    private final byte[] stunOut = new byte[512];
    private final int[] stunOutLength = new int[1];
    private final InetSocketAddress[] validated = new InetSocketAddress[MAX_VALIDATED];
    private int validatedCount;
    private int validatedNext;

    // sending threads, under sendLock
    private final Object sendLock = new Object();
    private final PacketBuffer tx = new PacketBuffer(DatagramLimits.MAX_DATAGRAM + SrtpSession.MAX_TRAILER + 64);
    private final ByteBuffer txBytes = ByteBuffer.wrap(tx.getBuffer());

    private volatile PacketReceiver receiver;
    private volatile SrtpSession srtp;
    private volatile InetSocketAddress selected;
    private volatile InetSocketAddress dtlsPeer;
    private volatile long lastConsentNanos;
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile WebRtcState state = WebRtcState.NEW;
    private volatile String failure;
    private final List<Consumer<WebRtcState>> stateListeners = new CopyOnWriteArrayList<>();

    private final AtomicLong rtpIn = new AtomicLong();
    private final AtomicLong rtcpIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong rtpOut = new AtomicLong();
    private final AtomicLong rtcpOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong garbage = new AtomicLong();
    private final AtomicLong unknownSource = new AtomicLong();
    private final AtomicLong notReady = new AtomicLong();
    private final AtomicLong sendDropped = new AtomicLong();

    WebRtcTransport(String name, WebRtcConfig config, DatagramChannel channel, IceCredentials localIce,
                    IceCredentials remoteIce, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints,
                    boolean dtlsClient, List<SrtpProfile> profiles) throws IOException {
        this.name = name;
        this.config = config;
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.ice = new IceLiteResponder(localIce, remoteIce);
        this.dtls = new DtlsEndpoint(name, certificate, remoteFingerprints, dtlsClient, profiles,
                (int) config.dtlsHandshakeTimeout().toMillis(), config.dtlsLinger(), this::sendDtls, new DtlsListener());
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        this.createdNanos = System.nanoTime();
        this.receiveThread = new Thread(this::receiveLoop, "duet-webrtc-rx-" + name);
        this.receiveThread.setDaemon(true);
        this.receiveThread.setPriority(Thread.MAX_PRIORITY);
    }

    void start() {
        receiveThread.start();
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public WebRtcState state() {
        return state;
    }

    @Override
    public boolean isConnected() {
        return state == WebRtcState.CONNECTED;
    }

    /** Why the connection failed; null unless {@link #state()} is FAILED. */
    public String failure() {
        return failure;
    }

    void addStateListener(Consumer<WebRtcState> listener) {
        stateListeners.add(listener);
    }

    @Override
    public void setReceiver(PacketReceiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        send(buf, off, len, false);
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        send(buf, off, len, true);
    }

    private void send(byte[] buf, int off, int len, boolean rtcp) {
        SrtpSession s = srtp;
        InetSocketAddress to = selected != null ? selected : dtlsPeer;
        if (s == null || to == null || !running || state.isFinal()) {
            notReady.incrementAndGet(); // also once consent is lost: no media to a peer that stopped agreeing
            return;
        }
        synchronized (sendLock) {
            if (len > DatagramLimits.MAX_DATAGRAM - SrtpSession.MAX_TRAILER || !tx.copyFrom(buf, off, len, SrtpSession.MAX_TRAILER)) {
                sendDropped.incrementAndGet();
                return;
            }
            SrtpResult r = rtcp ? s.protectRtcp(tx) : s.protectRtp(tx);
            if (r != SrtpResult.OK || tx.getBuffer() != txBytes.array()) {
                sendDropped.incrementAndGet();
                return;
            }
            txBytes.clear();
            txBytes.position(tx.getOffset()).limit(tx.getOffset() + tx.getLength());
            try {
                int n = channel.send(txBytes, to);
                if (n == 0) {
                    sendDropped.incrementAndGet();
                    return;
                }
                bytesOut.addAndGet(n);
                (rtcp ? rtcpOut : rtpOut).incrementAndGet();
            } catch (IOException e) {
                sendDropped.incrementAndGet();
            }
        }
    }

    private void sendDtls(byte[] buf, int off, int len) {
        InetSocketAddress to = dtlsPeer != null ? dtlsPeer : selected;
        if (to == null || !running) {
            return; // bctls retransmits once ICE has found the browser
        }
        try {
            channel.send(ByteBuffer.wrap(buf, off, len), to);
        } catch (IOException e) {
            // DTLS retransmission covers a lost flight
        }
    }

    private void receiveLoop() {
        while (running) {
            try {
                // the action form of select does not add to the selected-key set (a HashSet node per wake-up)
                selector.select(IGNORE_KEY, 200);
                for (int i = 0; i < 256 && running; i++) { // bounded: timers below run at least every 256 datagrams
                    rxBytes.clear();
                    SocketAddress from = channel.receive(rxBytes);
                    if (from == null) {
                        break;
                    }
                    long arrival = System.nanoTime();
                    int len = rxBytes.position();
                    bytesIn.addAndGet(len);
                    handle((InetSocketAddress) from, len, arrival);
                }
                checkTimers(System.nanoTime());
                if (state.isFinal()) {
                    // failed (consent lost, DTLS error) or closed by the browser: free the socket,
                    // this thread and the SRTP state at once instead of waiting for signaling
                    close();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                if (running) {
                    fail("socket error: " + e);
                    close();
                    return;
                }
            }
        }
    }

    private void handle(InetSocketAddress from, int len, long arrival) {
        byte[] b = rx.getBuffer();
        if (len > DatagramLimits.MAX_DATAGRAM) {
            garbage.incrementAndGet();
            return;
        }
        switch (DatagramKind.of(b, 0, len)) {
            case STUN -> handleStun(from, len, arrival);
            case DTLS -> {
                if (!isValidated(from)) {
                    unknownSource.incrementAndGet();
                    return;
                }
                dtlsPeer = from;
                dtls.receive(b, 0, len);
            }
            case RTP -> handleMedia(from, len, false, arrival);
            case RTCP -> handleMedia(from, len, true, arrival);
            default -> garbage.incrementAndGet();
        }
    }

    private void handleStun(InetSocketAddress from, int len, long arrival) {
        IceLiteResponder.Outcome outcome = ice.handle(rx.getBuffer(), 0, len, from, stunOut, stunOutLength);
        if (outcome != IceLiteResponder.Outcome.RESPONDED && outcome != IceLiteResponder.Outcome.NOMINATED) {
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(stunOut, 0, stunOutLength[0]), from);
        } catch (IOException e) {
            // the browser retransmits its check
        }
        addValidated(from);
        if (outcome == IceLiteResponder.Outcome.NOMINATED) {
            selected = from;
        }
        if (dtlsPeer == null && dtls.isClient()) {
            dtlsPeer = from;
        }
        // Consent (RFC 7675) is for the path media uses: the nominated address, or before (or
        // without) a nomination the address DTLS runs on. A browser may connect and keep checking
        // without ever sending USE-CANDIDATE.
        InetSocketAddress mediaPath = selected != null ? selected : dtlsPeer;
        if (mediaPath == null || from.equals(mediaPath)) {
            lastConsentNanos = arrival;
        }
        if (state == WebRtcState.NEW) {
            lastConsentNanos = arrival;
            setState(WebRtcState.CONNECTING);
        }
        // Either role starts on the first authenticated check, as browsers do once a pair is
        // writable: as server the thread waits for the ClientHello, as client it sends one.
        dtls.start();
    }

    private void handleMedia(InetSocketAddress from, int len, boolean rtcp, long arrival) {
        SrtpSession s = srtp;
        if (s == null) {
            notReady.incrementAndGet();
            return;
        }
        if (!isValidated(from)) {
            unknownSource.incrementAndGet();
            return;
        }
        rx.set(0, len);
        SrtpResult r = rtcp ? s.unprotectRtcp(rx) : s.unprotectRtp(rx);
        if (r != SrtpResult.OK) {
            return; // counted by the SRTP session
        }
        (rtcp ? rtcpIn : rtpIn).incrementAndGet();
        PacketReceiver pr = receiver;
        if (pr != null) {
            pr.onPacket(rx.getBuffer(), rx.getOffset(), rx.getLength(), rtcp, arrival);
        }
    }

    private void checkTimers(long now) {
        WebRtcState st = state;
        if (st == WebRtcState.NEW && now - createdNanos > config.iceTimeout().toNanos()) {
            fail("ICE: no authenticated connectivity check from the browser within "
                    + config.iceTimeout().toSeconds() + " s (is the candidate " + localAddress + " reachable?)");
        } else if ((st == WebRtcState.CONNECTING || st == WebRtcState.CONNECTED)
                && now - lastConsentNanos > config.consentTimeout().toNanos()) {
            fail("ICE consent expired: no STUN check from the browser for " + config.consentTimeout().toSeconds() + " s");
        }
    }

    private boolean isValidated(InetSocketAddress from) {
        for (int i = 0; i < validatedCount; i++) {
            if (validated[i].equals(from)) {
                return true;
            }
        }
        return false;
    }

    private void addValidated(InetSocketAddress from) {
        if (isValidated(from)) {
            return;
        }
        validated[validatedNext] = from;
        validatedNext = (validatedNext + 1) % MAX_VALIDATED;
        validatedCount = Math.min(validatedCount + 1, MAX_VALIDATED);
    }

    private void fail(String reason) {
        synchronized (this) {
            if (state.isFinal()) {
                return;
            }
            failure = reason;
        }
        setState(WebRtcState.FAILED);
    }

    private void setState(WebRtcState next) {
        synchronized (this) {
            if (state.isFinal() || state == next || next.ordinal() < state.ordinal()) {
                return;
            }
            state = next;
        }
        for (Consumer<WebRtcState> l : stateListeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                // a listener's bug must not kill the receive or handshake thread
            }
        }
    }

    long consentAgeMillis() {
        long consent = lastConsentNanos;
        return consent == 0 ? -1 : (System.nanoTime() - consent) / 1_000_000;
    }

    /** True once the receive thread has ended and the socket is closed. */
    boolean released() {
        return closed.get() && !receiveThread.isAlive() && !channel.isOpen();
    }

    WebRtcStats stats() {
        SrtpSession s = srtp;
        InetSocketAddress sel = selected;
        long consent = lastConsentNanos;
        return new WebRtcStats(state, failure, dtls.state().name(), dtls.isClient() ? "client" : "server",
                s == null ? null : s.profile().name(),
                sel == null ? null : "udp " + hostPort(localAddress) + " -> " + hostPort(sel),
                rtpIn.get(), rtcpIn.get(), bytesIn.get(), rtpOut.get(), rtcpOut.get(), bytesOut.get(),
                s == null ? 0 : s.authFailures(), s == null ? 0 : s.replays(), s == null ? 0 : s.invalid(),
                ice.requests(), ice.rejected(), garbage.get(), unknownSource.get(), notReady.get(),
                sendDropped.get(), consent == 0 ? -1 : (System.nanoTime() - consent) / 1_000_000, Double.NaN);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public String describe() {
        InetSocketAddress sel = selected;
        return "webrtc " + hostPort(localAddress) + (sel == null ? "" : " <-> " + hostPort(sel));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        dtls.close(); // sends close_notify while the socket is still open
        running = false;
        setState(WebRtcState.CLOSED);
        selector.wakeup();
        if (Thread.currentThread() != receiveThread) {
            try {
                receiveThread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            selector.close();
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        SrtpSession s = srtp;
        if (s != null) {
            synchronized (sendLock) {
                s.close();
            }
        }
    }

    private final class DtlsListener implements DtlsEndpoint.Listener {
        @Override
        public void onConnected(SrtpKeys keys) {
            srtp = new SrtpSession(keys);
            setState(WebRtcState.CONNECTED);
        }

        @Override
        public void onFailed(String reason) {
            fail(reason);
        }

        @Override
        public void onClosedByPeer() {
            setState(WebRtcState.CLOSED);
        }
    }
}
