package org.duet.mixer.webrtc.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.List;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;

/** Duet as DTLS 1.2 client ({@code a=setup:active}): offers use_srtp, authenticates the browser by fingerprint. */
final class DtlsClient extends DefaultTlsClient {

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final PeerCertificateCheck peerCheck;
    private final List<SrtpProfile> profiles;
    private final int handshakeTimeoutMillis;
    private final Runnable onCloseNotify;
    private SrtpProfile chosen;
    private volatile SrtpKeys keys;

    DtlsClient(BcTlsCrypto crypto, DtlsCertificate certificate, PeerCertificateCheck peerCheck,
               List<SrtpProfile> profiles, int handshakeTimeoutMillis, Runnable onCloseNotify) {
        super(crypto);
        this.crypto = crypto;
        this.certificate = certificate;
        this.peerCheck = peerCheck;
        this.profiles = profiles;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.onCloseNotify = onCloseNotify;
    }

    SrtpKeys keys() {
        return keys;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return DtlsCipherSuites.SUITES.clone();
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        if (alertDescription == org.bouncycastle.tls.AlertDescription.close_notify) {
            onCloseNotify.run();
        }
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = super.getClientExtensions();
        if (extensions == null) {
            extensions = new Hashtable();
        }
        TlsSRTPUtils.addUseSRTPExtension(extensions, SrtpProfileNegotiation.offer(profiles));
        return extensions;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        chosen = SrtpProfileNegotiation.accepted(serverExtensions, profiles);
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                peerCheck.verify(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                return certificate.signer(context, crypto);
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                2 * (chosen.keyLength() + chosen.saltLength()));
        keys = SrtpKeys.fromExporter(chosen, material, true);
    }
}
