package org.duet.bench.workload;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in "mixer" with known behaviour for testing the harness end to end over real sockets:
 * it forwards each singer's RTP after a fixed delay to the other singer (a perfect mix-minus) and
 * singer A's RTP to the listener. RTCP is dropped.
 */
final class DelayingForwarder implements MixerUnderTest {

    private record Later(long due, InetSocketAddress to, byte[] data) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(due, ((Later) o).due);
        }
    }

    private final long delayNanos;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final DelayQueue<Later> queue = new DelayQueue<>();
    private final DatagramChannel out;
    private volatile boolean stopped;

    DelayingForwarder(long delayMillis) throws IOException {
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.out = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread sender = new Thread(() -> {
            while (!stopped) {
                try {
                    Later l = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (l != null) {
                        out.send(ByteBuffer.wrap(l.data), l.to);
                    }
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "forwarder-send");
        sender.setDaemon(true);
        sender.start();
        threads.add(sender);
    }

    @Override
    public String name() {
        return "forwarder";
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public DuetPorts addDuet(int index, InetSocketAddress singerA, InetSocketAddress singerB,
                             InetSocketAddress listener) throws IOException {
        DatagramChannel a = open(List.of(singerB, listener));
        DatagramChannel b = open(List.of(singerA));
        return new DuetPorts((InetSocketAddress) a.getLocalAddress(), (InetSocketAddress) b.getLocalAddress(), null);
    }

    private DatagramChannel open(List<InetSocketAddress> targets) throws IOException {
        DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channels.add(ch);
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            while (!stopped) {
                try {
                    buf.clear();
                    ch.receive(buf);
                    buf.flip();
                    int second = buf.limit() > 1 ? buf.get(1) & 0xFF : 0;
                    if (second >= 192 && second <= 223) {
                        continue;
                    }
                    byte[] data = new byte[buf.limit()];
                    buf.get(data);
                    long due = System.nanoTime() + delayNanos;
                    for (InetSocketAddress to : targets) {
                        queue.add(new Later(due, to, data));
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "forwarder-recv");
        t.setDaemon(true);
        t.start();
        threads.add(t);
        return ch;
    }

    @Override
    public void close() {
        stopped = true;
        for (DatagramChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // test teardown
            }
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // test teardown
        }
    }
}
