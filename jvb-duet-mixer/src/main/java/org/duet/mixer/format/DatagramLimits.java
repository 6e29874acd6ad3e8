package org.duet.mixer.format;

/** The one datagram size limit every transport and the media loop's pooled buffers share. */
public final class DatagramLimits {

    /** Largest UDP datagram we read or send: an Ethernet MTU. Larger ones are dropped and counted. */
    public static final int MAX_DATAGRAM = 1500;

    private DatagramLimits() {
    }
}
