package org.duet.mixer.webrtc.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.duet.mixer.webrtc.sdp.IceCredentials;

/**
 * The server side of ICE-lite (RFC 8445 section 2.5): Duet never sends checks; it answers the
 * browser's authenticated STUN Binding requests and takes the address whose request carries
 * USE-CANDIDATE as the selected pair (the browser is the controlling agent). ice4j decodes the
 * request (and checks its FINGERPRINT) and encodes the response; integrity is checked with the
 * short-term credentials from the SDP.
 *
 * <p>Used by one receive thread. STUN is rare once connected (a consent check every ~5 s), so the
 * allocations of ice4j's message objects do not matter.
 *
 * <p>The STUN message layout is drawn in {@code StunIntegrity}'s comment.
 */
public final class IceLiteResponder {

    /** What a datagram turned out to be. */
    public enum Outcome {
        /** An authenticated Binding request; a response was written. */
        RESPONDED,
        /** As RESPONDED, and it carried USE-CANDIDATE: its source is now the selected address. */
        NOMINATED,
        /** Not an acceptable check (malformed, wrong username, bad integrity); dropped and counted. */
        REJECTED,
        /** A well-formed STUN message we have nothing to do with (indication, response); dropped. */
        IGNORED
    }

    private static final int MAGIC_COOKIE = 0x2112A442;

    private final IceCredentials local;
    private final String expectedUsername;
    private final byte[] key;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile String lastRejection;

    public IceLiteResponder(IceCredentials local, IceCredentials remote) {
        this.local = local;
        this.expectedUsername = local.ufrag() + ":" + remote.ufrag();
        this.key = local.pwd().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Handles one datagram classified as STUN.
     *
     * @param out        where the response goes (at least 256 bytes)
     * @param outLength  {@code outLength[0]} receives the response length when the outcome is RESPONDED or NOMINATED
     */
    public Outcome handle(byte[] buf, int off, int len, InetSocketAddress from, byte[] out, int[] outLength) {
        if (len < StunIntegrity.HEADER || (len & 3) != 0 || (buf[off] & 0xC0) != 0
                || readInt(buf, off + 4) != MAGIC_COOKIE
                || (((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF)) + StunIntegrity.HEADER != len) {
            return reject("malformed STUN header");
        }
        int type = ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
        if (type != Message.BINDING_REQUEST) {
            return Outcome.IGNORED;
        }
        Message message;
        try {
            message = Message.decode(buf, off, len); // also verifies FINGERPRINT when present
        } catch (StunException | RuntimeException e) {
            return reject("undecodable STUN request: " + e.getMessage());
        }
        if (!(message instanceof Request request)) {
            return Outcome.IGNORED;
        }
        requests.incrementAndGet();
        if (!request.containsAttribute(Attribute.FINGERPRINT)) {
            return reject("Binding request without FINGERPRINT");
        }
        Attribute username = request.getAttribute(Attribute.USERNAME);
        if (!(username instanceof UsernameAttribute u)
                || !expectedUsername.equals(new String(u.getUsername(), StandardCharsets.UTF_8))) {
            return reject("Binding request with a wrong USERNAME");
        }
        if (!StunIntegrity.verify(buf, off, len, key)) {
            return reject("Binding request failed MESSAGE-INTEGRITY");
        }
        Response response = MessageFactory.createBindingResponse(request,
                new TransportAddress(from.getAddress(), from.getPort(), Transport.UDP));
        byte[] encoded;
        try {
            response.setTransactionID(request.getTransactionID());
            encoded = response.encode(null); // no content-dependent attributes: no StunStack needed
        } catch (StunException | RuntimeException e) {
            return reject("cannot encode the response: " + e.getMessage());
        }
        if (encoded.length + 32 > out.length) {
            return reject("response too large");
        }
        System.arraycopy(encoded, 0, out, 0, encoded.length);
        outLength[0] = StunIntegrity.sign(out, encoded.length, key);
        return request.containsAttribute(Attribute.USE_CANDIDATE) ? Outcome.NOMINATED : Outcome.RESPONDED;
    }

    public IceCredentials localCredentials() {
        return local;
    }

    /** Binding requests received (authenticated or not). */
    public long requests() {
        return requests.get();
    }

    /** STUN datagrams dropped as malformed or unauthenticated. */
    public long rejected() {
        return rejected.get();
    }

    /** The reason of the latest rejection, for logs; null if none. */
    public String lastRejection() {
        return lastRejection;
    }

    private Outcome reject(String why) {
        rejected.incrementAndGet();
        lastRejection = why;
        return Outcome.REJECTED;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
