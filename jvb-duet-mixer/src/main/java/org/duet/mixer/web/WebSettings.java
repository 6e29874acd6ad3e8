package org.duet.mixer.web;

import com.typesafe.config.Config;

/**
 * HTTP settings, read from {@code duet.http.*} and {@code duet.rtp.*}, each with a default so an
 * empty config works.
 *
 * @param host            {@code duet.http.host}: bind address, loopback unless told otherwise
 * @param port            {@code duet.http.port}: 0 picks a free port (tests)
 * @param apiLoopbackOnly {@code duet.http.api-loopback-only}: the control API answers loopback clients only
 * @param rtpBindHost     {@code duet.rtp.bind-address}: local address for plain-RTP participants' UDP sockets
 */
public record WebSettings(String host, int port, boolean apiLoopbackOnly, String rtpBindHost) {

    public static WebSettings from(Config c) {
        return new WebSettings(
                c.hasPath("duet.http.host") ? c.getString("duet.http.host") : "127.0.0.1",
                c.hasPath("duet.http.port") ? c.getInt("duet.http.port") : 8080,
                !c.hasPath("duet.http.api-loopback-only") || c.getBoolean("duet.http.api-loopback-only"),
                c.hasPath("duet.rtp.bind-address") ? c.getString("duet.rtp.bind-address") : "127.0.0.1");
    }
}
