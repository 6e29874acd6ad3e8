package org.duet.mixer.webrtc.sdp;

/** One {@code a=} line: {@code a=name:value}, or a flag {@code a=name} (value null). */
public record SdpAttribute(String name, String value) {

    public boolean isFlag() {
        return value == null;
    }

    @Override
    public String toString() {
        return value == null ? "a=" + name : "a=" + name + ":" + value;
    }
}
