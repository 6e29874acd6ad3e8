package org.duet.mixer.web;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Adds a strict Content-Security-Policy and friends to the page's static files. */
final class SecurityHeaders extends Handler.Wrapper {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:; worker-src 'self'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    SecurityHeaders(Handler delegate) {
        super(delegate);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put("Permissions-Policy", "microphone=(self)");
        return super.handle(request, response, callback);
    }
}
