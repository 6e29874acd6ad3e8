package org.duet.mixer.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.web.StandaloneServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may sing, against the real server with invite-only rooms (what a server reachable from a
 * network runs): before, anyone who reached the port could listen to any room and take a free
 * singer role.
 */
class AccessTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-hs256-test-secret";

    private DuetMixer mixer;
    private StandaloneServer server;

    private URI start(String hocon) {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\nduet.access.open-rooms = false\n"
                + "duet.access.jwt.hs256-secret = \"" + SECRET + "\"\n" + hocon);
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer, null);
        return server.uri();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (mixer != null) {
            mixer.close();
        }
    }

    @Test
    void theCreatorIsModeratorAndOthersNeedTheRightInvite() throws Exception {
        URI uri = start("");
        try (WsClient creator = WsClient.connect(uri); WsClient stranger = WsClient.connect(uri);
             WsClient listener = WsClient.connect(uri); WsClient singer = WsClient.connect(uri)) {
            JsonNode joined = creator.join("duet", "singer-a", "Ana");
            assertThat(joined.path("moderator").asBoolean()).isTrue();
            String singerInvite = joined.path("invites").path("singer").asText();
            String listenerInvite = joined.path("invites").path("listener").asText();
            assertThat(singerInvite).hasSizeGreaterThanOrEqualTo(20).isNotEqualTo(listenerInvite);

            assertThat(stranger.join("duet", "listener", "eve").path("code").asText()).isEqualTo("forbidden");
            assertThat(stranger.join("duet", "singer-b", "eve").path("code").asText()).isEqualTo("forbidden");
            stranger.send(join("duet", "singer-b", "invite", "wrong-invite-wrong-invite"));
            assertThat(stranger.next("joined", "error").path("code").asText()).isEqualTo("forbidden");

            listener.send(join("duet", "singer-b", "invite", listenerInvite));
            assertThat(listener.next("joined", "error").path("code").asText()).as("a listener link cannot sing")
                    .isEqualTo("forbidden");
            listener.send(join("duet", "listener", "invite", listenerInvite));
            JsonNode l = listener.next("joined", "error");
            assertThat(l.path("type").asText()).isEqualTo("joined");
            assertThat(l.path("moderator").asBoolean()).isFalse();
            assertThat(l.has("invites")).as("only moderators see the invites").isFalse();

            singer.send(join("duet", "singer-b", "invite", singerInvite));
            JsonNode s = singer.next("joined", "error");
            assertThat(s.path("type").asText()).isEqualTo("joined");

            // only the moderator revokes; the revoked singer is told and the role is free
            listener.send("{\"type\":\"revoke\",\"participantId\":\"" + s.path("participantId").asText() + "\"}");
            assertThat(listener.next("error").path("code").asText()).isEqualTo("forbidden");
            creator.send("{\"type\":\"revoke\",\"participantId\":\"" + s.path("participantId").asText() + "\"}");
            assertThat(singer.next("error").path("code").asText()).isEqualTo("removed");
            assertThat(server.signaling().directory().roster("duet")).hasSize(2);

            // assign: the listener is handed the singer invite and can take singer-b with it
            creator.send("{\"type\":\"assign\",\"participantId\":\"" + l.path("participantId").asText()
                    + "\",\"role\":\"singer-b\"}");
            JsonNode assigned = listener.next("assigned");
            assertThat(assigned.path("role").asText()).isEqualTo("singer-b");
            assertThat(assigned.path("invite").asText()).isEqualTo(singerInvite);
        }
    }

    @Test
    void signedTokensAdmitToTheirRoomAndRoleOnly() throws Exception {
        URI uri = start("");
        long in1h = System.currentTimeMillis() + 3_600_000;
        try (WsClient c = WsClient.connect(uri)) {
            String listenerOnly = hs256(Map.of("room", "duet", "role", "listener"), in1h, SECRET);
            assertThat(joinWithToken(c, "duet", "singer-a", listenerOnly).path("code").asText()).isEqualTo("forbidden");
            assertThat(joinWithToken(c, "other", "listener", listenerOnly).path("code").asText()).isEqualTo("forbidden");
            assertThat(joinWithToken(c, "duet", "singer-a", hs256(Map.of("room", "duet"), in1h, "another-secret-"
                    + "of-at-least-thirty-two-bytes")).path("code").asText()).isEqualTo("forbidden");
            assertThat(joinWithToken(c, "duet", "singer-a", hs256(Map.of("room", "duet"),
                    System.currentTimeMillis() - 1000, SECRET)).path("code").asText()).as("expired").isEqualTo("forbidden");
            String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                    + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ("{\"room\":\"duet\",\"exp\":" + in1h / 1000 + "}").getBytes()) + ".";
            assertThat(joinWithToken(c, "duet", "singer-a", unsigned).path("code").asText()).as("alg none")
                    .isEqualTo("forbidden");
            // Jitsi's moderator claim: context.user.moderator
            String moderator = hs256(Map.of("room", "*", "context", Map.of("user", Map.of("moderator", true))), in1h, SECRET);
            JsonNode ok = joinWithToken(c, "duet", "singer-a", moderator);
            assertThat(ok.path("type").asText()).isEqualTo("joined");
            assertThat(ok.path("moderator").asBoolean()).isTrue();
            assertThat(ok.path("invites").path("singer").asText()).isNotEmpty();
        }
    }

    @Test
    void rs256TokensWithAConfiguredPublicKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair keys = g.generateKeyPair();
        String pem = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        URI uri = start("duet.access.jwt.rs256-public-key = \"" + pem + "\"\nduet.access.jwt.audience = duet");
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder()
                .claim("room", "stage").claim("role", "singer").audience("duet")
                .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        jwt.sign(new RSASSASigner(keys.getPrivate()));
        try (WsClient c = WsClient.connect(uri)) {
            assertThat(joinWithToken(c, "stage", "singer-b", jwt.serialize()).path("type").asText()).isEqualTo("joined");
        }
    }

    @Test
    void openRoomsAreAnExplicitSetting() throws Exception {
        URI uri = start("duet.access.open-rooms = true");
        try (WsClient a = WsClient.connect(uri); WsClient b = WsClient.connect(uri)) {
            assertThat(a.join("lan", "singer-a", "").path("type").asText()).isEqualTo("joined");
            assertThat(b.join("lan", "singer-b", "").path("type").asText()).isEqualTo("joined");
        }
    }

    private static JsonNode joinWithToken(WsClient c, String room, String role, String token) throws Exception {
        c.send(join(room, role, "token", token));
        return c.next("joined", "error");
    }

    private static String join(String room, String role, String field, String value) {
        return Messages.JSON.createObjectNode().put("type", "join").put("room", room).put("role", role)
                .put(field, value).toString();
    }

    private static String hs256(Map<String, Object> claims, long expMillis, String secret) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().expirationTime(new Date(expMillis));
        claims.forEach(b::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), b.build());
        jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}
