package org.duet.mixer.webrtc.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.duet.mixer.webrtc.sdp.Fingerprint;

/**
 * Duet's self-signed DTLS identity: an ECDSA P-256 key and certificate generated at startup (as
 * browsers do; WebRTC authenticates the certificate by the fingerprint in the SDP, not by a CA).
 */
public final class DtlsCertificate {

    private final AsymmetricKeyParameter privateKey;
    private final byte[] der;
    private final Fingerprint fingerprint;

    private DtlsCertificate(AsymmetricKeyParameter privateKey, byte[] der) {
        this.privateKey = privateKey;
        this.der = der;
        this.fingerprint = Fingerprint.sha256Of(der);
    }

    /** A fresh key pair and a certificate valid from a day ago for {@code validity}. */
    public static DtlsCertificate generate(Duration validity) {
        SecureRandom random = new SecureRandom();
        X9ECParameters p256 = ECNamedCurveTable.getByName("P-256");
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(
                new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, p256), random));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        try {
            X500Name name = new X500Name("CN=duet-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE));
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name,
                    new BigInteger(63, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(validity)), name,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pair.getPublic()));
            AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
            byte[] der = builder.build(new BcECContentSignerBuilder(signature, digest).build(pair.getPrivate()))
                    .getEncoded();
            return new DtlsCertificate(pair.getPrivate(), der);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the DTLS certificate", e);
        }
    }

    public Fingerprint fingerprint() {
        return fingerprint;
    }

    public byte[] der() {
        return der.clone();
    }

    Certificate tlsCertificate(BcTlsCrypto crypto) throws IOException {
        return new Certificate(new TlsCertificate[] {crypto.createCertificate(der)});
    }

    TlsCredentialedSigner signer(TlsContext context, BcTlsCrypto crypto) throws IOException {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey,
                tlsCertificate(crypto), SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
}
