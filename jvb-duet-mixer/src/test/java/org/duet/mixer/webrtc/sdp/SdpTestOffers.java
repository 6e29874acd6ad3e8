package org.duet.mixer.webrtc.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Offers captured from headless Chromium 156 (see src/test/resources/webrtc/capture/). */
public final class SdpTestOffers {

    public static final String SENDRECV = "chromium-156-offer-sendrecv.sdp";
    public static final String RECVONLY = "chromium-156-offer-recvonly.sdp";
    public static final String WITH_DATA_CHANNEL = "chromium-156-offer-audio-datachannel.sdp";
    public static final String GATHERED = "chromium-156-offer-gathered-loopback.sdp";

    private SdpTestOffers() {
    }

    public static String load(String name) {
        try (InputStream in = SdpTestOffers.class.getResourceAsStream("/webrtc/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /webrtc/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
