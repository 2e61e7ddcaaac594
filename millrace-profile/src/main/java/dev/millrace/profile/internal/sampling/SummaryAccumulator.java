package dev.millrace.profile.internal.sampling;

import dev.millrace.profile.UtilisationSample;
import dev.millrace.profile.UtilisationSummary;

/**
 * Running means and maxima of utilisation samples in constant memory, so that a sampler can
 * summarise a whole run while it keeps only the latest samples. Not thread-safe.
 */
public final class SummaryAccumulator {
  private final Stat processCpu = new Stat();
  private final Stat processCores = new Stat();
  private final Stat machineCpu = new Stat();
  private final Stat diskRate = new Stat();
  private long samples;
  private long diskReadBytes = -1;
  private long readBytes = -1;

  /** Mean and maximum of the values that are not NaN. */
  private static final class Stat {
    long n;
    double sum;
    double max = Double.NaN;

    void add(double v) {
      if (Double.isNaN(v)) {
        return;
      }
      n++;
      sum += v;
      max = Double.isNaN(max) ? v : Math.max(max, v);
    }

    double mean() {
      return n == 0 ? Double.NaN : sum / n;
    }
  }

  public void add(UtilisationSample s) {
    samples++;
    processCpu.add(s.processCpu());
    processCores.add(s.processCores());
    machineCpu.add(s.machineCpu());
    diskRate.add(s.diskReadBytesPerSecond());
    if (s.diskReadBytes() >= 0) {
      diskReadBytes = Math.max(0, diskReadBytes) + s.diskReadBytes();
    }
    if (s.readBytes() >= 0) {
      readBytes = Math.max(0, readBytes) + s.readBytes();
    }
  }

  public UtilisationSummary summary() {
    return new UtilisationSummary(
        samples,
        processCpu.mean(),
        processCpu.max,
        processCores.mean(),
        processCores.max,
        machineCpu.mean(),
        machineCpu.max,
        diskReadBytes,
        readBytes,
        diskRate.max);
  }
}
