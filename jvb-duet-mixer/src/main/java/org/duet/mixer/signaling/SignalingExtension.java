package org.duet.mixer.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * More message types on the same WebSocket, handled outside this package (rehearsal: backing
 * track, monitor mixes, takes). Sessions hand it joined members' messages of its types and tell
 * it who joins and leaves. Its methods run on signaling threads and must not throw.
 */
public interface SignalingExtension {

    /** The client-to-server message types it answers. */
    Set<String> types();

    /** A message of one of {@link #types()} from a joined member; replies and errors go to {@code out}. */
    void onMessage(Member member, JsonNode message, Outbox out);

    /** A member joined (after {@code joined} was sent). */
    void onJoin(Member member, Outbox out);

    /** A member left or was removed. */
    void onLeave(Member member);
}
