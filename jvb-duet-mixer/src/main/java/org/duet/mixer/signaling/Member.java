package org.duet.mixer.signaling;

import org.duet.mixer.room.Role;

/**
 * Someone holding a role in a room: a browser over signaling, or a plain-RTP participant
 * created through the HTTP API.
 *
 * @param listener told about roster changes and removal; {@link MemberListener#NONE} for RTP participants
 */
public record Member(String id, String room, Role role, String name, Kind kind, MemberListener listener) {

    public enum Kind {
        WEBRTC("webrtc"), RTP("rtp");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public boolean isSinger() {
        return role.kind() == Role.Kind.SINGER;
    }
}
