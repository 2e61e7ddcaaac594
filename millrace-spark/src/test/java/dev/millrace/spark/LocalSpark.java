package dev.millrace.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One Spark session in local mode ({@code local[2]}) for every test class of this module: starting
 * Spark costs seconds, so it is started once per test run and stopped when the JVM ends.
 */
public final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("millrace-spark-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.driver.host", "127.0.0.1")
              // On JDK 25, Spark's serialization debugger needs a class the JDK no longer has: a
              // task failing with an exception that cannot be serialized would hang the job.
              .config("spark.serializer.extraDebugInfo", "false")
              .getOrCreate();
      SparkSession s = session;
      Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "stop-local-spark"));
    }
    return session;
  }

  /** The value of a scan's metric in the plan {@code df} last ran. */
  public static long scanMetric(Dataset<Row> df, String name) {
    long total = 0;
    for (SparkPlan leaf : leaves(df.queryExecution().executedPlan())) {
      if (leaf instanceof BatchScanExec scan) {
        SQLMetric m = scan.metrics().get(name).get();
        total += m.value();
      }
    }
    return total;
  }

  private static List<SparkPlan> leaves(SparkPlan plan) {
    if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      plan = adaptive.executedPlan();
    }
    List<SparkPlan> out = new ArrayList<>();
    for (SparkPlan p : CollectionConverters.asJava(plan.collectLeaves())) {
      out.add(p);
    }
    return out;
  }

  /** The innermost message of a failure (Spark wraps a task's exception in its own). */
  public static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
