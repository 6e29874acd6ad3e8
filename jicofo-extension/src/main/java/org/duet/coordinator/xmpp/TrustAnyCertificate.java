package org.duet.coordinator.xmpp;

import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * For {@code xmpp.disable-certificate-verification = true} only (as Jicofo's option of that name): accepts
 * the self-signed certificate a Debian-installed Prosody has on localhost. TLS still encrypts.
 */
final class TrustAnyCertificate implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // not a server
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // accepted on purpose, see the class comment
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
