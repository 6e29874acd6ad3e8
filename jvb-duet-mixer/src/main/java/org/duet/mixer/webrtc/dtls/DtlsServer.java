package org.duet.mixer.webrtc.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.List;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;

/** Duet as DTLS 1.2 server ({@code a=setup:passive}): requires the browser's certificate, negotiates use_srtp. */
final class DtlsServer extends DefaultTlsServer {

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final PeerCertificateCheck peerCheck;
    private final List<SrtpProfile> profiles;
    private final int handshakeTimeoutMillis;
    private final Runnable onCloseNotify;
    private SrtpProfile chosen;
    private volatile SrtpKeys keys;

    DtlsServer(BcTlsCrypto crypto, DtlsCertificate certificate, PeerCertificateCheck peerCheck,
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
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return certificate.signer(context, crypto);
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
    public CertificateRequest getCertificateRequest() {
        // WebRTC authenticates both ends: the browser must present the certificate its SDP fingerprints.
        short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
        return new CertificateRequest(types, TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        peerCheck.verify(clientCertificate);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        chosen = SrtpProfileNegotiation.choose(clientExtensions, profiles);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        if (extensions == null) {
            extensions = new Hashtable();
        }
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {chosen.id()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                2 * (chosen.keyLength() + chosen.saltLength()));
        keys = SrtpKeys.fromExporter(chosen, material, false);
    }
}
