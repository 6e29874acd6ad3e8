package org.duet.mixer.webrtc.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * A reusable {@link ByteArrayBuffer} over one array, for jitsi-srtp to transform packets in place.
 * Sized for the largest datagram plus the SRTP/SRTCP trailer, so {@link #grow} never allocates
 * on the packet path.
 */
public final class PacketBuffer implements ByteArrayBuffer {

    private byte[] buffer;
    private int offset;
    private int length;

    public PacketBuffer(int capacity) {
        this.buffer = new byte[capacity];
    }

    /** Points at {@code length} bytes of this buffer's own array starting at {@code offset}. */
    public void set(int offset, int length) {
        this.offset = offset;
        this.length = length;
    }

    /** Copies a packet in, at offset 0. Returns false (copying nothing) when it does not fit with room for a trailer. */
    public boolean copyFrom(byte[] src, int off, int len, int trailerRoom) {
        if (len < 0 || len + trailerRoom > buffer.length) {
            return false;
        }
        System.arraycopy(src, off, buffer, 0, len);
        offset = 0;
        length = len;
        return true;
    }

    public int capacity() {
        return buffer.length;
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int len) {
        if (len < 0 || offset + len > buffer.length) {
            throw new IllegalArgumentException("length " + len + " does not fit");
        }
        length = len;
    }

    @Override
    public void setOffset(int off) {
        if (off < 0 || off + length > buffer.length) {
            throw new IllegalArgumentException("offset " + off + " does not fit");
        }
        offset = off;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] outBuf) {
        System.arraycopy(buffer, offset + off, outBuf, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        if (offset + length + howMuch > buffer.length) {
            byte[] bigger = new byte[offset + length + howMuch];
            System.arraycopy(buffer, 0, bigger, 0, buffer.length);
            buffer = bigger; // only for packets larger than any datagram we read or send
        }
    }

    @Override
    public void append(byte[] data, int len) {
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        length = len <= 0 ? length : Math.max(0, length - len);
    }
}
