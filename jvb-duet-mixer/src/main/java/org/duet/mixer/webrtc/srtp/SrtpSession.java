package org.duet.mixer.webrtc.srtp;

import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicLong;
import org.jitsi.srtp.BaseSrtpCryptoContext;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP for one DTLS-SRTP association, with jitsi-srtp doing the cryptography. Packets are
 * transformed in place in a {@link PacketBuffer}. Crypto contexts are kept per SSRC in small arrays
 * (no maps, no boxing on the packet path), at most {@link #MAX_SSRCS} per direction.
 *
 * <p>Threading: the protect methods are called by one sending thread, the unprotect methods by one
 * receiving thread; the two directions share nothing.
 */
public final class SrtpSession implements AutoCloseable {

    /** SSRCs per direction; a browser sends one audio SSRC, Duet one per output. */
    public static final int MAX_SSRCS = 16;
    /** Largest SRTP/SRTCP trailer: 16-byte GCM tag or 10-byte HMAC, plus the 4-byte SRTCP index. */
    public static final int MAX_TRAILER = 16 + 4;

    private static final Logger LOGGER = new LoggerImpl(SrtpSession.class.getName());

    private final SrtpProfile profile;
    private final SrtpContextFactory sendFactory;
    private final SrtpContextFactory receiveFactory;
    private final ContextTable<SrtpCryptoContext> sendRtp = new ContextTable<>();
    private final ContextTable<SrtcpCryptoContext> sendRtcp = new ContextTable<>();
    private final ContextTable<SrtpCryptoContext> receiveRtp = new ContextTable<>();
    private final ContextTable<SrtcpCryptoContext> receiveRtcp = new ContextTable<>();

    private final AtomicLong authFailures = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();

    public SrtpSession(SrtpKeys keys) {
        this.profile = keys.profile();
        this.sendFactory = new SrtpContextFactory(true, keys.localKey(), keys.localSalt(),
                keys.profile().policy(), keys.profile().policy(), LOGGER);
        this.receiveFactory = new SrtpContextFactory(false, keys.remoteKey(), keys.remoteSalt(),
                keys.profile().policy(), keys.profile().policy(), LOGGER);
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Encrypts and authenticates the RTP packet in {@code p}, growing it by the tag. */
    public SrtpResult protectRtp(PacketBuffer p) {
        if (p.getLength() < 12) {
            return SrtpResult.INVALID;
        }
        try {
            SrtpCryptoContext c = sendRtp.get(ssrc(p, 8));
            if (c == null) {
                c = sendRtp.put(ssrc(p, 8), sendFactory.deriveContext(ssrc(p, 8), 0));
                if (c == null) {
                    return SrtpResult.INVALID;
                }
            }
            return map(c.transformPacket(p), false);
        } catch (GeneralSecurityException | RuntimeException e) {
            return SrtpResult.INVALID;
        }
    }

    /** Encrypts and authenticates the RTCP packet in {@code p}, appending index and tag. */
    public SrtpResult protectRtcp(PacketBuffer p) {
        if (p.getLength() < 8) {
            return SrtpResult.INVALID;
        }
        try {
            SrtcpCryptoContext c = sendRtcp.get(ssrc(p, 4));
            if (c == null) {
                c = sendRtcp.put(ssrc(p, 4), sendFactory.deriveControlContext(ssrc(p, 4)));
                if (c == null) {
                    return SrtpResult.INVALID;
                }
            }
            return map(c.transformPacket(p), false);
        } catch (GeneralSecurityException | RuntimeException e) {
            return SrtpResult.INVALID;
        }
    }

    /** Verifies and decrypts the SRTP packet in {@code p}; counts failures. */
    public SrtpResult unprotectRtp(PacketBuffer p) {
        if (p.getLength() < 12 + 4) {
            invalid.incrementAndGet();
            return SrtpResult.INVALID;
        }
        try {
            int ssrc = ssrc(p, 8);
            SrtpCryptoContext c = receiveRtp.get(ssrc);
            if (c == null) {
                // A context joins the table only once a packet on it authenticates, so garbage with
                // random SSRCs cannot fill the table and lock the real stream out.
                c = receiveFactory.deriveContext(ssrc, 0);
                SrtpResult r = map(c.reverseTransformPacket(p, false), true);
                if (r == SrtpResult.OK && receiveRtp.put(ssrc, c) == null) {
                    invalid.incrementAndGet();
                    return SrtpResult.INVALID;
                }
                return r;
            }
            return map(c.reverseTransformPacket(p, false), true);
        } catch (GeneralSecurityException | RuntimeException e) {
            invalid.incrementAndGet();
            return SrtpResult.INVALID;
        }
    }

    /** Verifies and decrypts the SRTCP packet in {@code p}; counts failures. */
    public SrtpResult unprotectRtcp(PacketBuffer p) {
        if (p.getLength() < 8 + 4 + 10) {
            invalid.incrementAndGet();
            return SrtpResult.INVALID;
        }
        try {
            int ssrc = ssrc(p, 4);
            SrtcpCryptoContext c = receiveRtcp.get(ssrc);
            if (c == null) {
                c = receiveFactory.deriveControlContext(ssrc);
                SrtpResult r = map(c.reverseTransformPacket(p), true);
                if (r == SrtpResult.OK && receiveRtcp.put(ssrc, c) == null) {
                    invalid.incrementAndGet();
                    return SrtpResult.INVALID;
                }
                return r;
            }
            return map(c.reverseTransformPacket(p), true);
        } catch (GeneralSecurityException | RuntimeException e) {
            invalid.incrementAndGet();
            return SrtpResult.INVALID;
        }
    }

    /** Received packets whose authentication failed. */
    public long authFailures() {
        return authFailures.get();
    }

    /** Received packets dropped as replays (duplicates or too old). */
    public long replays() {
        return replays.get();
    }

    /** Received packets dropped as malformed or over the SSRC limit. */
    public long invalid() {
        return invalid.get();
    }

    @Override
    public void close() {
        sendFactory.close();
        receiveFactory.close();
    }

    private SrtpResult map(SrtpErrorStatus status, boolean count) {
        switch (status) {
            case OK:
                return SrtpResult.OK;
            case AUTH_FAIL:
                if (count) {
                    authFailures.incrementAndGet();
                }
                return SrtpResult.AUTH_FAILED;
            case REPLAY_FAIL:
            case REPLAY_OLD:
                if (count) {
                    replays.incrementAndGet();
                }
                return SrtpResult.REPLAYED;
            default:
                if (count) {
                    invalid.incrementAndGet();
                }
                return SrtpResult.INVALID;
        }
    }

    private static int ssrc(PacketBuffer p, int at) {
        byte[] b = p.getBuffer();
        int o = p.getOffset() + at;
        return ((b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }

    /** SSRC to context, linear search over at most {@link #MAX_SSRCS} entries. */
    private static final class ContextTable<C extends BaseSrtpCryptoContext> {
        private final int[] ssrcs = new int[MAX_SSRCS];
        private final Object[] contexts = new Object[MAX_SSRCS];
        private int size;

        @SuppressWarnings("unchecked")
        C get(int ssrc) {
            for (int i = 0; i < size; i++) {
                if (ssrcs[i] == ssrc) {
                    return (C) contexts[i];
                }
            }
            return null;
        }

        /** Adds a context; null when the table is full. */
        C put(int ssrc, C context) {
            if (size == MAX_SSRCS) {
                return null;
            }
            ssrcs[size] = ssrc;
            contexts[size] = context;
            size++;
            return context;
        }
    }
}
