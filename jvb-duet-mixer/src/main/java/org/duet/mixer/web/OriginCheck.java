package org.duet.mixer.web;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Refuses WebSocket upgrades from pages of other origins (cross-site WebSocket hijacking). The
 * allowed origins come from the configuration, never from the request: comparing Origin with the
 * request's own Host would let DNS rebinding through (the attacker's name is then both). Allowed
 * are the server's loopback names and configured addresses on its port, plus
 * {@code duet.http.allowed-origins}. Non-browser clients send no Origin and are let through.
 */
final class OriginCheck {

    private final Set<String> allowed;

    private OriginCheck(Set<String> allowed) {
        this.allowed = Set.copyOf(allowed);
    }

    /**
     * @param port          the port the server listens on
     * @param extraHosts    configured host names or addresses the page may be loaded from (bind and
     *                      advertised address); empty strings and wildcard addresses are skipped
     * @param configured    exact origins from {@code duet.http.allowed-origins}
     */
    static OriginCheck forServer(int port, List<String> extraHosts, List<String> configured) {
        Set<String> hosts = new HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
        for (String h : extraHosts) {
            String v = h == null ? "" : h.trim().toLowerCase(Locale.ROOT);
            if (!v.isEmpty() && !v.equals("0.0.0.0") && !v.equals("::") && !v.equals("[::]")) {
                hosts.add(v.contains(":") && !v.startsWith("[") ? "[" + v + "]" : v);
            }
        }
        Set<String> origins = new HashSet<>();
        for (String h : hosts) {
            origins.add("http://" + h + ":" + port);
            origins.add("https://" + h + ":" + port);
            if (port == 80) {
                origins.add("http://" + h);
            }
            if (port == 443) {
                origins.add("https://" + h);
            }
        }
        for (String o : configured) {
            origins.add(normalise(o));
        }
        return new OriginCheck(origins);
    }

    boolean allows(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        return origin == null || allowed.contains(normalise(origin));
    }

    Set<String> allowed() {
        return allowed;
    }

    private static String normalise(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
