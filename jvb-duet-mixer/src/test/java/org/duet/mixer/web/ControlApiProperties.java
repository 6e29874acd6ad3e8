package org.duet.mixer.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.signaling.Messages;

/**
 * The HTTP control API on hostile input, against the real server: any method, path and JSON-ish
 * body. Every answer is a 2xx or 4xx with a JSON error, never a 5xx, and the server keeps serving.
 */
class ControlApiProperties {

    private static DuetMixer mixer;
    private static StandaloneServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeContainer
    static void start() {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0");
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer, null);
    }

    @AfterContainer
    static void stop() {
        server.close();
        mixer.close();
    }

    @Property(tries = 400)
    void everyRequestIsAnsweredWithoutAServerError(@ForAll("methods") String method, @ForAll("paths") String path,
                                                    @ForAll("bodies") String body) throws Exception {
        URI uri;
        try {
            uri = server.uri().resolve(path);
        } catch (IllegalArgumentException e) {
            return; // not a URI a client could send
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r;
        try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // Jetty closes the connection after its own 400 for an ambiguous path; a PUT or POST sent
            // on that pooled connection meanwhile sees EOF (the client retries only GETs): send again
            // once on a new connection. A server that really drops requests fails here the second time.
            r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(method + " " + path + " " + body + " -> " + r.body()).isLessThan(500);
        // Jetty itself refuses some paths (ambiguous encodings) with its own page; ours are JSON
        if (r.statusCode() >= 400 && r.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
            assertThat(Messages.JSON.readTree(r.body()).path("error").isTextual()).as(r.body()).isTrue();
        }
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of("duet", "a1", "..", "%2e%2e", "x%00", "", "~",
                "singer-a"), Arbitraries.strings().withChars("abc-_.%0123456789").ofMaxLength(12));
        return Arbitraries.oneOf(
                segment.map(s -> "/api/rooms/" + s + "/rtp-participants"),
                segment.list().ofMaxSize(2).map(l -> "/api/rooms/" + String.join("/participants/", l)),
                segment.map(s -> "/api/rooms/" + s + "/backing-track"),
                Arbitraries.of("/api/stats", "/api/", "/api", "/health", "/metrics", "/api/rooms//rtp-participants"));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("\"singer-a\"", "\"listener\"", "\"127.0.0.1:40000\"",
                "\"[::1]:9\"", "\"999.1.1.1:1\"", "\"/etc/passwd\"", "\"/dev/zero\"", "null", "111", "-1", "1e400",
                "[]", "{}", "true", "\"a1\"", "4.5", "\"../../x.wav\""),
                Arbitraries.strings().ofMaxLength(30).map(s -> Messages.JSON.getNodeFactory().textNode(s).toString()));
        Arbitrary<String> key = Arbitraries.of("id", "role", "remote", "payloadType", "path", "gain", "x");
        Arbitrary<String> object = Arbitraries.maps(key, value).ofMaxSize(5).map(m -> {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
            return b.append('}').toString();
        });
        return Arbitraries.oneOf(object, Arbitraries.of("", "not json", "[1,2]", "{", "null", "\"x\""),
                Arbitraries.strings().ofMaxLength(60));
    }
}
