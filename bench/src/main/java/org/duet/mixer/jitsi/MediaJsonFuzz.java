package org.duet.mixer.jitsi;

/**
 * A door for the bench's fuzzer ({@code org.duet.bench.fuzz}) to the package-private mediajson
 * reader, kept in the bench module so the Jitsi transport's own code is unchanged: one call reads
 * one message as {@code JitsiConnection} does, into a reused event.
 */
public final class MediaJsonFuzz {

    private final MediaJsonEvent event;

    /** @param maxMessageChars {@code duet.jitsi.max-message-bytes} (16384 by default) */
    public MediaJsonFuzz(int maxMessageChars) {
        this.event = new MediaJsonEvent(maxMessageChars);
    }

    /**
     * Reads {@code text}; returns null when it was accepted, else the drop reason's name. Also checks
     * what the transport relies on afterwards: lengths inside their buffers.
     */
    public String read(String text) {
        MediaJsonReader.read(text, event);
        if (event.error != null) {
            return event.error.name();
        }
        if (event.type == null) {
            throw new Broken("accepted without a type");
        }
        if (event.tagLength > event.tag.length || event.payloadLength > event.payload.length) {
            throw new Broken("lengths outside their buffers: tag " + event.tagLength + ", payload "
                    + event.payloadLength);
        }
        return null;
    }

    /** What {@link #read} throws when the reader returned something the transport cannot rely on (not a parser crash). */
    public static final class Broken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Broken(String message) {
            super(message);
        }
    }
}
