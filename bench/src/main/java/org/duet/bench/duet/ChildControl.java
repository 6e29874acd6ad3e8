package org.duet.bench.duet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@link DuetControl} over the pipes of a {@link DuetChildMain} process. */
final class ChildControl implements DuetControl {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Writer toChild;
    private final BlockingQueue<String> answers = new ArrayBlockingQueue<>(64);
    private volatile boolean ready;

    ChildControl(Writer toChild, BufferedReader fromChild) {
        this.toChild = toChild;
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = fromChild.readLine()) != null) {
                    if (line.equals("ready")) {
                        ready = true;
                    } else if (line.startsWith("ok") || line.startsWith("err")) {
                        answers.offer(line, 5, TimeUnit.SECONDS);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the child ended
            }
        }, "bench-duet-child-reader");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public boolean ready() {
        return ready;
    }

    private synchronized String call(String command) throws IOException, InterruptedException {
        answers.clear();
        toChild.write(command + "\n");
        toChild.flush();
        String answer = answers.poll(15, TimeUnit.SECONDS);
        if (answer == null) {
            throw new IOException("Duet child did not answer '" + command + "'");
        }
        if (answer.startsWith("err")) {
            throw new IOException("Duet child: " + answer.substring(3).trim());
        }
        return answer.substring(2).trim();
    }

    @Override
    public InetSocketAddress addRtpParticipant(String room, String id, String role, InetSocketAddress remote)
            throws IOException, InterruptedException {
        String local = call("join " + room + " " + id + " " + role + " " + remote.getAddress().getHostAddress() + ":"
                + remote.getPort());
        int colon = local.lastIndexOf(':');
        return new InetSocketAddress(local.substring(0, colon), Integer.parseInt(local.substring(colon + 1)));
    }

    @Override
    public void setBackingTrack(String room, Path wav, double gain) throws IOException, InterruptedException {
        call("backing " + room + " " + wav.toAbsolutePath() + " " + gain);
    }

    @Override
    public JsonNode stats() throws IOException, InterruptedException {
        return JSON.readTree(call("stats"));
    }

    /** Heap in use right after a full collection in the child, in bytes. */
    long heapAfterGc() throws IOException, InterruptedException {
        return Long.parseLong(call("heap"));
    }

    @Override
    public boolean resetTickStats() throws IOException, InterruptedException {
        call("reset-ticks");
        return true;
    }
}
