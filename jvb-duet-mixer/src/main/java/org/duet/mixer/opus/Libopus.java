package org.duet.mixer.opus;

/** Whether the native libopus backend can be used on this machine, and which version it is. */
public final class Libopus {

    private Libopus() {
    }

    public static boolean isAvailable() {
        return LibopusNative.isAvailable();
    }

    /** Why the library did not load, or null when it did. */
    public static String loadError() {
        return LibopusNative.loadError();
    }

    /** e.g. "libopus 1.3.1", or null when unavailable. */
    public static String version() {
        return isAvailable() ? LibopusNative.opus_get_version_string() : null;
    }
}
