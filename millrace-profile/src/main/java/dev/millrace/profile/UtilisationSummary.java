package dev.millrace.profile;

import dev.millrace.profile.internal.sampling.SummaryAccumulator;
import java.util.List;

/**
 * Means and maxima of utilisation samples. A mean or maximum of a value no sample reported is
 * {@code NaN}; byte totals are {@code -1} when unknown.
 *
 * @param samples how many samples went in
 * @param meanProcessCpu mean of {@link UtilisationSample#processCpu()}
 * @param maxProcessCpu maximum of {@link UtilisationSample#processCpu()}
 * @param meanProcessCores mean of {@link UtilisationSample#processCores()}
 * @param maxProcessCores maximum of {@link UtilisationSample#processCores()}
 * @param meanMachineCpu mean of {@link UtilisationSample#machineCpu()}
 * @param maxMachineCpu maximum of {@link UtilisationSample#machineCpu()}
 * @param diskReadBytes total of {@link UtilisationSample#diskReadBytes()}
 * @param readBytes total of {@link UtilisationSample#readBytes()}
 * @param maxDiskReadBytesPerSecond the fastest interval's storage read rate
 */
public record UtilisationSummary(
    long samples,
    double meanProcessCpu,
    double maxProcessCpu,
    double meanProcessCores,
    double maxProcessCores,
    double meanMachineCpu,
    double maxMachineCpu,
    long diskReadBytes,
    long readBytes,
    double maxDiskReadBytesPerSecond) {

  /** The summary of {@code samples} (for a window of a run, such as the traced steps). */
  public static UtilisationSummary of(List<UtilisationSample> samples) {
    SummaryAccumulator acc = new SummaryAccumulator();
    samples.forEach(acc::add);
    return acc.summary();
  }
}
