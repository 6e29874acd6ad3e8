package org.duet.mixer.web;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import org.duet.mixer.web.HttpJson.HttpError;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Who may use the control API. It is for operators and tools on the server's own machine, never
 * for browsers, so a request must:
 * <ul>
 *   <li>carry the admin token ({@code Authorization: Bearer ...}) when one is configured, or else
 *       come straight from loopback: no proxy header of any kind (a local reverse proxy relays
 *       the world from loopback);</li>
 *   <li>name an allowed {@code Host} (DNS rebinding makes a browser send an attacker's host name
 *       to 127.0.0.1);</li>
 *   <li>carry no {@code Origin} or {@code Sec-Fetch-Site} (browsers send these; tools do not), so no
 *       web page can drive the API (CSRF);</li>
 *   <li>send bodies as {@code application/json} (an HTML form or a "simple" cross-origin request
 *       cannot).</li>
 * </ul>
 */
final class ApiGuard {

    /** Headers by which a proxy says whom it relays; any one makes the request non-local. */
    private static final Set<String> PROXY_HEADERS = Set.of("forwarded", "via", "x-real-ip", "x-client-ip",
            "true-client-ip", "cf-connecting-ip", "x-cluster-client-ip", "fastly-client-ip", "x-originating-ip",
            "client-ip", "x-remote-ip", "x-remote-addr", "x-proxyuser-ip", "x-original-forwarded-for");

    private final WebSettings settings;
    private final byte[] adminToken;

    ApiGuard(WebSettings settings) {
        this.settings = settings;
        this.adminToken = settings.adminToken().isEmpty() ? null : settings.adminToken().getBytes(StandardCharsets.UTF_8);
    }

    void check(Request request) throws HttpError {
        for (HttpField f : request.getHeaders()) {
            String name = f.getLowerCaseName();
            if (name.equals("origin") || name.equals("sec-fetch-site")) {
                throw new HttpError(403, "the control API does not answer web pages");
            }
        }
        if (!hostAllowed(request.getHeaders().get(HttpHeader.HOST))) {
            throw new HttpError(403, "the control API answers only for the host names in duet.http.api-hosts");
        }
        if (adminToken != null) {
            String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            byte[] given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(given, adminToken)) {
                throw new HttpError(401, "the control API needs the admin token (Authorization: Bearer ...)");
            }
        } else if (settings.apiLoopbackOnly() && !isDirectLoopback(request)) {
            throw new HttpError(403, "the control API answers direct loopback clients only (duet.http.api-loopback-only)");
        }
        String method = request.getMethod();
        if (method.equals("POST") || method.equals("PUT")) {
            String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            String bare = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!bare.equals("application/json")) {
                throw new HttpError(415, "send the body as Content-Type: application/json");
            }
        }
    }

    private boolean hostAllowed(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            name = end < 0 ? name : name.substring(0, end + 1);
        } else if (name.indexOf(':') >= 0) {
            name = name.substring(0, name.lastIndexOf(':'));
        }
        return settings.apiHosts().contains(name);
    }

    static boolean isDirectLoopback(Request request) {
        for (HttpField f : request.getHeaders()) {
            String name = f.getLowerCaseName();
            if (name.startsWith("x-forwarded-") || PROXY_HEADERS.contains(name)) {
                return false;
            }
        }
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a
                && a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }
}
