package org.duet.coordinator.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A mixer that accepts the WebSocket upgrade (RFC 6455 section 4.2.2) and then never reads again: the
 * slowest possible peer. Its receive buffer is tiny, so the front's writes back up at once.
 */
public final class StalledMixer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread thread;

    public StalledMixer() throws Exception {
        server = new ServerSocket();
        server.setReceiveBufferSize(4096);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::run, "stalled-mixer");
        thread.setDaemon(true);
        thread.start();
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/translate");
    }

    private void run() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.add(s);
                handshake(s);
            } catch (Exception e) {
                return;
            }
        }
    }

    private static void handshake(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n") && head.length() < 16384) {
            int c = in.read();
            if (c < 0) {
                return;
            }
            head.append((char) c);
        }
        String key = null;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // and from now on nothing is read
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
