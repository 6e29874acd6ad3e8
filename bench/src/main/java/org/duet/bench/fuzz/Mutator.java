package org.duet.bench.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded mutation fuzzer's input generator: each case is one of the target's valid inputs with
 * one to eight edits (bit flips, boundary bytes and 16/32-bit values, cuts, inserts, duplicated or
 * deleted ranges, format tokens from the dictionary, splices of two inputs), or now and then
 * random bytes or the untouched input. Same seed, same sequence of cases.
 */
final class Mutator {

    private static final int[] BYTES = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x22, 0x5C, 0x3C};
    private static final int[] SHORTS = {0x0000, 0x0001, 0x7FFF, 0x8000, 0xFFFF, 0x00FF, 0x0100, 0xFFFE};
    private static final long[] INTS = {0L, 1L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x2112_A442L};

    private final SplittableRandom random;
    private final List<byte[]> seeds;
    private final List<byte[]> dictionary;
    private final int maxLength;
    private byte[] work;
    private int length;

    Mutator(long seed, List<byte[]> seeds, List<byte[]> dictionary, int maxLength) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a fuzz target needs at least one valid input");
        }
        this.random = new SplittableRandom(seed);
        this.seeds = seeds;
        this.dictionary = dictionary;
        this.maxLength = maxLength;
        this.work = new byte[maxLength + 64];
    }

    /** The next case. */
    byte[] next() {
        int r = random.nextInt(100);
        if (r < 3) { // plain noise
            byte[] b = new byte[random.nextInt(Math.min(maxLength, 512) + 1)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) random.nextInt(256);
            }
            return b;
        }
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        if (r < 6) { // the valid input itself keeps the accepting path hot
            return seed.clone();
        }
        length = Math.min(seed.length, maxLength);
        System.arraycopy(seed, 0, work, 0, length);
        int edits = 1 + (random.nextInt(4) == 0 ? random.nextInt(8) : random.nextInt(2));
        for (int e = 0; e < edits; e++) {
            edit();
        }
        return Arrays.copyOf(work, length);
    }

    private void edit() {
        int op = random.nextInt(dictionary.isEmpty() ? 11 : 14);
        switch (op) {
            case 0 -> { // flip one bit
                if (length > 0) {
                    work[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> { // a boundary byte
                if (length > 0) {
                    work[random.nextInt(length)] = (byte) BYTES[random.nextInt(BYTES.length)];
                }
            }
            case 2 -> { // a boundary 16-bit value (lengths, sequence numbers, attribute types)
                if (length >= 2) {
                    int at = random.nextInt(length - 1);
                    int v = random.nextBoolean() ? SHORTS[random.nextInt(SHORTS.length)] : random.nextInt(length + 8);
                    work[at] = (byte) (v >>> 8);
                    work[at + 1] = (byte) v;
                }
            }
            case 3 -> { // a boundary 32-bit value
                if (length >= 4) {
                    int at = random.nextInt(length - 3);
                    long v = INTS[random.nextInt(INTS.length)];
                    for (int i = 0; i < 4; i++) {
                        work[at + i] = (byte) (v >>> (24 - 8 * i));
                    }
                }
            }
            case 4 -> length = length == 0 ? 0 : random.nextInt(length); // cut
            case 5 -> { // delete a range
                if (length > 1) {
                    int at = random.nextInt(length);
                    int n = 1 + random.nextInt(Math.min(16, length - at));
                    System.arraycopy(work, at + n, work, at, length - at - n);
                    length -= n;
                }
            }
            case 6 -> { // insert random bytes
                int n = 1 + random.nextInt(8);
                byte[] ins = new byte[n];
                for (int i = 0; i < n; i++) {
                    ins[i] = (byte) random.nextInt(256);
                }
                insert(ins);
            }
            case 7 -> { // duplicate a range
                if (length > 0) {
                    int at = random.nextInt(length);
                    int n = 1 + random.nextInt(Math.min(64, length - at));
                    insert(Arrays.copyOfRange(work, at, at + n));
                }
            }
            case 8 -> { // add or subtract a little
                if (length > 0) {
                    int at = random.nextInt(length);
                    work[at] = (byte) (work[at] + random.nextInt(-4, 5));
                }
            }
            case 9 -> { // swap two bytes
                if (length > 1) {
                    int a = random.nextInt(length);
                    int b = random.nextInt(length);
                    byte t = work[a];
                    work[a] = work[b];
                    work[b] = t;
                }
            }
            case 10 -> { // splice: this input's head, another input's tail
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                if (length > 0 && other.length > 0) {
                    int cut = random.nextInt(length);
                    int from = random.nextInt(other.length);
                    int n = Math.min(other.length - from, maxLength - cut);
                    System.arraycopy(other, from, work, cut, n);
                    length = cut + n;
                }
            }
            case 11, 12 -> insert(dictionary.get(random.nextInt(dictionary.size()))); // a token
            default -> { // a token over existing bytes
                byte[] token = dictionary.get(random.nextInt(dictionary.size()));
                if (length >= token.length) {
                    System.arraycopy(token, 0, work, random.nextInt(length - token.length + 1), token.length);
                }
            }
        }
    }

    private void insert(byte[] ins) {
        int n = Math.min(ins.length, maxLength - length);
        if (n <= 0) {
            return;
        }
        int at = length == 0 ? 0 : random.nextInt(length + 1);
        System.arraycopy(work, at, work, at + n, length - at);
        System.arraycopy(ins, 0, work, at, n);
        length += n;
    }
}
