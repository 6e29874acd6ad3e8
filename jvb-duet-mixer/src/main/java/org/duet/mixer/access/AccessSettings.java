package org.duet.mixer.access;

import com.typesafe.config.Config;

/**
 * Who may create and join rooms, read once from {@code duet.access.*}.
 *
 * @param openRooms      {@code duet.access.open-rooms}: anyone who reaches the server may join any
 *                       room with any free role (a LAN or one machine). {@code auto} (the default)
 *                       means open when the web server listens on loopback only, where only this
 *                       machine's users can reach it, and invite-only otherwise
 * @param jwtHs256Secret {@code duet.access.jwt.hs256-secret}: shared secret for HS256 room tokens (at
 *                       least 32 bytes), empty for none
 * @param jwtRs256PublicKeyPem {@code duet.access.jwt.rs256-public-key}: PEM public key for RS256 tokens,
 *                       empty for none
 * @param jwtIssuer      {@code duet.access.jwt.issuer}: required {@code iss}, empty to accept any
 * @param jwtAudience    {@code duet.access.jwt.audience}: required {@code aud}, empty to accept any
 */
public record AccessSettings(boolean openRooms, String jwtHs256Secret, String jwtRs256PublicKeyPem,
                             String jwtIssuer, String jwtAudience) {

    public static AccessSettings from(Config c) {
        String p = "duet.access.";
        String open = c.hasPath(p + "open-rooms") ? c.getString(p + "open-rooms").trim() : "auto";
        boolean openRooms = switch (open) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            case "auto" -> isLoopbackBind(c.hasPath("duet.http.host") ? c.getString("duet.http.host") : "127.0.0.1");
            default -> throw new IllegalArgumentException("duet.access.open-rooms must be true, false or auto, was " + open);
        };
        return new AccessSettings(openRooms, str(c, p + "jwt.hs256-secret"), str(c, p + "jwt.rs256-public-key"),
                str(c, p + "jwt.issuer"), str(c, p + "jwt.audience"));
    }

    /** True for an address only this machine can reach (127.x, ::1, localhost). */
    static boolean isLoopbackBind(String host) {
        String h = host.trim().toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    private static String str(Config c, String key) {
        return c.hasPath(key) ? c.getString(key) : "";
    }
}
