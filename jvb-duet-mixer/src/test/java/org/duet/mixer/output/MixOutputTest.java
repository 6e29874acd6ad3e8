package org.duet.mixer.output;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.session.MediaFactory;
import org.duet.mixer.transport.PacketReceiver;
import org.duet.mixer.transport.PacketTransport;
import org.junit.jupiter.api.Test;

class MixOutputTest {

    /** Before: a listener that never connected made its room encode every tick. */
    @Test
    void unconnectedReceiversCostNoEncoding() {
        MixOutput out = newOutput();
        Receiver r = new Receiver();
        out.setSubscribers(new OutputSubscriber[] {new OutputSubscriber(r, MediaFormat.opusDefaults())});
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            out.tick(t0 + i * 10_000_000L);
        }
        assertThat(out.framesEncoded()).isZero();
        assertThat(r.sent).isZero();
        r.connected = true;
        out.tick(t0 + 100_000_000L);
        assertThat(out.framesEncoded()).isEqualTo(1);
        assertThat(r.sent).isEqualTo(1);
    }

    /** Before: rtpTimestampAt(nowNanos) ignored its argument, so Sender Reports mapped every time to one RTP time. */
    @Test
    void senderReportTimestampsFollowTheGivenTime() {
        MixOutput out = newOutput();
        Receiver r = new Receiver();
        r.connected = true;
        out.setSubscribers(new OutputSubscriber[] {new OutputSubscriber(r, MediaFormat.opusDefaults())});
        long t1 = System.nanoTime();
        out.tick(t1);
        long sent = r.lastTimestamp;
        assertThat(out.rtpTimestampAt(t1)).as("the packet sent at the tick carries the tick's media time").isEqualTo(sent);
        assertThat(out.rtpTimestampAt(t1 + 500_000_000L)).isEqualTo((sent + 24_000) & 0xFFFFFFFFL);
        assertThat(out.rtpTimestampAt(t1 - 10_000_000L)).isEqualTo((sent - 480) & 0xFFFFFFFFL);
    }

    /**
     * Before: ticks the media loop skipped (a stalled machine) left the stream's timestamps behind the
     * clock for good; a receiver's jitter buffer then saw every later packet as late and grew.
     */
    @Test
    void ticksTheLoopSkippedAreAGapInTheTimestampsNotADelay() {
        MixOutput out = newOutput();
        Receiver r = new Receiver();
        r.connected = true;
        out.setSubscribers(new OutputSubscriber[] {new OutputSubscriber(r, MediaFormat.opusDefaults())});
        int frame = out.tickSamples();
        long tick = frame * 1_000_000_000L / 48_000;
        long t0 = System.nanoTime();
        out.tick(t0);
        long first = r.lastTimestamp;
        out.tick(t0 + tick);
        assertThat(r.lastTimestamp).isEqualTo((first + frame) & 0xFFFFFFFFL);
        out.tick(t0 + 9 * tick); // seven ticks skipped
        assertThat(r.lastTimestamp).as("media time of the tick after the skip").isEqualTo((first + 9L * frame) & 0xFFFFFFFFL);
        assertThat(out.ticksSkipped()).isEqualTo(7);
        // a room moving its tick phase gets one interval up to a tick and a half: no gap
        out.tick(t0 + 9 * tick + tick * 3 / 2);
        assertThat(r.lastTimestamp).isEqualTo((first + 10L * frame) & 0xFFFFFFFFL);
        assertThat(out.ticksSkipped()).isEqualTo(7);
        assertThat(out.rtpTimestampAt(t0 + 9 * tick + tick * 3 / 2)).isEqualTo(r.lastTimestamp);
    }

    /**
     * A room whose singers send 20 ms packets ticks once per packet and makes both 10 ms steps at once:
     * the default encoder then sends one 20 ms frame at the room tick's last step (at once, not a tick
     * later), and 10 ms frames again when the room goes back to 10 ms ticks; the timestamps stay on
     * the clock throughout.
     */
    @Test
    void aRoomTickOfTwoStepsLeavesAsOneFrameTheMomentItIsMixed() {
        MixOutput out = newOutput();
        Receiver r = new Receiver();
        r.connected = true;
        out.setSubscribers(new OutputSubscriber[] {new OutputSubscriber(r, MediaFormat.opusDefaults())});
        int frame = out.tickSamples();
        long tick = frame * 1_000_000_000L / 48_000;
        long t0 = System.nanoTime();
        out.tick(t0, 1);
        long first = r.lastTimestamp;
        assertThat(r.lastSamples).isEqualTo(frame);
        out.tick(t0 + tick, 2);
        assertThat(r.sent).as("the first step of a two-step room tick waits for the second").isEqualTo(1);
        out.tick(t0 + 2 * tick, 1);
        assertThat(r.sent).isEqualTo(2);
        assertThat(r.lastSamples).as("one frame for the whole room tick").isEqualTo(2 * frame);
        assertThat(r.lastTimestamp).isEqualTo((first + frame) & 0xFFFFFFFFL);
        assertThat(out.rtpTimestampAt(t0 + 3 * tick)).isEqualTo((first + 3L * frame) & 0xFFFFFFFFL);
        out.tick(t0 + 3 * tick, 1); // back to one step per room tick
        assertThat(r.sent).isEqualTo(3);
        assertThat(r.lastSamples).isEqualTo(frame);
        assertThat(r.lastTimestamp).isEqualTo((first + 3L * frame) & 0xFFFFFFFFL);
        // three steps left: Opus has no 30 ms frame, so 20 ms then 10 ms, both inside the room tick
        out.tick(t0 + 4 * tick, 3);
        out.tick(t0 + 5 * tick, 2);
        assertThat(r.lastSamples).isEqualTo(2 * frame);
        out.tick(t0 + 6 * tick, 1);
        assertThat(r.sent).isEqualTo(5);
        assertThat(r.lastSamples).isEqualTo(frame);
        assertThat(r.lastTimestamp).isEqualTo((first + 6L * frame) & 0xFFFFFFFFL);
        assertThat(out.ticksSkipped()).isZero();
    }

    private static MixOutput newOutput() {
        MixOutput out = new MediaFactory(DuetConfig.withOverrides(""), ServerClock.startingNow())
                .newOutput("test", MediaFormat.opusDefaults());
        out.setSources(new MixSource[0], new float[0], 0);
        return out;
    }

    private static final class Receiver implements PacketTransport {
        boolean connected;
        int sent;
        long lastTimestamp;
        int lastSamples;

        @Override
        public void sendRtp(byte[] buf, int off, int len) {
            sent++;
            org.duet.mixer.rtp.RtpPacket p = new org.duet.mixer.rtp.RtpPacket();
            if (p.parse(buf, off, len) == org.duet.mixer.rtp.RtpDropReason.NONE) {
                lastSamples = org.duet.mixer.opus.OpusPacketInfo.totalSamples(p.buffer(), p.payloadOffset(),
                        p.payloadLength());
            }
            lastTimestamp = ((buf[off + 4] & 0xFFL) << 24) | ((buf[off + 5] & 0xFFL) << 16) | ((buf[off + 6] & 0xFFL) << 8)
                    | (buf[off + 7] & 0xFFL);
        }

        @Override
        public void sendRtcp(byte[] buf, int off, int len) {
        }

        @Override
        public void setReceiver(PacketReceiver receiver) {
        }

        @Override
        public String describe() {
            return "test";
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public void close() {
        }
    }
}
