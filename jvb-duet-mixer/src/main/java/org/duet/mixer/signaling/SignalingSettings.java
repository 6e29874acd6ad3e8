package org.duet.mixer.signaling;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * Signaling and room-policy settings, read from {@code duet.rooms.*} and {@code duet.signaling.*}.
 * Every key has a default here so the server runs with an empty config.
 *
 * @param openRooms          {@code duet.rooms.open}: a join creates an unknown room (else it is an error)
 * @param presetRooms        {@code duet.rooms.preset}: rooms that exist from start (the only ones when rooms are closed)
 * @param maxSingers         {@code duet.rooms.max-singers}: singer roles singer-a .. (at most 26)
 * @param maxListeners       {@code duet.rooms.max-listeners}: listeners per room
 * @param maxMessageBytes    {@code duet.signaling.max-message-bytes}: bigger messages get an error reply
 * @param statsInterval      {@code duet.signaling.stats-interval}: how often joined clients get a stats push
 * @param maxMessagesPerSecond {@code duet.signaling.max-messages-per-second}: per socket, above it messages are refused
 * @param iceServers         {@code duet.signaling.ice-servers}: URLs handed to browsers (empty: host candidates only)
 */
public record SignalingSettings(boolean openRooms, List<String> presetRooms, int maxSingers, int maxListeners,
                                int maxMessageBytes, Duration statsInterval, int maxMessagesPerSecond,
                                List<String> iceServers) {

    public SignalingSettings {
        if (maxSingers < 1 || maxSingers > 26) {
            throw new IllegalArgumentException("duet.rooms.max-singers must be 1..26, was " + maxSingers);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("duet.signaling.max-message-bytes must be at least 1024");
        }
        presetRooms = List.copyOf(presetRooms);
        iceServers = List.copyOf(iceServers);
    }

    public static SignalingSettings defaults() {
        return new SignalingSettings(true, List.of(), 2, 200, 64 * 1024, Duration.ofSeconds(1), 50, List.of());
    }

    public static SignalingSettings from(Config c) {
        SignalingSettings d = defaults();
        return new SignalingSettings(
                c.hasPath("duet.rooms.open") ? c.getBoolean("duet.rooms.open") : d.openRooms(),
                c.hasPath("duet.rooms.preset") ? c.getStringList("duet.rooms.preset") : d.presetRooms(),
                c.hasPath("duet.rooms.max-singers") ? c.getInt("duet.rooms.max-singers") : d.maxSingers(),
                c.hasPath("duet.rooms.max-listeners") ? c.getInt("duet.rooms.max-listeners") : d.maxListeners(),
                c.hasPath("duet.signaling.max-message-bytes")
                        ? (int) c.getBytes("duet.signaling.max-message-bytes").longValue() : d.maxMessageBytes(),
                c.hasPath("duet.signaling.stats-interval")
                        ? c.getDuration("duet.signaling.stats-interval") : d.statsInterval(),
                c.hasPath("duet.signaling.max-messages-per-second")
                        ? c.getInt("duet.signaling.max-messages-per-second") : d.maxMessagesPerSecond(),
                c.hasPath("duet.signaling.ice-servers") ? c.getStringList("duet.signaling.ice-servers") : d.iceServers());
    }

    /** The singer roles this server offers, in order: singer-a, singer-b, ... */
    public List<String> singerRoles() {
        String[] roles = new String[maxSingers];
        for (int i = 0; i < maxSingers; i++) {
            roles[i] = "singer-" + (char) ('a' + i);
        }
        return List.of(roles);
    }
}
