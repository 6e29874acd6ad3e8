package org.duet.mixer.signaling;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Caps and timeouts that keep one client (or many) from holding the server's resources, read
 * once from {@code duet.limits.*}; every key has a default here so an empty config is safe.
 *
 * @param mediaTimeout          a role whose WebRTC media is not connected this long after join (or
 *                              whose browser stopped its consent checks this long) is released
 * @param emptyRoomGrace        a room nobody is in is closed after this long (preset rooms stay)
 * @param maxRooms              rooms open at once, overall
 * @param maxRoomsPerAddress    rooms created by one client address that are still open
 * @param maxSockets            signaling WebSockets open at once, overall
 * @param maxSocketsPerAddress  signaling WebSockets open at once from one client address
 * @param maxParticipants       members (browsers and plain-RTP participants) overall
 * @param maxParticipantsPerAddress members joined from one client address
 */
public record LimitSettings(Duration mediaTimeout, Duration emptyRoomGrace, int maxRooms, int maxRoomsPerAddress,
                            int maxSockets, int maxSocketsPerAddress, int maxParticipants,
                            int maxParticipantsPerAddress) {

    public LimitSettings {
        if (maxRooms < 1 || maxRoomsPerAddress < 1 || maxSockets < 1 || maxSocketsPerAddress < 1
                || maxParticipants < 1 || maxParticipantsPerAddress < 1) {
            throw new IllegalArgumentException("duet.limits: every max-* must be at least 1");
        }
    }

    public static LimitSettings defaults() {
        return new LimitSettings(Duration.ofSeconds(15), Duration.ofSeconds(30), 200, 8, 1000, 32, 1000, 32);
    }

    public static LimitSettings from(Config c) {
        LimitSettings d = defaults();
        String p = "duet.limits.";
        return new LimitSettings(
                c.hasPath(p + "media-timeout") ? c.getDuration(p + "media-timeout") : d.mediaTimeout(),
                c.hasPath(p + "empty-room-grace") ? c.getDuration(p + "empty-room-grace") : d.emptyRoomGrace(),
                c.hasPath(p + "max-rooms") ? c.getInt(p + "max-rooms") : d.maxRooms(),
                c.hasPath(p + "max-rooms-per-address") ? c.getInt(p + "max-rooms-per-address") : d.maxRoomsPerAddress(),
                c.hasPath(p + "max-sockets") ? c.getInt(p + "max-sockets") : d.maxSockets(),
                c.hasPath(p + "max-sockets-per-address") ? c.getInt(p + "max-sockets-per-address")
                        : d.maxSocketsPerAddress(),
                c.hasPath(p + "max-participants") ? c.getInt(p + "max-participants") : d.maxParticipants(),
                c.hasPath(p + "max-participants-per-address") ? c.getInt(p + "max-participants-per-address")
                        : d.maxParticipantsPerAddress());
    }
}
