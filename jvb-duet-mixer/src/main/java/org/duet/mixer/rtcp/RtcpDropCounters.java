package org.duet.mixer.rtcp;

import org.duet.mixer.rtp.DropCounters;

/** One counter per {@link RtcpDropReason}; plain longs, for use by one thread (the media loop). */
public final class RtcpDropCounters extends DropCounters<RtcpDropReason> {

    public RtcpDropCounters() {
        super(RtcpDropReason.class, "RtcpDropCounters");
    }
}
