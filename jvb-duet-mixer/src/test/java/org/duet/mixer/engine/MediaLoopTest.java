package org.duet.mixer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The media loop against a broken room and a flooding sender: the others keep their service. */
class MediaLoopTest {

    @Test
    void aRoomThatThrowsAnErrorDoesNotStopTheLoopOrTheOtherRooms() throws Exception {
        try (MediaLoop loop = new MediaLoop("test-loop", 5_000_000, 256)) {
            AtomicInteger goodTicks = new AtomicInteger();
            loop.addTask(t -> {
                throw new AssertionError("a bug in one room"); // an Error, not an Exception
            });
            loop.addTask(t -> goodTicks.incrementAndGet());
            loop.execute(() -> {
                throw new StackOverflowError("a bug in a command");
            });
            loop.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (goodTicks.get() < 40 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.printf("healthy room ticks %d, errors counted %d%n", goodTicks.get(), loop.handlerErrors());
            assertThat(goodTicks.get()).isGreaterThanOrEqualTo(40);
            assertThat(loop.handlerErrors()).isGreaterThanOrEqualTo(goodTicks.get() - 1L);
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertThat(ran.await(5, TimeUnit.SECONDS)).as("the loop still runs commands").isTrue();
        }
    }

    @Test
    void oneFloodingSenderGetsOnlyItsShareOfTheInboundQueue() throws Exception {
        try (MediaLoop loop = new MediaLoop("test-loop", 10_000_000, 1024)) { // share: 128 packets
            AtomicInteger flooded = new AtomicInteger();
            AtomicInteger fair = new AtomicInteger();
            LoopReceiver flooder = loop.receiverFor((b, o, l, r, t) -> flooded.incrementAndGet());
            LoopReceiver neighbour = loop.receiverFor((b, o, l, r, t) -> fair.incrementAndGet());
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            loop.start();
            loop.execute(() -> { // keep the loop busy so the queue fills
                holding.countDown();
                try {
                    hold.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
            byte[] packet = new byte[100];
            for (int i = 0; i < 2000; i++) {
                flooder.onPacket(packet, 0, packet.length, false, System.nanoTime());
            }
            for (int i = 0; i < 10; i++) {
                neighbour.onPacket(packet, 0, packet.length, false, System.nanoTime());
            }
            hold.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (fair.get() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.printf("flooder handled %d of 2000, neighbour %d of 10, share drops %d%n",
                    flooded.get(), fair.get(), loop.shareDropped());
            assertThat(fair.get()).isEqualTo(10);
            assertThat(flooded.get()).isEqualTo(128);
            assertThat(loop.shareDropped()).isEqualTo(2000 - 128);
        }
    }

    /**
     * A loop starved for seconds finds its queue full of old packets: RTP that waited over a second
     * is dropped unhandled and counted (its audio is past use, and handling it kept the loop behind),
     * RTCP is still handled.
     */
    @Test
    void rtpThatWaitedOverASecondInTheQueueIsDroppedAndCounted() throws Exception {
        try (MediaLoop loop = new MediaLoop("test-loop", 10_000_000, 1024)) {
            AtomicInteger rtp = new AtomicInteger();
            AtomicInteger rtcp = new AtomicInteger();
            LoopReceiver r = loop.receiverFor((b, o, l, isRtcp, t) -> (isRtcp ? rtcp : rtp).incrementAndGet());
            loop.start();
            byte[] packet = new byte[100];
            long now = System.nanoTime();
            for (int i = 0; i < 50; i++) { // arrived 5 s ago and waited since (the loop was starved)
                r.onPacket(packet, 0, packet.length, false, now - 5_000_000_000L + i * 20_000_000L);
            }
            r.onPacket(packet, 0, packet.length, true, now - 5_000_000_000L);
            for (int i = 0; i < 10; i++) {
                r.onPacket(packet, 0, packet.length, false, System.nanoTime());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (rtp.get() + loop.staleDropped() < 60 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.printf("handled %d RTP and %d RTCP, %d stale RTP dropped%n", rtp.get(), rtcp.get(),
                    loop.staleDropped());
            assertThat(loop.staleDropped()).isEqualTo(50);
            assertThat(rtp.get()).isEqualTo(10);
            assertThat(rtcp.get()).isEqualTo(1);
        }
    }
}
