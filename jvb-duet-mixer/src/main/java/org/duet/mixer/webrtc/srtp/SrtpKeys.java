package org.duet.mixer.webrtc.srtp;

/**
 * Keys exported from the DTLS handshake (RFC 5764 section 4.2): the exporter output is
 * client key | server key | client salt | server salt; "local" is what Duet protects with.
 */
public record SrtpKeys(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {

    /** Splits the exporter output ({@code 2 * (keyLength + saltLength)} bytes). */
    public static SrtpKeys fromExporter(SrtpProfile profile, byte[] material, boolean weAreDtlsClient) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        if (material.length != 2 * (k + s)) {
            throw new IllegalArgumentException("keying material must be " + 2 * (k + s) + " bytes");
        }
        byte[] clientKey = slice(material, 0, k);
        byte[] serverKey = slice(material, k, k);
        byte[] clientSalt = slice(material, 2 * k, s);
        byte[] serverSalt = slice(material, 2 * k + s, s);
        return weAreDtlsClient
                ? new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt)
                : new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    private static byte[] slice(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, off, out, 0, len);
        return out;
    }

    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]";
    }
}
