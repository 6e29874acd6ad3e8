package org.duet.mixer.rtp;

/** One counter per {@link RtpDropReason}; plain longs, for use by one thread (the media loop). */
public final class RtpDropCounters extends DropCounters<RtpDropReason> {

    public RtpDropCounters() {
        super(RtpDropReason.class, "RtpDropCounters");
    }
}
