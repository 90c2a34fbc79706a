package dev.simdnet.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

/**
 * The Spark session of a command, and the checks that come first: a master URL Spark would not parse, or a
 * standalone master that does not answer, is one line before anything starts (Spark itself would retry for a
 * minute and then print a page of stack traces).
 */
public final class SparkSetup {
    private SparkSetup() {}

    /**
     * The master to use: the one given, else the one spark-submit set ({@code spark.master}), else {@code local[*]}.
     */
    public static String master(String given) {
        if (given != null) return given;
        String submitted = System.getProperty("spark.master");
        return submitted != null ? submitted : "local[*]";
    }

    /** Refuses a master URL Spark would not take, and a {@code spark://} master that does not accept a connection. */
    public static void checkMaster(String master) {
        if (master.matches("local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?])?") || master.equals("yarn") || master.startsWith("k8s://")) return;
        if (!master.startsWith("spark://"))
            throw new IllegalArgumentException("unknown --master '" + master + "': use local[N], local[*], spark://HOST:PORT, yarn or k8s://HOST:PORT");
        String hosts = master.substring("spark://".length());
        String last = null;
        for (String hp : hosts.split(",")) {
            int colon = hp.lastIndexOf(':');
            String host = colon < 0 ? hp : hp.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad --master '" + master + "': the port of " + hp + " is not a number");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 5_000);
                return;
            } catch (IOException e) {
                last = host + ":" + port + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
            }
        }
        throw new IllegalArgumentException("cannot reach the Spark master " + master + ": " + last
                + "; start the master, or run on this machine with --master local[*]");
    }

    /** A session on {@code master} (checked first), with the settings given; quiet logs, no web UI in local mode unless asked. */
    public static SparkSession session(String master, String app, Map<String, String> conf) {
        SparkContext sc = context(master, app, conf);
        return SparkSession.builder().config(sc.getConf()).getOrCreate();
    }

    /**
     * A bare context on {@code master} (checked first), as {@link #session} makes it but without Spark SQL's session
     * (about 1 s more on 2 cores); it is stopped by {@link #stop()}.
     */
    public static SparkContext context(String master, String app, Map<String, String> conf) {
        checkMaster(master);
        SparkConf c = new SparkConf().setAppName(app).setMaster(master);
        if (master.startsWith("local")) c.set("spark.ui.enabled", "false");
        for (var e : conf.entrySet()) c.set(e.getKey(), e.getValue());
        SparkContext sc = SparkContext.getOrCreate(c);
        sc.setLogLevel("WARN");
        made = sc;
        return sc;
    }

    private static volatile SparkContext made;

    /** Stops the context (and session) this JVM made, if any. */
    public static void stop() {
        SparkSession.getActiveSession().foreach(s -> { s.stop(); return null; });
        SparkContext sc = made;
        if (sc != null && !sc.isStopped()) sc.stop();
    }

    /** Kernel threads of each task: {@code spark.task.cpus}. */
    public static int taskCpus(SparkSession s) {
        return taskCpus(s.sparkContext());
    }

    public static int taskCpus(SparkContext sc) {
        return Integer.parseInt(sc.getConf().get("spark.task.cpus", "1"));
    }
}
