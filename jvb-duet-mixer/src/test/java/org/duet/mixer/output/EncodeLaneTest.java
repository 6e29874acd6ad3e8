package org.duet.mixer.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.mix.PlayoutCursor;
import org.duet.mixer.mix.SoftLimiter;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusPacketInfo;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.transport.PacketReceiver;
import org.duet.mixer.transport.PacketTransport;
import org.junit.jupiter.api.Test;

/** Encoder classes of one output: one encode per distinct setting, continuous streams per receiver. */
class EncodeLaneTest {

    /** Records what was sent. */
    static final class Capture implements PacketTransport {
        final List<byte[]> rtp = new ArrayList<>();

        @Override
        public void sendRtp(byte[] buf, int off, int len) {
            rtp.add(java.util.Arrays.copyOfRange(buf, off, off + len));
        }

        @Override
        public void sendRtcp(byte[] buf, int off, int len) {
        }

        @Override
        public void setReceiver(PacketReceiver receiver) {
        }

        @Override
        public String describe() {
            return "capture";
        }

        @Override
        public void close() {
        }
    }

    /** A 440 Hz tone that never waits. */
    static final class Tone implements MixSource {
        @Override
        public long completeThrough(long tickPosition) {
            return Long.MAX_VALUE;
        }

        @Override
        public void mixInto(long position, float gain, float[] out, int outOff, int count) {
            for (int i = 0; i < count; i++) {
                out[outOff + i] += gain * 0.3f * (float) Math.sin(2 * Math.PI * 440 * (position + i) / 48_000.0);
            }
        }

        @Override
        public boolean isStale(long tickPosition) {
            return false;
        }
    }

    private final OpusSettings clean = new OpusSettings(1, 64_000, 5, false, 0, false,
            OpusApplication.RESTRICTED_LOWDELAY, 480);
    private final OpusSettings lossy = new OpusSettings(1, 32_000, 5, true, 10, false, OpusApplication.VOIP, 960);

    private MixOutput output(List<Runnable> pending) {
        MixOutput out = new MixOutput("t", ServerClock.startingNow(), 480, OpusCodecs.newEncoder(clean), clean,
                new SoftLimiter(-1, 120), new PlayoutCursor(480, 48, 96, 100), 48_000);
        out.setSources(new MixSource[] {new Tone()}, new float[] {1f}, 1);
        out.setEncoderSource((o, s) -> pending.add(() -> o.addLane(s, OpusCodecs.newEncoder(s))));
        return out;
    }

    @Test
    void receiversWithEqualSettingsShareOneEncoderAndStreamsStayContinuous() {
        List<Runnable> pending = new ArrayList<>();
        MixOutput out = output(pending);
        Capture[] caps = new Capture[100];
        OutputSubscriber[] subs = new OutputSubscriber[100];
        for (int i = 0; i < subs.length; i++) {
            caps[i] = new Capture();
            subs[i] = new OutputSubscriber(caps[i], MediaFormat.opusDefaults());
        }
        out.setSubscribers(subs);
        long t = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            out.tick(t += 10_000_000L);
        }
        assertThat(out.activeEncoders()).isEqualTo(1);
        for (int i = 0; i < 50; i++) { // half the receivers become lossy
            out.setSubscriberSettings(subs[i], lossy);
        }
        assertThat(pending).as("one encoder requested for 50 receivers").hasSize(1);
        out.tick(t += 10_000_000L); // still on the old encoder while the new one is built
        assertThat(out.activeEncoders()).isEqualTo(1);
        pending.forEach(Runnable::run);
        assertThat(out.activeEncoders()).isEqualTo(2);
        for (int i = 0; i < 40; i++) {
            out.tick(t += 10_000_000L);
        }
        assertThat(out.settingsOf(subs[0])).isEqualTo(lossy);
        assertThat(out.settingsOf(subs[99])).isEqualTo(clean);
        for (int i : new int[] {0, 99}) {
            checkContinuous(caps[i].rtp);
        }
        RtpPacket p = new RtpPacket();
        byte[] last = caps[0].rtp.get(caps[0].rtp.size() - 1);
        assertThat(p.parse(last, 0, last.length)).isEqualTo(RtpDropReason.NONE);
        assertThat(OpusPacketInfo.totalSamples(last, p.payloadOffset(), p.payloadLength())).isEqualTo(960);
        byte[] lastClean = caps[99].rtp.get(caps[99].rtp.size() - 1);
        p.parse(lastClean, 0, lastClean.length);
        assertThat(OpusPacketInfo.totalSamples(lastClean, p.payloadOffset(), p.payloadLength())).isEqualTo(480);
        // back to clean: the extra encoder closes
        for (int i = 0; i < 50; i++) {
            out.setSubscriberSettings(subs[i], clean);
        }
        assertThat(out.activeEncoders()).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            out.tick(t += 10_000_000L);
        }
        checkContinuous(caps[0].rtp);
        out.close();
    }

    /** Sequence numbers step by one; timestamps never overlap and leave at most one 10 ms gap per switch. */
    private static void checkContinuous(List<byte[]> packets) {
        RtpPacket p = new RtpPacket();
        int prevSeq = -1;
        long prevEnd = -1;
        long ssrc = -1;
        for (byte[] b : packets) {
            assertThat(p.parse(b, 0, b.length)).isEqualTo(RtpDropReason.NONE);
            if (prevSeq >= 0) {
                assertThat(p.sequenceNumber()).isEqualTo((prevSeq + 1) & 0xFFFF);
                long gap = (p.timestamp() - prevEnd) & 0xFFFFFFFFL;
                assertThat(gap).as("timestamp gap").isIn(0L, 480L);
                assertThat(p.ssrc()).isEqualTo(ssrc);
            }
            ssrc = p.ssrc();
            prevSeq = p.sequenceNumber();
            prevEnd = (p.timestamp() + OpusPacketInfo.totalSamples(b, p.payloadOffset(), p.payloadLength())) & 0xFFFFFFFFL;
        }
    }
}
