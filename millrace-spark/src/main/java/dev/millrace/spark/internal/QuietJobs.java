package dev.millrace.spark.internal;

import java.util.concurrent.TimeUnit;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkStatusTracker;

/**
 * Waits until failed or cancelled jobs have no task left running, so that a writer can remove its
 * temporary files knowing no task writes after that.
 *
 * <p>When a job fails, Spark reports the failure to the driver at once, while the job's other tasks
 * are killed asynchronously and may go on writing for a while. The status tracker learns of tasks
 * through the listener bus, in order: once it records a job as ended it has seen every task that
 * job started, so counting active tasks after that point misses none.
 */
final class QuietJobs {
  private static final long POLL_MILLIS = 20;

  private QuietJobs() {}

  /**
   * Returns once every job in {@code jobs} has ended and none of their stages runs a task, or when
   * {@code limitSeconds} have passed (an executor that was lost never reports its tasks).
   */
  static void await(JavaSparkStatusTracker tracker, JobIds jobs, long limitSeconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
    while (System.nanoTime() < deadline && busy(tracker, jobs.current())) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Whether any of the jobs is still running or still has a task running. */
  static boolean busy(JavaSparkStatusTracker tracker, int[] jobs) {
    return running(tracker, jobs) || activeTasks(tracker, jobs) > 0;
  }

  /** Whether the tracker still records any of the jobs as running. */
  static boolean running(JavaSparkStatusTracker tracker, int[] jobs) {
    for (int job : jobs) {
      SparkJobInfo info = tracker.getJobInfo(job);
      if (info != null && info.status() == JobExecutionStatus.RUNNING) {
        return true;
      }
    }
    return false;
  }

  /** The tasks the jobs' stages are running now. */
  static int activeTasks(JavaSparkStatusTracker tracker, int[] jobs) {
    int active = 0;
    for (int job : jobs) {
      SparkJobInfo info = tracker.getJobInfo(job);
      if (info == null) {
        continue;
      }
      for (int stage : info.stageIds()) {
        SparkStageInfo s = tracker.getStageInfo(stage);
        active += s == null ? 0 : s.numActiveTasks();
      }
    }
    return active;
  }

  /** The ids of the jobs to wait for, asked again on every poll (a group may start new ones). */
  @FunctionalInterface
  interface JobIds {
    int[] current();
  }
}
