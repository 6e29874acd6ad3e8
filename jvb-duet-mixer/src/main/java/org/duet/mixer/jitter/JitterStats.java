package org.duet.mixer.jitter;

/**
 * Live counters of one {@link JitterBuffer}. Written only by the buffer's owning thread; the
 * fields are volatile so a metrics thread can read them without locks or allocation. Counters
 * only grow (they survive {@link JitterBuffer#reset()}).
 */
public final class JitterStats {

    volatile double targetDelayMs;
    volatile int bufferedFrames;
    volatile double bufferedMs;
    volatile long received;
    volatile long duplicates;
    volatile long late;
    volatile long reordered;
    volatile long lost;
    volatile long concealed;
    volatile long fecRecovered;
    volatile long dtxSilenceFrames;
    volatile long overflowDropped;
    volatile long oversize;
    volatile long malformed;
    volatile long ssrcChanges;
    volatile long reanchors;
    volatile long decodeErrors;
    volatile long normalFrames;
    volatile long bunched;
    volatile long catchUps;
    volatile long caughtUpPackets;
    volatile double caughtUpMs;

    JitterStats() {
    }

    /** The current target delay (deadline slack after the best-case arrival). */
    public double targetDelayMs() {
        return targetDelayMs;
    }

    /** Packets stored and not yet decoded. */
    public int bufferedFrames() {
        return bufferedFrames;
    }

    /** Media duration of those packets. */
    public double bufferedMs() {
        return bufferedMs;
    }

    /** Valid packets handed to insert (including duplicates and late ones). */
    public long received() {
        return received;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Packets that arrived right behind another after a stall: counted once in the target rule. */
    public long bunched() {
        return bunched;
    }

    /** Times the play-out skipped ahead because it had fallen more than a second behind (a starved loop). */
    public long catchUps() {
        return catchUps;
    }

    /** Packets dropped undecoded by those skips. */
    public long caughtUpPackets() {
        return caughtUpPackets;
    }

    /** Media time those skips left out, ms. */
    public double caughtUpMs() {
        return caughtUpMs;
    }

    /** Packets that arrived after their media was played out. */
    public long late() {
        return late;
    }

    /** Packets that arrived after a packet with a higher sequence number. */
    public long reordered() {
        return reordered;
    }

    /** Sequence numbers skipped without their packet ever arriving in time. */
    public long lost() {
        return lost;
    }

    /** Frames produced by PLC (or zeros after a long PLC run) in place of missing packets. */
    public long concealed() {
        return concealed;
    }

    /** Frames rebuilt from the next packet's in-band FEC. */
    public long fecRecovered() {
        return fecRecovered;
    }

    /** Frames of silence emitted for DTX gaps (no packet was missing). */
    public long dtxSilenceFrames() {
        return dtxSilenceFrames;
    }

    /** Packets dropped because they were beyond the preallocated window. */
    public long overflowDropped() {
        return overflowDropped;
    }

    public long oversize() {
        return oversize;
    }

    public long malformed() {
        return malformed;
    }

    public long ssrcChanges() {
        return ssrcChanges;
    }

    /** Re-anchors forced by runs of far-ahead packets (a sender that jumped its sequence numbers). */
    public long reanchors() {
        return reanchors;
    }

    /** Stored packets the decoder rejected (concealed instead). */
    public long decodeErrors() {
        return decodeErrors;
    }

    /** Frames decoded from their own packet. */
    public long normalFrames() {
        return normalFrames;
    }

    @Override
    public String toString() {
        return "JitterStats{target=" + targetDelayMs + "ms, buffered=" + bufferedFrames + " (" + bufferedMs
                + "ms), received=" + received + ", duplicates=" + duplicates + ", late=" + late + ", reordered="
                + reordered + ", lost=" + lost + ", concealed=" + concealed + ", fec=" + fecRecovered + ", dtxSilence="
                + dtxSilenceFrames + ", overflow=" + overflowDropped + ", oversize=" + oversize + ", malformed="
                + malformed + ", ssrcChanges=" + ssrcChanges + ", reanchors=" + reanchors + ", decodeErrors="
                + decodeErrors + ", normal=" + normalFrames + ", catchUps=" + catchUps + " (" + caughtUpMs + "ms)}";
    }
}
