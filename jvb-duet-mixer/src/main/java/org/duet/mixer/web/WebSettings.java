package org.duet.mixer.web;

import com.typesafe.config.Config;

/**
 * HTTP settings, read once from {@code duet.http.*} and {@code duet.rtp.*}, each with a default so
 * an empty config works.
 *
 * @param host            {@code duet.http.host}: bind address, loopback unless told otherwise
 * @param port            {@code duet.http.port}: 0 picks a free port (tests)
 * @param apiLoopbackOnly {@code duet.http.api-loopback-only}: the control API answers direct loopback clients only
 * @param rtpBindHost     {@code duet.rtp.bind-address}: local address for plain-RTP participants' UDP sockets
 * @param adminToken      {@code duet.http.admin-token}: when set, the control API needs it (Bearer) and
 *                        may then be used from other machines
 * @param apiHosts        {@code duet.http.api-hosts}: Host header names the control API answers for
 *                        (lower case; IPv6 in brackets)
 * @param allowedOrigins  {@code duet.http.allowed-origins}: page origins allowed to open the signaling
 *                        WebSocket, besides the server's own loopback and configured addresses
 * @param rtpAllowLatching {@code duet.rtp.allow-latching}: a plain-RTP participant may be created without
 *                        {@code remote} and then latches onto the first valid RTP sender
 * @param wsMaxOutgoingFrames {@code duet.http.ws-max-outgoing-frames}: messages queued per signaling socket
 * @param wsWriteTimeout  {@code duet.http.ws-write-timeout}: a socket whose writes make no progress this long is dropped
 */
public record WebSettings(String host, int port, boolean apiLoopbackOnly, String rtpBindHost, String adminToken,
                          java.util.Set<String> apiHosts, java.util.List<String> allowedOrigins,
                          boolean rtpAllowLatching, int wsMaxOutgoingFrames, java.time.Duration wsWriteTimeout) {

    public WebSettings(String host, int port, boolean apiLoopbackOnly, String rtpBindHost) {
        this(host, port, apiLoopbackOnly, rtpBindHost, "", defaultApiHosts(host), java.util.List.of(), false, 256,
                java.time.Duration.ofSeconds(10));
    }

    public static WebSettings from(Config c) {
        String host = c.hasPath("duet.http.host") ? c.getString("duet.http.host") : "127.0.0.1";
        java.util.Set<String> apiHosts = new java.util.HashSet<>(defaultApiHosts(host));
        if (c.hasPath("duet.http.api-hosts")) {
            c.getStringList("duet.http.api-hosts").forEach(h -> apiHosts.add(h.toLowerCase(java.util.Locale.ROOT)));
        }
        return new WebSettings(host,
                c.hasPath("duet.http.port") ? c.getInt("duet.http.port") : 8080,
                !c.hasPath("duet.http.api-loopback-only") || c.getBoolean("duet.http.api-loopback-only"),
                c.hasPath("duet.rtp.bind-address") ? c.getString("duet.rtp.bind-address") : "127.0.0.1",
                c.hasPath("duet.http.admin-token") ? c.getString("duet.http.admin-token") : "",
                java.util.Set.copyOf(apiHosts),
                c.hasPath("duet.http.allowed-origins") ? c.getStringList("duet.http.allowed-origins") : java.util.List.of(),
                c.hasPath("duet.rtp.allow-latching") && c.getBoolean("duet.rtp.allow-latching"),
                c.hasPath("duet.http.ws-max-outgoing-frames") ? c.getInt("duet.http.ws-max-outgoing-frames") : 256,
                c.hasPath("duet.http.ws-write-timeout") ? c.getDuration("duet.http.ws-write-timeout")
                        : java.time.Duration.ofSeconds(10));
    }

    /** localhost and the loopback literals, plus the bind address when it is a specific one. */
    static java.util.Set<String> defaultApiHosts(String bindHost) {
        java.util.Set<String> s = new java.util.HashSet<>(java.util.Set.of("localhost", "127.0.0.1", "[::1]"));
        String b = bindHost.toLowerCase(java.util.Locale.ROOT);
        if (!b.equals("0.0.0.0") && !b.equals("::") && !b.equals("[::]") && !b.isEmpty()) {
            s.add(b.contains(":") && !b.startsWith("[") ? "[" + b + "]" : b);
        }
        return java.util.Set.copyOf(s);
    }
}
