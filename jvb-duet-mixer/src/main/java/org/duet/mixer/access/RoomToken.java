package org.duet.mixer.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

/**
 * Signed room tokens in the Jitsi style (JWT, RFC 7519), checked with Nimbus JOSE+JWT. A token
 * made by the site that embeds Duet says which room its holder may enter and as what:
 *
 * <pre>
 * header  {"alg":"HS256"}  or  {"alg":"RS256"}
 * claims  {"room":"duet" | "*",            required: the room (or any room)
 *          "role":"singer-a" | "singer" | "listener",   optional: what they may take (absent: any)
 *          "moderator":true,               optional, also context.user.moderator as Jitsi writes it
 *          "exp":1767225600,               required: seconds since the epoch
 *          "iss":"...", "aud":"..."}       checked when duet.access.jwt.issuer/audience are set
 * </pre>
 *
 * Only the algorithms with a configured key are accepted (never "none", never an HS256 token
 * checked with an RSA public key as the secret).
 */
public final class RoomToken {

    /** What a valid token allows. {@code role} is null when any role is allowed. */
    public record Claims(String room, String role, boolean moderator) {
        public boolean allowsRoom(String name) {
            return room.equals("*") || room.equals(name);
        }

        /** True when {@code wanted} (wire name) is allowed by the token's role claim. */
        public boolean allowsRole(String wanted) {
            return role == null || role.equals(wanted) || wanted.equals("listener")
                    || (role.equals("singer") && wanted.startsWith("singer-"));
        }
    }

    /** Why a token was refused. */
    public static final class InvalidToken extends Exception {
        InvalidToken(String message) {
            super(message, null, false, false);
        }
    }

    private final JWSVerifier hs256;
    private final JWSVerifier rs256;
    private final String issuer;
    private final String audience;

    public RoomToken(AccessSettings s) {
        try {
            this.hs256 = s.jwtHs256Secret().isEmpty() ? null
                    : new MACVerifier(s.jwtHs256Secret().getBytes(StandardCharsets.UTF_8));
            this.rs256 = s.jwtRs256PublicKeyPem().isEmpty() ? null : new RSASSAVerifier(rsaKey(s.jwtRs256PublicKeyPem()));
        } catch (JOSEException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("duet.access.jwt: the key is not usable: " + e.getMessage(), e);
        }
        this.issuer = s.jwtIssuer();
        this.audience = s.jwtAudience();
    }

    /** True when a key is configured, so tokens can be checked at all. */
    public boolean enabled() {
        return hs256 != null || rs256 != null;
    }

    public Claims verify(String token, long nowMillis) throws InvalidToken {
        if (!enabled()) {
            throw new InvalidToken("this server accepts no tokens (no duet.access.jwt key configured)");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidToken("the token is not a signed JWT");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWSVerifier verifier = JWSAlgorithm.HS256.equals(alg) ? hs256 : JWSAlgorithm.RS256.equals(alg) ? rs256 : null;
        try {
            if (verifier == null || !jwt.verify(verifier)) {
                throw new InvalidToken("the token's signature is not valid");
            }
        } catch (JOSEException e) {
            throw new InvalidToken("the token's signature is not valid");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.getTime() <= nowMillis) {
            throw new InvalidToken("the token has expired (or has no exp)");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() > nowMillis + 60_000) {
            throw new InvalidToken("the token is not valid yet");
        }
        if (!issuer.isEmpty() && !issuer.equals(claims.getIssuer())) {
            throw new InvalidToken("the token is from another issuer");
        }
        if (!audience.isEmpty() && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
            throw new InvalidToken("the token is for another audience");
        }
        Object room = claims.getClaim("room");
        if (!(room instanceof String r) || r.isEmpty()) {
            throw new InvalidToken("the token names no room");
        }
        Object role = claims.getClaim("role");
        if (role != null && !(role instanceof String)) {
            throw new InvalidToken("the token's role must be a string");
        }
        return new Claims(r, (String) role, isModerator(claims));
    }

    private static boolean isModerator(JWTClaimsSet claims) {
        if (Boolean.TRUE.equals(claims.getClaim("moderator"))) {
            return true;
        }
        // Jitsi's tokens: context.user.moderator = true (or "true")
        if (claims.getClaim("context") instanceof Map<?, ?> ctx && ctx.get("user") instanceof Map<?, ?> user) {
            Object m = user.get("moderator");
            return Boolean.TRUE.equals(m) || "true".equals(m);
        }
        return false;
    }

    private static RSAPublicKey rsaKey(String pem) throws java.security.GeneralSecurityException {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(b64);
        return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    }
}
