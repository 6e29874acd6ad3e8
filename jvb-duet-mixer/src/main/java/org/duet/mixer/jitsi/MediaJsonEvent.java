package org.duet.mixer.jitsi;

import java.util.ArrayList;
import java.util.List;

/**
 * One parsed mediajson event, reused for every message of a connection so that {@code media}
 * events allocate nothing: the tag stays in a char buffer and the payload in a byte buffer.
 * Rare events (sources, start) fill strings and lists.
 */
final class MediaJsonEvent {

    enum Type { MEDIA, START, STOP, PING, PONG, SOURCES, INFO, SESSION_END, TRANSCRIPTION, UNKNOWN }

    /** The message's characters, parsed in place (longer messages are refused before parsing). */
    final char[] text;

    MediaJsonEvent(int maxMessageChars) {
        this.text = new char[maxMessageChars];
    }

    Type type;
    /** The refusal, when parsing failed; null otherwise. */
    JitsiDropReason error;

    // media and start/stop
    final char[] tag = new char[128];
    int tagLength = -1;
    long chunk;
    boolean hasChunk;
    long timestamp;
    boolean hasTimestamp;
    final byte[] payload = new byte[MediaJsonEventLimits.MAX_PAYLOAD];
    int payloadLength = -1;

    // start
    String encoding;
    long sampleRate;
    long channels;
    String endpointId;

    // ping
    long id;
    boolean hasId;

    // sources
    final List<String> exports = new ArrayList<>();
    final List<String> requests = new ArrayList<>();
    boolean hasExports;
    boolean hasRequests;

    void clear() {
        type = Type.UNKNOWN;
        error = null;
        tagLength = -1;
        hasChunk = false;
        hasTimestamp = false;
        payloadLength = -1;
        encoding = null;
        sampleRate = 0;
        channels = 0;
        endpointId = null;
        hasId = false;
        exports.clear();
        requests.clear();
        hasExports = false;
        hasRequests = false;
    }

    boolean tagEquals(String s) {
        if (s.length() != tagLength) {
            return false;
        }
        for (int i = 0; i < tagLength; i++) {
            if (s.charAt(i) != tag[i]) {
                return false;
            }
        }
        return true;
    }

    /** The tag as a string (allocates: for rare events and logs only). */
    String tagString() {
        return tagLength < 0 ? null : new String(tag, 0, tagLength);
    }
}
