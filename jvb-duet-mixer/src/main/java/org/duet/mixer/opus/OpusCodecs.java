package org.duet.mixer.opus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds decoders and encoders on the configured backend. The backend comes from
 * {@link #setBackend} (the config layer calls it with {@code duet.opus.backend}), else from the
 * system property {@value #BACKEND_PROPERTY}, else Concentus.
 */
public final class OpusCodecs {

    public static final String BACKEND_PROPERTY = "duet.opus.backend";

    private static final Logger LOG = LoggerFactory.getLogger(OpusCodecs.class);

    private static volatile OpusBackend configured;
    private static volatile boolean warned;

    private OpusCodecs() {
    }

    /** Sets the backend for codecs created from now on (null: back to the system property / default). */
    public static void setBackend(OpusBackend backend) {
        configured = backend;
    }

    /** The backend requested by configuration (before falling back for a missing library). */
    public static OpusBackend requestedBackend() {
        OpusBackend b = configured;
        if (b != null) {
            return b;
        }
        String prop = System.getProperty(BACKEND_PROPERTY);
        return prop == null || prop.isBlank() ? OpusBackend.CONCENTUS : OpusBackend.parse(prop);
    }

    /** The backend codecs are actually built on: LIBOPUS or CONCENTUS. */
    public static OpusBackend effectiveBackend() {
        return resolve(requestedBackend());
    }

    public static OpusDecoder newDecoder(int channels) {
        return newDecoder(channels, requestedBackend());
    }

    public static OpusEncoder newEncoder(OpusSettings settings) {
        return newEncoder(settings, requestedBackend());
    }

    public static OpusDecoder newDecoder(int channels, OpusBackend backend) {
        return resolve(backend) == OpusBackend.LIBOPUS ? new LibopusDecoder(channels)
                : new ConcentusOpusDecoder(channels);
    }

    public static OpusEncoder newEncoder(OpusSettings settings, OpusBackend backend) {
        return resolve(backend) == OpusBackend.LIBOPUS ? new LibopusEncoder(settings)
                : new ConcentusOpusEncoder(settings);
    }

    private static OpusBackend resolve(OpusBackend requested) {
        if (requested == OpusBackend.CONCENTUS) {
            return OpusBackend.CONCENTUS;
        }
        if (Libopus.isAvailable()) {
            return OpusBackend.LIBOPUS;
        }
        if (requested == OpusBackend.LIBOPUS && !warned) {
            warned = true;
            LOG.warn("duet.opus.backend=libopus but {}; using Concentus (apt-get install libopus0)",
                    Libopus.loadError());
        }
        return OpusBackend.CONCENTUS;
    }
}
