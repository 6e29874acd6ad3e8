package org.duet.mixer.signaling;

import java.util.List;

/** Callbacks from {@link RoomDirectory}, made outside its lock on the thread that changed the room. */
public interface MemberListener {

    MemberListener NONE = new MemberListener() {
        @Override
        public void rosterChanged(List<Member> roster) {
        }

        @Override
        public void removed(String reason) {
        }
    };

    /** The room's members changed; {@code roster} is a snapshot in join order. */
    void rosterChanged(List<Member> roster);

    /** Someone else (an operator through the HTTP API) removed this member. */
    void removed(String reason);
}
