package org.duet.mixer.jitsi;

import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.format.DatagramLimits;

/** Sizes shared by the reader and the transport. */
final class MediaJsonEventLimits {

    /**
     * The largest payload accepted: what fits in one datagram after a 12-byte RTP header, the same
     * bound every other transport has (a real Opus packet from a browser is far smaller).
     */
    static final int MAX_PAYLOAD = DatagramLimits.MAX_DATAGRAM - RtpPacket.FIXED_HEADER_LENGTH;

    private MediaJsonEventLimits() {
    }
}
