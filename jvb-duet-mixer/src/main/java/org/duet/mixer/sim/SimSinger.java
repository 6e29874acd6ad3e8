package org.duet.mixer.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.jitter.WindowedMinimum;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.rtcp.RtcpListener;
import org.duet.mixer.rtcp.RtcpParser;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpWriter;
import org.duet.mixer.sync.ClickPattern;
import org.duet.mixer.sync.Metronome;

/**
 * A singer in simulated time, as the mixer sees a browser: it plays the mix it receives a target
 * delay ({@code playoutDelayMs}) after the fastest packets of the last two seconds would have
 * allowed, decoding the packets in media order as their playout comes (concealing a missing one),
 * as a browser's jitter buffer does (so a sender that re-times its stream, as the
 * mixer does when it switches between forwarding and mixing, costs a skip or a pause, not a
 * lasting change of delay),
 * and whenever it hears a click (the metronome's, or the calibration's) it claps: a 1.5 ms burst
 * at its own pitch, captured {@code localDelayMs} after the click reached its ear (reaction,
 * loudspeaker to microphone, audio device). Its microphone runs on its own clock, which is
 * {@code clockOffsetMs} off the server's and drifts {@code driftPpm}; it sends 20 ms Opus frames
 * and an RTCP SR with a report block on the mix every 0.5-1.5 s (or, as Chrome's audio does,
 * every 2.5-7.5 s: {@link Profile#withChromeReportInterval}), stamped with its clock; optionally the page's clock ping (four timestamps on the signaling channel).
 *
 * <p>It keeps the truth the mixer must find: the server time each clap was captured.
 * Time is whatever {@link SimulatedDuet} says it is; nothing here reads a real clock.
 */
public final class SimSinger {

    /** How a singer and its path behave. */
    public record Profile(String id, double delayMs, double jitterMs, double lossPercent, double clockOffsetMs,
                          double driftPpm, double localDelayMs, double playoutDelayMs, double clapHz,
                          boolean clockPings, long seed, double reportIntervalMs) {

        /** SRs every 0.5-1.5 s (RFC 3550's randomisation around 1 s). */
        public Profile(String id, double delayMs, double jitterMs, double lossPercent, double clockOffsetMs,
                       double driftPpm, double localDelayMs, double playoutDelayMs, double clapHz, boolean clockPings,
                       long seed) {
            this(id, delayMs, jitterMs, lossPercent, clockOffsetMs, driftPpm, localDelayMs, playoutDelayMs, clapHz,
                    clockPings, seed, 1_000);
        }

        /** The same singer on another draw of its path (delay, jitter, loss) and clock: {@code seed}. */
        public Profile withSeed(long newSeed) {
            return new Profile(id, delayMs, jitterMs, lossPercent, clockOffsetMs, driftPpm, localDelayMs,
                    playoutDelayMs, clapHz, clockPings, newSeed, reportIntervalMs);
        }

        /**
         * The same singer with Chrome's audio RTCP timing: libwebrtc's audio report interval is 5 s,
         * randomised 0.5-1.5x, so the first SR comes 2.5-7.5 s after the stream starts.
         */
        public Profile withChromeReportInterval() {
            return new Profile(id, delayMs, jitterMs, lossPercent, clockOffsetMs, driftPpm, localDelayMs,
                    playoutDelayMs, clapHz, clockPings, seed, 5_000);
        }
    }

    static final int FRAME = 960;
    /** Claps are as short as the calibration clicks (so both are timed alike) at the singer's own pitch. */
    static final int CLAP_SAMPLES = ClickPattern.CLICK_SAMPLES;
    static final float CLAP_AMPLITUDE = 0.2f;
    /** What the ear takes as a click: the template gain it must reach. */
    private static final double HEAR_AMPLITUDE = 0.15;
    private static final float GATE = 0.03f;
    private static final int REFRACTORY_SAMPLES = 48 * 100;

    private final Profile profile;
    private final long t0;
    private final long captureStart;
    final SimPath up;
    final SimPath down;
    private final Random random;
    private final long ssrc;
    private final long ts0;
    private final int seq0;
    private final double rate; // device samples per server ns
    private final OpusEncoder encoder;
    private final OpusDecoder decoder;
    private final RtpPacket rtp = new RtpPacket();
    private final RtpWriter rtpWriter = new RtpWriter();
    private final RtcpWriter rtcpWriter = new RtcpWriter();
    private final RtcpParser rtcpParser = new RtcpParser();
    private final short[] pcm = new short[FRAME];
    private final short[] decoded = new short[5760];
    private final byte[] opus = new byte[1500];

    // Microphone: samples not yet sent, by device sample index.
    private final float[] capture;
    private long frame;
    private long octets;

    // Ear: the mix by sample since its first packet, played at playoutOffset() + k / 48 kHz.
    private final float[] heard;
    private final BurstFinder beat = new BurstFinder(Metronome.BEAT_HZ, Metronome.CLICK_SAMPLES, false);
    private final BurstFinder click = new BurstFinder(ClickPattern.CLICK_HZ, ClickPattern.CLICK_SAMPLES, true);
    private long firstTs = -1;
    // Playout, as a browser's jitter buffer keeps it: a target delay over the fastest packets of the
    // last two seconds (arrival minus media time, ns), whatever the sender did to its timestamps.
    private final WindowedMinimum fastest = new WindowedMinimum(20, 100_000_000L);
    private long baseline = Long.MAX_VALUE;
    private long played;
    // Received, not yet played, by mix sample; decoded in media order as their playout comes.
    private final java.util.TreeMap<Long, byte[]> pending = new java.util.TreeMap<>();
    private long decodedThrough;
    private int lastFrameSamples = 480;
    private long scanned;
    private long quietUntil;
    private long mixSsrc = -1;
    private long lastSrMiddle;
    private long lastSrArrivalSender;

    private final List<Long> claps = new ArrayList<>();
    private final List<Long> heardClicks = new ArrayList<>();
    private long latePackets;
    private long lateClaps;
    private long packetsHeard;

    SimSinger(Profile profile, long t0, int seconds) {
        this.profile = profile;
        this.t0 = t0;
        this.random = new Random(profile.seed());
        this.up = new SimPath(profile.delayMs(), profile.jitterMs(), profile.lossPercent(), profile.seed() * 31 + 1);
        this.down = new SimPath(profile.delayMs(), profile.jitterMs(), profile.lossPercent(), profile.seed() * 31 + 2);
        this.captureStart = t0 + 20_000_000L + random.nextInt(20_000_000);
        this.ssrc = 1 + random.nextInt(Integer.MAX_VALUE);
        this.ts0 = random.nextLong() & 0xFFFF_FFFFL;
        this.seq0 = random.nextInt(1 << 16);
        this.rate = 48_000 * (1 + profile.driftPpm() * 1e-6) / 1e9;
        this.capture = new float[48_000 * (seconds + 2)];
        this.heard = new float[48_000 * (seconds + 2)];
        this.encoder = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.RESTRICTED_LOWDELAY, FRAME));
        this.decoder = OpusCodecs.newDecoder(1);
    }

    public Profile profile() {
        return profile;
    }

    /** This singer's clock (Unix ns) at server time {@code t}: its offset plus its drift. */
    public long senderUnixNanos(long t) {
        return t + ServerClock.unixNanosMinusNanoTime() + Math.round(profile.clockOffsetMs() * 1e6
                + (t - t0) * profile.driftPpm() * 1e-6);
    }

    /** Server time at which device sample {@code n} is captured (its clock runs at 48 kHz of its own). */
    long sampleTime(double n) {
        return captureStart + Math.round(n / rate);
    }

    /** Server time at which the next 20 ms frame is complete (when it is sent). */
    long nextFrameEnd() {
        return sampleTime((frame + 1) * FRAME);
    }

    // ---- the ear ----

    /** A packet from the mixer reached the singer at {@code now}. */
    void receive(long now, byte[] data, boolean isRtcp) {
        if (isRtcp) {
            rtcpParser.parse(data, 0, data.length, new RtcpListener() {
                @Override
                public void onSenderReport(long from, long ntp, long rtpTs, long packets, long bytes) {
                    lastSrMiddle = NtpTime.middle32(ntp);
                    lastSrArrivalSender = senderUnixNanos(now);
                }
            });
            return;
        }
        if (rtp.parse(data, 0, data.length) != RtpDropReason.NONE) {
            return;
        }
        mixSsrc = rtp.ssrc();
        if (firstTs < 0) {
            firstTs = rtp.timestamp();
            fastest.clear();
        }
        long k = (rtp.timestamp() - firstTs) & 0xFFFF_FFFFL;
        if (k >= 1L << 31) {
            return; // older than the first packet
        }
        observe(now, now - Math.round(k * 1e9 / 48_000));
        packetsHeard++;
        if (k < decodedThrough) {
            latePackets++; // its time to play has passed: it was concealed
            return;
        }
        pending.put(k, data);
    }

    /**
     * Decodes, in media order, every frame whose playout began before mix sample {@code through}:
     * the packet if it came, else a concealed frame, as a browser's jitter buffer does. (Decoding
     * in arrival order instead, with one stateful decoder, put an echo of a click a frame or two
     * early whenever the path reordered the packets around it; see docs/sync.md.)
     */
    private void decodeDue(long through) {
        while (decodedThrough < through && decodedThrough < heard.length) {
            java.util.Map.Entry<Long, byte[]> next = pending.firstEntry();
            int n;
            if (next != null && next.getKey() <= decodedThrough) {
                pending.pollFirstEntry();
                if (next.getKey() < decodedThrough) {
                    latePackets++; // overlaps what was already played
                    continue;
                }
                byte[] data = next.getValue();
                if (rtp.parse(data, 0, data.length) != RtpDropReason.NONE) {
                    continue;
                }
                n = decoder.decode(data, rtp.payloadOffset(), rtp.payloadLength(), decoded, 0, decoded.length);
                if (n <= 0) {
                    continue;
                }
                lastFrameSamples = n;
            } else {
                n = lastFrameSamples;
                if (next != null) {
                    n = (int) Math.min(n, next.getKey() - decodedThrough);
                }
                n = Math.max(0, decoder.conceal(decoded, 0, n));
                if (n == 0) {
                    decodedThrough = next != null ? next.getKey() : through; // nothing to conceal with: silence
                    continue;
                }
            }
            for (int i = 0; i < n && decodedThrough + i < heard.length; i++) {
                heard[(int) (decodedThrough + i)] = decoded[i] / 32768f;
            }
            decodedThrough += n;
        }
    }

    /** Plays everything due by {@code now}, and claps on every click heard. */
    void listen(long now) {
        if (firstTs < 0) {
            return;
        }
        // Due: media time + fastest path + target. When the baseline rises, playout pauses; when it drops, it skips.
        played = Math.min(heard.length, Math.max(played, (long) Math.floor((now - playoutOffset()) * 48_000 / 1e9)));
        decodeDue(played);
        // A click is judged once its whole template has been played.
        long until = played - beat.length() - 8;
        for (; scanned < until; scanned++) {
            int i = (int) scanned;
            if (scanned < quietUntil || Math.abs(heard[i]) < GATE) {
                continue;
            }
            BurstFinder.Found b = beat.find(heard, i - beat.length(), i + 8, HEAR_AMPLITUDE);
            BurstFinder.Found c = click.find(heard, i - click.length(), i + 8, HEAR_AMPLITUDE);
            BurstFinder.Found f = b == null ? c : c == null || b.amplitude() >= c.amplitude() ? b : c;
            if (f == null) {
                quietUntil = scanned + 48; // someone else's clap: not a click
                continue;
            }
            long heardAt = playoutOffset() + Math.round(f.onset() * 1e9 / 48_000);
            heardClicks.add(heardAt);
            clap(heardAt + Math.round(profile.localDelayMs() * 1e6));
            quietUntil = (long) f.onset() + REFRACTORY_SAMPLES;
        }
    }

    private void observe(long now, long offset) {
        fastest.observe(now - t0, offset); // from the start: runs repeat whatever nanoTime is
        baseline = fastest.min(now - t0);
    }

    /** Server time at which mix sample 0 plays: the fastest path plus the target delay. */
    private long playoutOffset() {
        return baseline + Math.round(profile.playoutDelayMs() * 1e6);
    }

    private void clap(long at) {
        double n = (at - captureStart) * rate;
        if (n < frame * FRAME) {
            lateClaps++; // that audio was already sent: cannot happen while localDelay > the ear's lag
            return;
        }
        claps.add(at);
        double hz = profile.clapHz();
        for (long i = (long) Math.ceil(n); i < n + CLAP_SAMPLES && i < capture.length; i++) {
            double t = i - n;
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * t / (CLAP_SAMPLES - 1));
            capture[(int) i] += (float) (CLAP_AMPLITUDE * w * Math.sin(2 * Math.PI * hz * t / 48_000.0));
        }
    }

    // ---- the microphone and RTCP ----

    /** The frame that just ended, as an RTP packet (null when the run is over). */
    byte[] captureFrame() {
        long from = frame * FRAME;
        if (from + FRAME > capture.length) {
            return null;
        }
        for (int i = 0; i < FRAME; i++) {
            pcm[i] = (short) Math.round(Math.max(-1f, Math.min(1f, capture[(int) from + i])) * 32767f);
        }
        int len = encoder.encode(pcm, 0, FRAME, opus, 0, opus.length);
        long ts = (ts0 + from) & 0xFFFF_FFFFL;
        frame++;
        if (len <= 0) {
            return null;
        }
        byte[] packet = new byte[12 + len];
        int h = rtpWriter.reset().payloadType(111).sequenceNumber((int) ((seq0 + frame - 1) & 0xFFFF)).timestamp(ts)
                .ssrc(ssrc).write(packet, 0);
        System.arraycopy(opus, 0, packet, h, len);
        octets += len;
        return packet;
    }

    /** A Sender Report (with a report block on the mix once it heard one of ours), stamped with its clock at {@code now}. */
    byte[] senderReport(long now) {
        long senderNow = senderUnixNanos(now);
        double deviceSamples = (now - captureStart) * rate;
        long rtpNow = (ts0 + Math.round(deviceSamples)) & 0xFFFF_FFFFL;
        rtcpWriter.clearReportBlocks();
        if (mixSsrc >= 0 && lastSrMiddle != 0) {
            rtcpWriter.addReportBlock(mixSsrc, 0, 0, 0, 0, lastSrMiddle,
                    NtpTime.nanosToCompact(senderNow - lastSrArrivalSender));
        }
        byte[] out = new byte[rtcpWriter.senderReportLength()];
        rtcpWriter.writeSenderReport(out, 0, ssrc, NtpTime.fromUnixNanos(senderNow), rtpNow, frame, octets);
        return out;
    }

    /** Time to the next SR: 0.5 to 1.5 times the profile's interval, as RFC 3550 randomises it. */
    long reportInterval() {
        return Math.round(profile.reportIntervalMs() * 1e6 * (0.5 + random.nextDouble()));
    }

    // ---- the truth and diagnostics ----

    /** Server times at which its claps were captured. */
    public List<Long> claps() {
        return claps;
    }

    public List<Long> heardClicks() {
        return heardClicks;
    }

    public long latePackets() {
        return latePackets;
    }

    public long lateClaps() {
        return lateClaps;
    }

    public long packetsHeard() {
        return packetsHeard;
    }

    void close() {
        encoder.close();
        decoder.close();
    }
}
