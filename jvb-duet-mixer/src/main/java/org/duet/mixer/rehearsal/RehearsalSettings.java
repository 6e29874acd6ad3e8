package org.duet.mixer.rehearsal;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * {@code duet.rehearsal { ... }}: limits for uploaded backing tracks and where takes go.
 *
 * @param maxUploadBytes  larger backing-track files are refused (default 64 MiB)
 * @param maxTrackSeconds longer tracks are refused (default 15 min)
 * @param takesDir        the recordings directory (default {@code duet-takes} in the working directory)
 * @param maxTakes        most takes kept in it (a new take is refused beyond; nothing is deleted by itself)
 * @param maxTakesBytes   most bytes all takes together may use; a take stops when it would pass this
 * @param queueEntries    units of work (a packet or a tick of audio) a take may have waiting for the disk
 */
public record RehearsalSettings(long maxUploadBytes, int maxTrackSeconds, Path takesDir, int maxTakes,
                                long maxTakesBytes, int queueEntries) {

    public static RehearsalSettings from(Config raw) {
        Config c = raw.hasPath("duet.rehearsal") ? raw.getConfig("duet.rehearsal") : com.typesafe.config.ConfigFactory.empty();
        long maxUpload = c.hasPath("backing.max-bytes") ? c.getBytes("backing.max-bytes") : 64L << 20;
        int maxSeconds = c.hasPath("backing.max-duration") ? (int) c.getDuration("backing.max-duration").toSeconds() : 900;
        String dir = c.hasPath("takes.dir") ? c.getString("takes.dir") : "duet-takes";
        int maxTakes = c.hasPath("takes.max-count") ? c.getInt("takes.max-count") : 200;
        long maxBytes = c.hasPath("takes.max-bytes") ? c.getBytes("takes.max-bytes") : 4L << 30;
        int queue = c.hasPath("takes.queue-entries") ? c.getInt("takes.queue-entries") : 2048;
        if (maxUpload < 1024 || maxSeconds < 1 || maxTakes < 1 || maxBytes < 1 || queue < 64) {
            throw new IllegalArgumentException("duet.rehearsal: limits must be positive (max-bytes at least 1 KiB,"
                    + " queue-entries at least 64)");
        }
        return new RehearsalSettings(maxUpload, maxSeconds, Path.of(dir), maxTakes, maxBytes, queue);
    }
}
