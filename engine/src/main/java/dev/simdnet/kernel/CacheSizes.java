package dev.simdnet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The data caches of one core, as Linux describes them in {@code /sys/devices/system/cpu/cpu0/cache/index*}:
 * level, type and size of each. A cache the machine does not describe (not Linux, a container that hides /sys, a
 * value that does not parse) takes a safe default: 32 KiB L1, 512 KiB L2, 8 MiB L3 per core group, the smallest
 * of the x86 and ARM server cores we run on. {@code l3} is the whole shared cache and {@code l3Sharers} the number
 * of logical CPUs that share it.
 */
public record CacheSizes(long l1d, long l2, long l3, int l3Sharers, String source) {
    static final long DEFAULT_L1D = 32 << 10, DEFAULT_L2 = 512 << 10, DEFAULT_L3 = 8 << 20;
    private static final Path SYS = Path.of("/sys/devices/system/cpu/cpu0/cache");

    /** This machine's caches. */
    public static CacheSizes detect() {
        return read(SYS);
    }

    /** The caches described under {@code dir} (a copy of {@code /sys/.../cpu0/cache} in tests). */
    static CacheSizes read(Path dir) {
        long l1 = -1, l2 = -1, l3 = -1;
        int sharers = 1;
        try (var entries = Files.list(dir)) {
            for (Path index : entries.filter(p -> p.getFileName().toString().startsWith("index")).sorted().toList()) {
                String type = text(index.resolve("type"));
                if (type == null || type.equalsIgnoreCase("Instruction")) continue;
                int level;
                long size;
                try {
                    level = Integer.parseInt(text(index.resolve("level")));
                    size = bytes(text(index.resolve("size")));
                } catch (RuntimeException e) {
                    continue;                    // a malformed entry is skipped; its level takes the default
                }
                if (size <= 0) continue;
                switch (level) {
                    case 1 -> l1 = size;
                    case 2 -> l2 = size;
                    case 3 -> {
                        l3 = size;
                        sharers = cpuCount(text(index.resolve("shared_cpu_list")));
                    }
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no such folder: every level takes its default
        }
        boolean all = l1 > 0 && l2 > 0 && l3 > 0;
        boolean none = l1 <= 0 && l2 <= 0 && l3 <= 0;
        return new CacheSizes(l1 > 0 ? l1 : DEFAULT_L1D, l2 > 0 ? l2 : DEFAULT_L2, l3 > 0 ? l3 : DEFAULT_L3,
                l3 > 0 ? sharers : 1, all ? "/sys" : none ? "defaults (no cache sizes in /sys)" : "/sys, defaults for the missing levels");
    }

    /** {@code "32K"}, {@code "1024K"}, {@code "32M"} or a plain byte count. */
    static long bytes(String s) {
        if (s == null) throw new IllegalArgumentException("no size");
        String t = s.strip().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) unit = 1L << 10;
        else if (t.endsWith("M")) unit = 1L << 20;
        else if (t.endsWith("G")) unit = 1L << 30;
        if (unit > 1) t = t.substring(0, t.length() - 1);
        long v = Long.parseLong(t);
        if (v < 0 || v > (1L << 40) / unit) throw new IllegalArgumentException("size out of range: " + s);
        return v * unit;
    }

    /** The number of CPUs in a list such as {@code 0-7,16-23}; 1 when it cannot be read. */
    static int cpuCount(String list) {
        if (list == null || list.isBlank()) return 1;
        int n = 0;
        try {
            for (String part : list.strip().split(",")) {
                int dash = part.indexOf('-');
                n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1).strip()) - Integer.parseInt(part.substring(0, dash).strip()) + 1;
            }
        } catch (RuntimeException e) {
            return 1;
        }
        return Math.max(1, n);
    }

    private static String text(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "L1d %d KiB, L2 %d KiB, L3 %d MiB shared by %d", l1d >> 10, l2 >> 10, l3 >> 20, l3Sharers);
    }
}
