package org.duet.bench.fuzz;

import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.opus.OpusPacketInfo;
import org.duet.mixer.rtp.AbsCaptureTimeExtension;
import org.duet.mixer.rtp.AudioLevelExtension;
import org.duet.mixer.rtp.RtpDropCounters;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpRtcpDemux;
import org.duet.mixer.rtp.RtpWriter;

/**
 * RTP as the media loop reads it (session/ParticipantMedia, input/VoiceInput): demux, parse in
 * place, read the audio-level and abs-capture-time extensions, check the Opus framing. Refused
 * packets come back as an {@link RtpDropReason}, counted per reason.
 */
final class RtpTarget implements FuzzTarget {

    private final RtpPacket packet = new RtpPacket();
    final RtpDropCounters drops = new RtpDropCounters();
    private long sink;

    @Override
    public String name() {
        return "rtp";
    }

    @Override
    public List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        int seq = 65_530;
        for (byte[] opus : Seeds.opusPackets()) {
            for (int form = 0; form < 4; form++) {
                RtpWriter w = new RtpWriter().payloadType(111).ssrc(0x1234_5678L).sequenceNumber(seq++ & 0xFFFF)
                        .timestamp(0xFFFF_F000L + 960L * seq).marker(form == 0);
                if (form >= 1) {
                    w.addAudioLevel(1, true, 30).addAbsCaptureTime(3, 0xE000_0000_0000_0000L + seq);
                }
                if (form == 2) {
                    w.addAbsCaptureTime(3, 0xE000_0000_1234_0000L, 42L).forceTwoByteExtensions(true).addCsrc(7);
                }
                byte[] b = new byte[1500];
                int h = w.write(b, 0);
                System.arraycopy(opus, 0, b, h, opus.length);
                int len = h + opus.length;
                if (form == 3) {
                    len = RtpWriter.addPadding(b, 0, len, 4);
                }
                out.add(java.util.Arrays.copyOf(b, len));
            }
        }
        return out;
    }

    @Override
    public List<byte[]> dictionary() {
        return List.of(new byte[] {(byte) 0xBE, (byte) 0xDE}, new byte[] {0x10, 0x00}, new byte[] {(byte) 0x90},
                new byte[] {(byte) 0xA0}, new byte[] {(byte) 0x80, 0x6F}, new byte[] {0x10}, new byte[] {0x3F});
    }

    @Override
    public int maxLength() {
        return 1500;
    }

    @Override
    public boolean run(byte[] b) {
        if (RtpRtcpDemux.isRtcp(b, 0, b.length)) {
            return false; // the RTCP target covers these
        }
        RtpDropReason reason = packet.parse(b, 0, b.length);
        drops.count(reason);
        if (reason != RtpDropReason.NONE) {
            return false;
        }
        int level = packet.extensionOffset(1);
        if (level >= 0 && AudioLevelExtension.isValid(packet.extensionLength(1))) {
            sink += AudioLevelExtension.level(b, level, packet.extensionLength(1));
            sink += AudioLevelExtension.voiceActivity(b, level, packet.extensionLength(1)) ? 1 : 0;
        }
        int abs = packet.extensionOffset(3);
        if (abs >= 0 && AbsCaptureTimeExtension.isValid(packet.extensionLength(3))) {
            sink += AbsCaptureTimeExtension.captureNtp(b, abs);
            if (AbsCaptureTimeExtension.hasEstimatedClockOffset(packet.extensionLength(3))) {
                sink += AbsCaptureTimeExtension.estimatedClockOffsetQ32(b, abs);
            }
        }
        for (int id = 0; id < 16; id++) { // every id, as a future extension reader would
            sink += packet.extensionOffset(id) + packet.extensionLength(id);
        }
        sink += packet.csrcCount() > 0 ? packet.csrc(packet.csrcCount() - 1) : 0;
        int off = packet.payloadOffset();
        int len = packet.payloadLength();
        if (OpusPacketInfo.validate(b, off, len) < 0) {
            return false;
        }
        sink += OpusPacketInfo.totalSamples(b, off, len);
        sink += OpusPacketInfo.hasInbandFec(b, off, len) ? 1 : 0;
        return true;
    }

    @Override
    public void close() {
        if (sink == 42) {
            System.err.print(""); // keeps the reads from being optimised away
        }
    }
}
