package org.duet.bench.duet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * How the bench drives a Duet mixer process: the standalone server's HTTP API ({@link DuetApi}),
 * or the bench's own pipe protocol to {@link DuetChildMain} where the web server is not built.
 * Stats follow the shape of GET /api/stats ({"tick":{...},"rooms":[...]}).
 */
public interface DuetControl {

    boolean ready();

    InetSocketAddress addRtpParticipant(String room, String id, String role, InetSocketAddress remote)
            throws IOException, InterruptedException;

    void setBackingTrack(String room, Path wav, double gain) throws IOException, InterruptedException;

    JsonNode stats() throws IOException, InterruptedException;

    /** Starts a new tick-timing window if the server can (false: its histogram covers its whole life). */
    default boolean resetTickStats() throws IOException, InterruptedException {
        return false;
    }
}
