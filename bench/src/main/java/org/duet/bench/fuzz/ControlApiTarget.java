package org.duet.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.WavFile;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.web.StandaloneServer;

/**
 * Bodies of the HTTP control API (docs/signaling.md), sent to the real standalone server over one
 * keep-alive loopback connection. The first input byte picks the endpoint, the rest is the JSON
 * body. Every answer must be a 2xx, or a 4xx whose JSON error has a sentence; never a 5xx nor a
 * dropped connection. A plain-RTP participant the server accepted is deleted again, so at the end
 * no room, participant or UDP socket may remain.
 */
final class ControlApiTarget implements FuzzTarget {

    private static final String[][] ENDPOINTS = {
        {"POST", "/api/rooms/fuzz/rtp-participants"},
        {"PUT", "/api/rooms/fuzz/backing-track"},
        {"POST", "/api/rooms/fuzz/sync"},
        {"GET", "/api/rooms/fuzz/sync"},
        {"GET", "/api/stats"},
    };

    private final DuetMixer mixer;
    private final StandaloneServer server;
    private final Path wav;
    private final InetSocketAddress address;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    final int[] statusCounts = new int[6];

    ControlApiTarget() throws IOException {
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\nduet.limits.empty-room-grace = 0s\n"
                + "duet.mixer.loops = 1");
        mixer = DuetMixer.start(config);
        server = StandaloneServer.start(config, mixer, null);
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.uri().getPort());
        wav = Files.createTempFile("duet-fuzz-", ".wav");
        float[] tone = new float[24_000];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 48_000.0));
        }
        WavFile.write(wav, tone);
    }

    @Override
    public String name() {
        return "http-api";
    }

    @Override
    public List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(body(0, "{\"id\":\"p1\",\"role\":\"singer-a\",\"remote\":\"127.0.0.1:40000\",\"payloadType\":111}"));
        seeds.add(body(0, "{\"id\":\"listener-7\",\"role\":\"listener\",\"remote\":\"127.0.0.1:40002\"}"));
        seeds.add(body(1, "{\"path\":\"" + wav + "\",\"gain\":0.5}"));
        seeds.add(body(1, "{\"path\":null}"));
        seeds.add(body(2, "{\"action\":\"metronome\",\"bpm\":120,\"beatsPerBar\":3,\"accent\":false,\"countIn\":2}"));
        seeds.add(body(2, "{\"action\":\"mode\",\"mode\":\"leader-follower\",\"leader\":\"p1\"}"));
        seeds.add(body(3, ""));
        seeds.add(body(4, ""));
        return seeds;
    }

    private static byte[] body(int endpoint, String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        out[0] = (byte) endpoint;
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }

    @Override
    public List<byte[]> dictionary() {
        return Seeds.ascii("\"", "{", "}", "[", "]", ":", ",", "null", "true", "-1", "1e999", "0.5", "4.0000001",
                "9223372036854775808", "\\u0000", "\"id\"", "\"role\"", "\"remote\"", "\"payloadType\"", "\"path\"",
                "\"gain\"", "\"action\"", "\"mode\"", "\"bpm\"", "\"singer-b\"", "\"listener\"", "\"live\"",
                "\"127.0.0.1:1\"", "\"[::1]:65536\"", "\"[::1]:40002\"", "\"224.0.0.1:5\"", "\"0.0.0.0:9\"", "\"example.org:80\"", "\"/etc/passwd\"", "\"../x.wav\"",
                "\"/dev/zero\"", "\"/proc/self/fd/0\"");
    }

    @Override
    public int maxLength() {
        return 2048;
    }

    @Override
    public boolean run(byte[] input) throws IOException {
        if (input.length == 0) {
            return false;
        }
        String[] endpoint = ENDPOINTS[(input[0] & 0xFF) % ENDPOINTS.length];
        byte[] body = java.util.Arrays.copyOfRange(input, 1, input.length);
        Response r = exchange(endpoint[0], endpoint[1], body);
        statusCounts[Math.min(r.status / 100, 5)]++;
        if (r.status >= 500 || r.status < 200) {
            throw new BrokenContract(endpoint[0] + " " + endpoint[1] + " answered " + r.status + ": " + r.body);
        }
        if (r.status >= 400) {
            JsonNode error = Messages.JSON.readTree(r.body);
            if (!error.path("error").isTextual() || error.path("error").asText().isBlank()) {
                throw new BrokenContract("a refusal without a sentence: " + r.status + " " + r.body);
            }
            return false;
        }
        if (endpoint[1].endsWith("rtp-participants")) { // accepted: take it away again
            String id = Messages.JSON.readTree(body).path("id").asText();
            Response d = exchange("DELETE", "/api/rooms/fuzz/participants/"
                    + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"), new byte[0]);
            if (d.status != 204 && d.status != 200) {
                throw new BrokenContract("could not delete participant " + id + ": " + d.status + " " + d.body);
            }
        }
        return true;
    }

    @Override
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        for (Room r : mixer.rooms()) {
            left.add("room " + r.name() + " still open with " + r.participants().size() + " participants");
        }
        return left;
    }

    private record Response(int status, String body) {
    }

    /** One request on the keep-alive connection (reconnecting when the server closed it). */
    private Response exchange(String method, String path, byte[] body) throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (socket == null) {
                socket = new Socket();
                socket.connect(address, 5000);
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                in = new java.io.BufferedInputStream(socket.getInputStream(), 16_384);
                out = socket.getOutputStream();
            }
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            try {
                ByteArrayOutputStream req = new ByteArrayOutputStream(head.length() + body.length);
                req.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
                req.writeBytes(body);
                out.write(req.toByteArray());
                out.flush();
                return read();
            } catch (IOException e) {
                closeSocket();
                if (attempt >= 1) {
                    throw new IOException("the server dropped the connection on " + method + " " + path, e);
                }
            }
        }
    }

    private Response read() throws IOException {
        String status = line();
        int code = Integer.parseInt(status.split(" ", 3)[1]);
        int length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                body.writeBytes(in.readNBytes(size));
                line();
            }
            line();
        } else if (length > 0) {
            body.writeBytes(in.readNBytes(length));
        }
        if (close) {
            closeSocket();
        }
        return new Response(code, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
            socket = null;
        }
    }

    @Override
    public void close() {
        closeSocket();
        server.close();
        mixer.close();
        try {
            Files.deleteIfExists(wav);
        } catch (IOException e) {
            // a temp file
        }
    }
}
