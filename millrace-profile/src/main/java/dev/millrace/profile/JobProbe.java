package dev.millrace.profile;

import dev.millrace.data.Batch;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.PipelineStats;
import dev.millrace.graph.Session;
import dev.millrace.nn.BuiltinModel;
import dev.millrace.nn.InputPipelines;
import dev.millrace.nn.Model;
import dev.millrace.nn.StepRunner;
import dev.millrace.nn.TrainConfig;
import dev.millrace.tensor.DataFormat;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Times the arrangements the performance guide compares: the input pipeline alone, the model alone
 * on an in-memory batch, the whole job, and the whole job with its model replaced by {@code
 * linear}. Each run takes {@code warmup} untimed steps first (JIT compilation, thread start-up,
 * autotuning), then {@code steps} timed ones; epochs roll over as the real job's would.
 */
public final class JobProbe {
  /** Step records kept per run for the report. */
  private static final int MAX_RECORDS = 10_000;

  private final TrainConfig config;
  private final int steps;
  private final int warmup;

  public JobProbe(TrainConfig config, int steps, int warmup) {
    if (steps < 1 || warmup < 0) {
      throw new IllegalArgumentException("steps " + steps + " >= 1, warm-up " + warmup + " >= 0");
    }
    this.config = config;
    this.steps = steps;
    this.warmup = warmup;
  }

  /** The pipeline's batches, epoch after epoch, for as long as they are asked for. */
  private final class Batches implements AutoCloseable {
    private int epoch;
    private DatasetIterator<Batch> it = open(0);

    private DatasetIterator<Batch> open(int e) {
      Dataset<Batch> d =
          InputPipelines.train(
              config.data(),
              config.format(),
              config.recipe().batch(),
              config.input(),
              config.seed(),
              e);
      return d.iterator();
    }

    Batch next() {
      if (!it.hasNext()) {
        it.close();
        it = open(++epoch);
        if (!it.hasNext()) {
          throw new IllegalStateException(config.data().dir() + ": the train split gave no batch");
        }
      }
      return it.next();
    }

    PipelineStats stats() {
      return it.stats();
    }

    @Override
    public void close() {
      it.close();
    }
  }

  /** (a) The input pipeline alone: batches taken as fast as it delivers them. */
  public ProbeRun inputPipeline() {
    try (Batches b = new Batches()) {
      for (int i = 0; i < warmup; i++) {
        b.next().release();
      }
      CpuClock cpu = CpuClock.start();
      long start = System.nanoTime();
      List<StepRecord> records = new ArrayList<>();
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        Batch batch = b.next();
        keep(records, new StepRecord(i, t0, System.nanoTime() - t0, 0, batch.size()));
        batch.release(); // as the training loop does, so the pipeline reuses its arrays here too
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new ProbeRun(
          "input_pipeline",
          "input pipeline alone",
          steps,
          seconds,
          config.recipe().batch(),
          0,
          median(records),
          cpu.coresSince(),
          b.stats(),
          List.of(),
          records);
    }
  }

  /** (b) The model alone, fed one real batch from memory again and again: the compute ceiling. */
  public ProbeRun modelAlone(DataFormat format) {
    TrainConfig c = config.withFormat(format);
    Batch batch;
    try (Batches b = new JobProbe(c, 1, 0).new Batches()) {
      batch = b.next();
    }
    String key = format == config.format() ? "model_alone" : "model_alone_" + format.name();
    String name =
        "model alone on an in-memory batch" + (format == config.format() ? "" : ", " + format);
    return train(c, c.model(), false, batch, key, name);
  }

  /** (c) The whole job: the model fed by the real pipeline. */
  public ProbeRun fullJob() {
    return train(config, config.model(), true, null, "full_job", "full job");
  }

  /** (d) The job with its model replaced by {@code linear}, the simplest model. */
  public ProbeRun linear() {
    return train(
        config, BuiltinModel.LINEAR, true, null, "linear", "linear model on the same pipeline");
  }

  private ProbeRun train(
      TrainConfig c,
      BuiltinModel kind,
      boolean fromPipeline,
      Batch fixed,
      String key,
      String name) {
    StepProfiler profiler = new StepProfiler(0, 1, 1_000_000, 0.5);
    List<StepRecord> records = new ArrayList<>();
    try (Model model =
            Model.builder(kind, c.data().shape())
                .classes(c.classes())
                .format(c.format())
                .recipe(
                    kind == c.model() ? c.recipe() : kind.recipe().withBatch(c.recipe().batch()))
                .seed(c.seed())
                .build();
        Session session = new Session(model.graph(), c.threads());
        // Opened only now: a pipeline started before the model was built would fill its buffers
        // meanwhile and hide its cost from the timed steps.
        Batches batches = fromPipeline ? new Batches() : null) {
      session.initialize();
      StepRunner runner =
          new StepRunner(model, session, c.data().image(), c.data().label(), c.seed());
      long start = 0;
      CpuClock cpu = null;
      for (int i = 0; i < warmup + steps; i++) {
        if (i == warmup) {
          start = System.nanoTime();
          cpu = CpuClock.start();
        }
        long t0 = System.nanoTime();
        Batch batch = fixed != null ? fixed : batches.next();
        long t1 = System.nanoTime();
        StepRunner.Outcome o = runner.train(batch, i);
        long t2 = System.nanoTime();
        if (batch != fixed) {
          batch.release(); // the training loop's own lifecycle; the fixed batch is fed again
        }
        if (i >= warmup) {
          StepRecord r = new StepRecord(i - warmup, t0, t1 - t0, t2 - t1, batch.size());
          profiler.record(r, o.stats());
          keep(records, r);
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new ProbeRun(
          key,
          name + " (" + kind.cliName() + ")",
          steps,
          seconds,
          c.recipe().batch(),
          profiler.inputWaitShare(),
          profiler.medianStepMillis(),
          cpu.coresSince(),
          batches == null ? null : batches.stats(),
          profiler.topOps(12),
          records);
    }
  }

  private static void keep(List<StepRecord> records, StepRecord r) {
    if (records.size() < MAX_RECORDS) {
      records.add(r);
    }
  }

  private static double median(List<StepRecord> records) {
    long[] t = records.stream().mapToLong(StepRecord::totalNanos).sorted().toArray();
    return t.length == 0 ? 0 : t[t.length / 2] / 1e6;
  }

  /** This process's CPU time, for "cores busy" over a run. */
  private record CpuClock(long cpuNanos, long wallNanos) {
    static CpuClock start() {
      return new CpuClock(processCpuNanos(), System.nanoTime());
    }

    double coresSince() {
      long cpu = processCpuNanos();
      if (cpu < 0 || cpuNanos < 0) {
        return Double.NaN;
      }
      return (double) (cpu - cpuNanos) / Math.max(1, System.nanoTime() - wallNanos);
    }

    private static long processCpuNanos() {
      if (ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean os) {
        return os.getProcessCpuTime();
      }
      return -1;
    }
  }
}
