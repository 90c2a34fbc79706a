package dev.simdnet.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.Map;

/** One local[2] session for every test class of the module (starting one costs 5-10 s); stopped when the JVM exits. */
final class TestSpark {
    private TestSpark() {}

    static synchronized SparkSession session() {
        return SparkSetup.session("local[2]", "simdnet tests", Map.of("spark.driver.host", "127.0.0.1", "spark.sql.shuffle.partitions", "2",
                // Compiling generated code for each query costs more than it saves on a few hundred rows.
                "spark.sql.codegen.wholeStage", "false", "spark.sql.adaptive.enabled", "false"));
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }

    static Path data() {
        return Path.of(System.getProperty("simdnet.test.data", "../shared/data"));
    }
}
