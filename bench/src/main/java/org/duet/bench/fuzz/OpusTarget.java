package org.duet.bench.fuzz;

import java.util.List;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusPacketInfo;

/**
 * Opus payloads as the jitter buffer handles them: the framing check ({@link OpusPacketInfo}),
 * then the real decoder (libopus when installed, else Concentus), in-band FEC when the packet
 * says it has it. A refused packet is a negative return, never an exception.
 */
final class OpusTarget implements FuzzTarget {

    private final OpusDecoder mono = OpusCodecs.newDecoder(1, OpusBackend.AUTO);
    private final short[] pcm = new short[OpusPacketInfo.MAX_PACKET_SAMPLES * 2];
    private long sink;

    @Override
    public String name() {
        return "opus";
    }

    @Override
    public List<byte[]> seeds() {
        return Seeds.opusPackets();
    }

    @Override
    public List<byte[]> dictionary() {
        return List.of(new byte[] {(byte) 0x03}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xFB},
                new byte[] {(byte) 0x7F}, new byte[] {(byte) 0xBF});
    }

    @Override
    public int maxLength() {
        return 1400;
    }

    @Override
    public boolean run(byte[] b) {
        if (OpusPacketInfo.validate(b, 0, b.length) < 0) {
            return false;
        }
        int samples = OpusPacketInfo.totalSamples(b, 0, b.length);
        if (samples > OpusPacketInfo.MAX_PACKET_SAMPLES) {
            throw new BrokenContract("validated packet of " + samples + " samples");
        }
        if (OpusPacketInfo.hasInbandFec(b, 0, b.length)) {
            sink += mono.decodeFec(b, 0, b.length, pcm, 0, Math.max(samples, 120));
        }
        int n = mono.decode(b, 0, b.length, pcm, 0, OpusPacketInfo.MAX_PACKET_SAMPLES);
        if (n > OpusPacketInfo.MAX_PACKET_SAMPLES) {
            throw new BrokenContract("decoder wrote " + n + " samples");
        }
        if (n < 0) {
            mono.reset();
            return false;
        }
        sink += pcm[0];
        return true;
    }

    @Override
    public void close() {
        mono.close();
    }
}
