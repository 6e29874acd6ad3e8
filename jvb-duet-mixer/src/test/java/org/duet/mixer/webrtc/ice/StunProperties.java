package org.duet.mixer.webrtc.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.duet.mixer.webrtc.sdp.IceCredentials;

/**
 * The ICE-lite STUN responder on hostile input: random datagrams and valid, signed Binding
 * requests with bytes flipped, cut or grown. It must never throw, never answer anything it cannot
 * authenticate, and answer the untouched request.
 */
class StunProperties {

    private static final IceCredentials LOCAL = new IceCredentials("duetUfrag", "duetPasswordOf24Chars+xy");
    private static final IceCredentials REMOTE = new IceCredentials("qROl", "tCTHbPiRQ0lpVUqOL+9RcGCu");
    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 50000);

    @Property(tries = 3000)
    void randomBytesAreNeverAnsweredAndNeverThrow(@ForAll @Size(max = 600) byte[] datagram) {
        IceLiteResponder r = new IceLiteResponder(LOCAL, REMOTE);
        byte[] out = new byte[512];
        IceLiteResponder.Outcome o = r.handle(datagram, 0, datagram.length, FROM, out, new int[1]);
        assertThat(o).isNotIn(IceLiteResponder.Outcome.RESPONDED, IceLiteResponder.Outcome.NOMINATED);
    }

    @Property(tries = 3000)
    void aDamagedSignedRequestIsNeverAnswered(@ForAll("damage") int[] edit) {
        byte[] request = signedRequest();
        byte[] d;
        int kind = edit[0];
        int at = Math.floorMod(edit[1], request.length);
        if (kind == 0) { // flip bits in one byte
            d = request.clone();
            d[at] ^= (byte) (edit[2] | 1);
        } else if (kind == 1) { // cut
            d = Arrays.copyOf(request, at);
        } else { // grow with junk
            d = Arrays.copyOf(request, request.length + 4 + (edit[2] & 0x3C));
            Arrays.fill(d, request.length, d.length, (byte) edit[2]);
        }
        IceLiteResponder r = new IceLiteResponder(LOCAL, REMOTE);
        IceLiteResponder.Outcome o = r.handle(d, 0, d.length, FROM, new byte[512], new int[1]);
        assertThat(o).isNotIn(IceLiteResponder.Outcome.RESPONDED, IceLiteResponder.Outcome.NOMINATED);
    }

    @Property(tries = 10)
    void theUntouchedRequestIsAnswered(@ForAll @Size(max = 0) byte[] nothing) {
        byte[] request = signedRequest();
        IceLiteResponder.Outcome o = new IceLiteResponder(LOCAL, REMOTE)
                .handle(request, 0, request.length, FROM, new byte[512], new int[1]);
        assertThat(o).isIn(IceLiteResponder.Outcome.RESPONDED, IceLiteResponder.Outcome.NOMINATED);
    }

    @Provide
    Arbitrary<int[]> damage() {
        return Arbitraries.integers().between(0, 2).flatMap(kind -> Arbitraries.integers().between(0, 10_000)
                .flatMap(at -> Arbitraries.integers().between(1, 255).map(v -> new int[] {kind, at, v})));
    }

    /** A Binding request with USERNAME, PRIORITY, ICE-CONTROLLING, MESSAGE-INTEGRITY and FINGERPRINT. */
    static byte[] signedRequest() {
        byte[] user = (LOCAL.ufrag() + ":" + REMOTE.ufrag()).getBytes(StandardCharsets.UTF_8);
        int userPadded = (user.length + 3) & ~3;
        byte[] b = new byte[20 + 4 + userPadded + 8 + 12 + 24 + 8];
        put16(b, 0, 0x0001);
        put32(b, 4, 0x2112A442);
        for (int i = 8; i < 20; i++) {
            b[i] = (byte) (i * 7);
        }
        int p = 20;
        put16(b, p, 0x0006);
        put16(b, p + 2, user.length);
        System.arraycopy(user, 0, b, p + 4, user.length);
        p += 4 + userPadded;
        put16(b, p, 0x0024);
        put16(b, p + 2, 4);
        put32(b, p + 4, 1845501695);
        p += 8;
        put16(b, p, 0x802A);
        put16(b, p + 2, 8);
        p += 12;
        int len = StunIntegrity.sign(b, p, LOCAL.pwd().getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(b, len);
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, int v) {
        put16(b, at, v >>> 16);
        put16(b, at + 2, v);
    }
}
