package org.duet.bench.fuzz;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.duet.mixer.webrtc.ice.IceLiteResponder;
import org.duet.mixer.webrtc.sdp.IceCredentials;

/**
 * STUN Binding requests through the ICE-lite responder of the WebRTC transport, signed here
 * independently (RFC 5389: HMAC-SHA1 MESSAGE-INTEGRITY with the short-term password, CRC-32
 * FINGERPRINT xor 0x5354554E). Accepted = answered; every other outcome is a counted refusal.
 */
final class StunTarget implements FuzzTarget {

    private static final IceCredentials LOCAL = new IceCredentials("duetUfrag", "duetPasswordOf24Chars+xy");
    private static final IceCredentials REMOTE = new IceCredentials("qROl", "tCTHbPiRQ0lpVUqOL+9RcGCu");
    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 50_000);

    private final IceLiteResponder responder = new IceLiteResponder(LOCAL, REMOTE);
    private final byte[] out = new byte[512];
    private final int[] outLength = new int[1];

    @Override
    public String name() {
        return "stun";
    }

    @Override
    public List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (int variant = 0; variant < 4; variant++) {
            seeds.add(request(variant));
        }
        return seeds;
    }

    @Override
    public List<byte[]> dictionary() {
        return List.of(new byte[] {0x00, 0x06}, new byte[] {0x00, 0x08, 0x00, 0x14}, new byte[] {(byte) 0x80, 0x28},
                new byte[] {0x00, 0x24}, new byte[] {0x00, 0x25, 0x00, 0x00}, new byte[] {(byte) 0x80, 0x2A},
                new byte[] {(byte) 0x80, 0x29}, new byte[] {0x21, 0x12, (byte) 0xA4, 0x42}, new byte[] {0x01, 0x01});
    }

    @Override
    public int maxLength() {
        return 600;
    }

    @Override
    public boolean run(byte[] b) {
        IceLiteResponder.Outcome o = responder.handle(b, 0, b.length, FROM, out, outLength);
        return o == IceLiteResponder.Outcome.RESPONDED || o == IceLiteResponder.Outcome.NOMINATED;
    }

    /** A Binding request: USERNAME, PRIORITY, ICE-CONTROLLING, optionally USE-CANDIDATE, then the integrity and FINGERPRINT. */
    private static byte[] request(int variant) {
        byte[] b = new byte[256];
        put(b, 0, 0x0001, 2);
        put(b, 4, 0x2112A442L, 4);
        for (int i = 8; i < 20; i++) {
            b[i] = (byte) (i * 7 + variant);
        }
        int p = 20;
        byte[] user = (LOCAL.ufrag() + ":" + REMOTE.ufrag()).getBytes(StandardCharsets.UTF_8);
        p = attribute(b, p, 0x0006, user);
        p = attribute(b, p, 0x0024, new byte[] {0x6E, 0x00, 0x1E, (byte) (0xFF - variant)});
        p = attribute(b, p, variant % 2 == 0 ? 0x802A : 0x8029, new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) variant});
        if (variant >= 2) {
            p = attribute(b, p, 0x0025, new byte[0]);
        }
        try {
            put(b, 2, p + 24 - 20, 2); // the length covers MESSAGE-INTEGRITY while it is computed
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(LOCAL.pwd().getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            mac.update(b, 0, p);
            p = attribute(b, p, 0x0008, mac.doFinal());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        put(b, 2, p + 8 - 20, 2);
        CRC32 crc = new CRC32();
        crc.update(b, 0, p);
        byte[] fp = new byte[4];
        put(fp, 0, crc.getValue() ^ 0x5354554EL, 4);
        p = attribute(b, p, 0x8028, fp);
        return java.util.Arrays.copyOf(b, p);
    }

    private static int attribute(byte[] b, int p, int type, byte[] value) {
        put(b, p, type, 2);
        put(b, p + 2, value.length, 2);
        System.arraycopy(value, 0, b, p + 4, value.length);
        return p + 4 + ((value.length + 3) & ~3);
    }

    private static void put(byte[] b, int at, long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            b[at + i] = (byte) (v >>> (8 * (bytes - 1 - i)));
        }
    }

    @Override
    public void close() {
    }
}
