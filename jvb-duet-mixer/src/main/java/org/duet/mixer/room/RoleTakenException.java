package org.duet.mixer.room;

/** A singer role that someone else in the room already has. */
public final class RoleTakenException extends Exception {

    private static final long serialVersionUID = 1L;

    public RoleTakenException(String room, Role role) {
        super("role " + role.wireName() + " is taken in room " + room);
    }
}
