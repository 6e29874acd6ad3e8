package org.duet.mixer.opus;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The system libopus (Debian {@code libopus0}, {@code libopus.so.0}) bound through JNA direct
 * mapping: static native methods taking primitive arrays, so a call allocates nothing on the
 * Java heap. The variadic {@code *_ctl} functions go through an interface mapping that handles
 * C varargs correctly; they are only called when settings change, never per frame.
 * If the library cannot be loaded, {@link #isAvailable()} is false and {@link #loadError()} says why.
 */
final class LibopusNative {

    static final int OPUS_SET_BITRATE = 4002;
    static final int OPUS_SET_VBR = 4006;
    static final int OPUS_SET_COMPLEXITY = 4010;
    static final int OPUS_SET_INBAND_FEC = 4012;
    static final int OPUS_SET_PACKET_LOSS_PERC = 4014;
    static final int OPUS_SET_DTX = 4016;
    static final int OPUS_SET_SIGNAL = 4024;
    static final int OPUS_RESET_STATE = 4028;
    static final int OPUS_SIGNAL_VOICE = 3001;

    /** System property naming the library file or path; default {@code libopus.so.0}, then {@code opus}. */
    static final String LIBRARY_PROPERTY = "duet.opus.libopus.path";

    private static final String LOAD_ERROR;
    private static final Ctl CTL;

    /** Varargs need the interface mapping: direct mapping cannot describe a C ellipsis. */
    interface Ctl extends Library {
        int opus_encoder_ctl(Pointer st, int request, Object... args);

        int opus_decoder_ctl(Pointer st, int request, Object... args);
    }

    static {
        String error = null;
        Ctl ctl = null;
        NativeLibrary lib = null;
        String configured = System.getProperty(LIBRARY_PROPERTY);
        String[] names = configured != null ? new String[] {configured} : new String[] {"libopus.so.0", "opus"};
        for (String name : names) {
            try {
                lib = NativeLibrary.getInstance(name);
                break;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                error = "cannot load " + name + ": " + e.getMessage();
            }
        }
        if (lib != null) {
            try {
                Native.register(LibopusNative.class, lib);
                ctl = Native.load(lib.getFile() != null ? lib.getFile().getPath() : lib.getName(), Ctl.class);
                error = null;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                error = "cannot bind libopus: " + e;
                ctl = null;
            }
        }
        LOAD_ERROR = error;
        CTL = ctl;
    }

    private LibopusNative() {
    }

    static boolean isAvailable() {
        return LOAD_ERROR == null;
    }

    static String loadError() {
        return LOAD_ERROR;
    }

    static Ctl ctl() {
        return CTL;
    }

    static native String opus_get_version_string();

    static native Pointer opus_encoder_create(int fs, int channels, int application, int[] error);

    static native int opus_encode(Pointer st, short[] pcm, int frameSize, byte[] data, int maxDataBytes);

    static native void opus_encoder_destroy(Pointer st);

    static native Pointer opus_decoder_create(int fs, int channels, int[] error);

    static native int opus_decode(Pointer st, byte[] data, int len, short[] pcm, int frameSize, int decodeFec);

    static native void opus_decoder_destroy(Pointer st);
}
