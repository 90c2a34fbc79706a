package dev.simdnet.track;

import dev.simdnet.kernel.Kernels;
import dev.simdnet.train.BuildInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine and code a run ran on, for env.json. */
public final class Environment {
    private Environment() {}

    /**
     * The JDK, OS, CPU model (from /proc/cpuinfo), cores, the kernels and their thread count, the vector
     * species of the Vector API kernels, and the git commit with whether the tree had uncommitted changes.
     * Costs one {@code git} call (tens of milliseconds): capture once per process and reuse with
     * {@link #withKernels}.
     */
    public static Map<String, Object> capture(Kernels kernels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jdk", Runtime.version().toString());
        m.put("java_vendor", System.getProperty("java.vendor"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpu_model", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        String commit = BuildInfo.gitCommit();
        boolean dirty = commit.endsWith("-dirty");
        m.put("git_commit", dirty ? commit.substring(0, commit.length() - "-dirty".length()) : commit);
        m.put("git_dirty", commit.equals("unknown") ? null : dirty);
        return withKernels(m, kernels);
    }

    /** A copy of {@code env} describing {@code kernels}: their name, threads and vector species. */
    public static Map<String, Object> withKernels(Map<String, Object> env, Kernels kernels) {
        Map<String, Object> m = new LinkedHashMap<>(env);
        m.put("kernels", kernels.name());
        m.put("threads", kernels.threads());
        String species = vectorSpecies(kernels);
        m.put("vector_species", species);
        m.put("vector_bits", species == null ? null : Integer.parseInt(species.replaceAll("-bit.*", "").strip()));
        m.put("vector_floats", species == null ? null : Integer.parseInt(species.replaceAll(".*, *", "").replaceAll("[^0-9]", "")));
        m.put("kernel_config", kernels.configuration());
        return m;
    }

    /**
     * "256-bit, 8 floats" for the Vector API kernels, null for the scalar ones. Read by reflection: only the
     * engine may touch jdk.incubator.vector, and VectorKernels may not even be loadable without the module.
     */
    static String vectorSpecies(Kernels kernels) {
        if (!kernels.name().equals("vector")) return null;
        try {
            return (String) kernels.getClass().getMethod("species").invoke(null);
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            return null;
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
