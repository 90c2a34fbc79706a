package dev.simdnet.serve;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server's run-time heap policy: set where the user left the defaults, and only there. */
class HeapPolicyTest {
    @Test
    void setsTheDefaultsItFindsAndLeavesWhatTheUserSet() {
        HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assumeTrue(HeapPolicy.usesG1(), "the test JVM does not run G1");
        // Surefire's fork gives none of these flags, so all three are at their defaults before, and set after.
        boolean fresh = HeapPolicy.FLAGS.stream().allMatch(f -> hs.getVMOption(f[0]).getOrigin() == com.sun.management.VMOption.Origin.DEFAULT);
        var set = HeapPolicy.applyForServing();
        if (fresh) assertThat(set).containsExactly("G1PeriodicGCInterval=2000", "MinHeapFreeRatio=5", "MaxHeapFreeRatio=10");
        for (String[] f : HeapPolicy.FLAGS) assertThat(hs.getVMOption(f[0]).getValue()).as(f[0]).isEqualTo(f[1]);
        // Set once (origin MANAGEMENT now), they count as stated: a second call changes nothing.
        assertThat(HeapPolicy.applyForServing()).isEmpty();
    }
}
