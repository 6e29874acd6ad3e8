package org.duet.mixer.session;

/**
 * A snapshot of one participant's media figures, for signaling, /metrics and benchmarks.
 *
 * @param jitterTargetMs  the jitter buffer's current target delay for this singer's voice
 * @param mixDelayMs      how far behind real time this participant's own mix reads its sources
 * @param rttMs           round trip from RTCP (LSR/DLSR), NaN until known
 * @param mixUnderruns    times this participant's mix had to step back (audio not there in time)
 * @param mixSteps        every step of the mix's read position (underruns and catch-ups)
 * @param timelineReanchors times this singer's voice was re-placed on the capture timeline
 * @param caughtUpMs      media time this singer's voice skipped because play-out had fallen more
 *                        than a second behind (a starved loop; see JitterBuffer's catch-up)
 * @param mixTicksSkipped ticks of this participant's mix skipped because the media loop fell far behind
 */
public record ParticipantStats(long packetsIn, long packetsOut, long bytesIn, long bytesOut,
                               long lost, long late, long duplicates, long reordered, long concealed, long fecRecovered,
                               long malformed, double jitterTargetMs, double mixDelayMs,
                               double rttMs, double interarrivalJitterMs, boolean forwarding,
                               long mixUnderruns, long mixSteps, long timelineReanchors, double caughtUpMs,
                               long mixTicksSkipped) {
}
