package org.duet.bench.webrtc;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;
import org.duet.mixer.webrtc.srtp.PacketBuffer;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;
import org.duet.mixer.webrtc.srtp.SrtpResult;
import org.duet.mixer.webrtc.srtp.SrtpSession;

/**
 * SRTP cost on one thread: protect then unprotect of RTP packets with a 100-byte Opus payload,
 * as Duet's transport does them (in place, reused buffers), for each profile. Prints
 * {@code srtp_packets_per_core_per_s} (each packet protected and unprotected once) and the bytes
 * allocated per packet by jitsi-srtp.
 *
 * <p>Usage: {@code SrtpThroughputBenchmark [seconds per profile, default 3]}
 */
public final class SrtpThroughputBenchmark {

    private SrtpThroughputBenchmark() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        for (SrtpProfile profile : SrtpProfile.values()) {
            run(profile, seconds);
        }
    }

    private static void run(SrtpProfile profile, double seconds) {
        seq = 0;
        byte[] material = new byte[2 * (profile.keyLength() + profile.saltLength())];
        new Random(1).nextBytes(material);
        SrtpSession sender = new SrtpSession(SrtpKeys.fromExporter(profile, material, false));
        SrtpSession receiver = new SrtpSession(SrtpKeys.fromExporter(profile, material, true));
        byte[] plain = new byte[112];
        new Random(2).nextBytes(plain);
        plain[0] = (byte) 0x80;
        plain[1] = 111;
        PacketBuffer buf = new PacketBuffer(1600);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        // warm-up, then the measured run
        loop(sender, receiver, plain, buf, 200_000L, Long.MAX_VALUE);
        long allocBefore = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long packets = loop(sender, receiver, plain, buf, Long.MAX_VALUE, start + (long) (seconds * 1e9));
        long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
        long alloc = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - allocBefore;
        double perCoreSecond = packets / (cpu / 1e9);
        String suffix = profile == SrtpProfile.AEAD_AES_128_GCM ? "" : "_" + profile.name().toLowerCase(Locale.ROOT);
        System.out.printf(Locale.ROOT, "srtp_packets_per_core_per_s%s %.0f packets/s%n", suffix, perCoreSecond);
        System.out.printf(Locale.ROOT, "srtp_alloc_bytes_per_packet%s %.1f bytes%n", suffix, (double) alloc / packets);
        // the two halves apart (what the send path and the receive path each pay)
        long protectAlloc = 0;
        long unprotectAlloc = 0;
        int count = 20_000;
        for (int i = 0; i < count; i++) {
            plain[2] = (byte) (seq >> 8);
            plain[3] = (byte) seq;
            seq = (seq + 1) & 0xFFFF;
            buf.copyFrom(plain, 0, plain.length, SrtpSession.MAX_TRAILER);
            long a = threads.getCurrentThreadAllocatedBytes();
            sender.protectRtp(buf);
            long b = threads.getCurrentThreadAllocatedBytes();
            receiver.unprotectRtp(buf);
            long c = threads.getCurrentThreadAllocatedBytes();
            protectAlloc += b - a;
            unprotectAlloc += c - b;
        }
        System.out.printf(Locale.ROOT, "srtp_protect_alloc_bytes_per_packet%s %.1f bytes%n", suffix, (double) protectAlloc / count);
        System.out.printf(Locale.ROOT, "srtp_unprotect_alloc_bytes_per_packet%s %.1f bytes%n", suffix, (double) unprotectAlloc / count);
        sender.close();
        receiver.close();
    }

    /** Sequence number carried across the warm-up and the measured run (SRTP refuses to reuse one). */
    private static int seq;

    private static long loop(SrtpSession sender, SrtpSession receiver, byte[] plain, PacketBuffer buf,
                             long maxPackets, long deadlineNanos) {
        long n = 0;
        while (n < maxPackets) {
            if ((n & 1023) == 0 && System.nanoTime() > deadlineNanos) {
                break;
            }
            plain[2] = (byte) (seq >> 8);
            plain[3] = (byte) seq;
            plain[7] = (byte) seq; // timestamp moves with the sequence number
            buf.copyFrom(plain, 0, plain.length, SrtpSession.MAX_TRAILER);
            if (sender.protectRtp(buf) != SrtpResult.OK) {
                throw new IllegalStateException("protect failed at " + n);
            }
            if (receiver.unprotectRtp(buf) != SrtpResult.OK) {
                throw new IllegalStateException("unprotect failed at " + n);
            }
            seq = (seq + 1) & 0xFFFF;
            n++;
        }
        return n;
    }
}
