package org.duet.mixer.web;

import java.net.URI;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Refuses WebSocket upgrades from pages of other origins (cross-site WebSocket hijacking): a
 * browser always sends Origin, so it must name the host the page was loaded from. Non-browser
 * clients send no Origin and are let through.
 */
final class OriginCheck {

    private OriginCheck() {
    }

    static boolean sameOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        try {
            URI o = URI.create(origin);
            return host != null && o.getRawAuthority() != null && o.getRawAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
