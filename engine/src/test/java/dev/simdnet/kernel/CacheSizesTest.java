package dev.simdnet.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The caches are read from a /sys-like folder; what is missing or malformed takes the defaults. */
class CacheSizesTest {
    private static void index(Path dir, int i, int level, String type, String size, String shared) throws Exception {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("shared_cpu_list"), shared + "\n");
    }

    @Test
    void aZen3CoreIsReadAsLinuxDescribesIt(@TempDir Path dir) throws Exception {
        index(dir, 0, 1, "Data", "32K", "0,16");
        index(dir, 1, 1, "Instruction", "64K", "0,16");   // not a data cache: ignored
        index(dir, 2, 2, "Unified", "512K", "0,16");
        index(dir, 3, 3, "Unified", "32768K", "0-7,16-23");
        CacheSizes c = CacheSizes.read(dir);
        assertThat(c.l1d()).isEqualTo(32 << 10);
        assertThat(c.l2()).isEqualTo(512 << 10);
        assertThat(c.l3()).isEqualTo(32L << 20);
        assertThat(c.l3Sharers()).isEqualTo(16);
        assertThat(c.source()).isEqualTo("/sys");
    }

    @Test
    void missingOrMalformedLevelsTakeTheDefaults(@TempDir Path dir) throws Exception {
        assertThat(CacheSizes.read(dir.resolve("absent"))).isEqualTo(new CacheSizes(CacheSizes.DEFAULT_L1D,
                CacheSizes.DEFAULT_L2, CacheSizes.DEFAULT_L3, 1, "defaults (no cache sizes in /sys)"));
        index(dir, 0, 1, "Data", "48K", "0");
        index(dir, 1, 2, "Unified", "lots", "0");              // does not parse
        index(dir, 2, 3, "Unified", "-5K", "0-1");             // negative
        CacheSizes c = CacheSizes.read(dir);
        assertThat(c.l1d()).isEqualTo(48 << 10);
        assertThat(c.l2()).isEqualTo(CacheSizes.DEFAULT_L2);
        assertThat(c.l3()).isEqualTo(CacheSizes.DEFAULT_L3);
        assertThat(c.source()).contains("defaults for the missing");
    }

    @Test
    void sizesAndCpuListsParse() {
        assertThat(CacheSizes.bytes("1024K")).isEqualTo(1 << 20);
        assertThat(CacheSizes.bytes("32M")).isEqualTo(32L << 20);
        assertThat(CacheSizes.bytes("65536")).isEqualTo(65536);
        assertThatThrownBy(() -> CacheSizes.bytes("9999999999999G")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CacheSizes.cpuCount("0-7,16-23")).isEqualTo(16);
        assertThat(CacheSizes.cpuCount("3")).isEqualTo(1);
        assertThat(CacheSizes.cpuCount("x-y")).isEqualTo(1);
    }

    @Test
    void thisMachineHasPlausibleCaches() {
        CacheSizes c = CacheSizes.detect();
        assertThat(c.l1d()).isBetween(8L << 10, 4L << 20);
        assertThat(c.l2()).isGreaterThanOrEqualTo(c.l1d());
        assertThat(c.l3Sharers()).isPositive();
    }
}
