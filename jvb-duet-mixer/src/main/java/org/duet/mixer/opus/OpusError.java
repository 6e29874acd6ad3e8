package org.duet.mixer.opus;

/**
 * Negative result codes returned by the codec wrappers instead of exceptions. The values are
 * libopus's own ({@code opus_defines.h}), so native results pass through unchanged.
 */
public final class OpusError {

    public static final int OK = 0;
    public static final int BAD_ARG = -1;
    public static final int BUFFER_TOO_SMALL = -2;
    public static final int INTERNAL_ERROR = -3;
    public static final int INVALID_PACKET = -4;
    public static final int UNIMPLEMENTED = -5;
    public static final int INVALID_STATE = -6;
    public static final int ALLOC_FAIL = -7;

    private OpusError() {
    }

    /** A short name for logs and counters; never allocates. */
    public static String name(int code) {
        switch (code) {
            case OK: return "OK";
            case BAD_ARG: return "BAD_ARG";
            case BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
            case INTERNAL_ERROR: return "INTERNAL_ERROR";
            case INVALID_PACKET: return "INVALID_PACKET";
            case UNIMPLEMENTED: return "UNIMPLEMENTED";
            case INVALID_STATE: return "INVALID_STATE";
            case ALLOC_FAIL: return "ALLOC_FAIL";
            default: return code >= 0 ? "OK" : "UNKNOWN_ERROR";
        }
    }
}
