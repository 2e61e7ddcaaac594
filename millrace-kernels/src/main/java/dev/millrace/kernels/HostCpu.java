package dev.millrace.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code /proc/cpuinfo} says about this machine's processor: its name, vendor, family, clock
 * and the instruction-set flags that decide how fast the kernels can be. On a system without that
 * file every field is "unknown" or empty.
 *
 * @param model the model name, e.g. "AMD EPYC 7B13"
 * @param vendor e.g. "AuthenticAMD" or "GenuineIntel"
 * @param family the CPU family number, or -1
 * @param mhz the highest "cpu MHz" over the processors, or 0
 * @param vectorFlags the flags of {@link #VECTOR_FLAGS} the processor has, in that order
 */
public record HostCpu(
    String model, String vendor, int family, double mhz, List<String> vectorFlags) {
  /** The flags that matter to the kernels, in the order they are reported. */
  public static final List<String> VECTOR_FLAGS =
      List.of(
          "sse4_2",
          "avx",
          "avx2",
          "fma",
          "avx512f",
          "avx512bw",
          "avx512vl",
          "avx512_vnni",
          "avx512_bf16",
          "avx512_fp16",
          "avx_vnni",
          "amx_tile",
          "amx_int8",
          "amx_bf16");

  /** AMD's family 25 (0x19): Zen 3 and Zen 4. */
  private static final int AMD_ZEN3_ZEN4 = 25;

  /** Reads {@code /proc/cpuinfo}. */
  public static HostCpu detect() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/cpuinfo")));
    } catch (IOException | RuntimeException e) {
      return new HostCpu("unknown", "unknown", -1, 0, List.of());
    }
  }

  /** Parses the lines of a {@code /proc/cpuinfo}. */
  public static HostCpu parse(List<String> lines) {
    String model = "unknown";
    String vendor = "unknown";
    int family = -1;
    double mhz = 0;
    Set<String> flags = Set.of();
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      switch (key) {
        case "model name" -> model = model.equals("unknown") ? value : model;
        case "vendor_id" -> vendor = value;
        case "cpu family" -> family = parseInt(value);
        case "cpu MHz" -> mhz = Math.max(mhz, parseDouble(value));
        case "flags" -> flags = flags.isEmpty() ? Set.of(value.split("\\s+")) : flags;
        default -> {}
      }
    }
    List<String> present = new ArrayList<>();
    for (String f : VECTOR_FLAGS) {
      if (flags.contains(f)) {
        present.add(f);
      }
    }
    return new HostCpu(model, vendor, family, mhz, List.copyOf(present));
  }

  /**
   * The widest vector one FMA unit completes per cycle, in bits: 256 on AMD's family 25 (Zen 4
   * executes a 512-bit instruction as two 256-bit halves), else the vector width itself.
   */
  public int fmaDatapathBits(int vectorBits) {
    boolean halfWidthAvx512 = vendor.equals("AuthenticAMD") && family == AMD_ZEN3_ZEN4;
    return halfWidthAvx512 ? Math.min(vectorBits, 256) : vectorBits;
  }

  /** The flags in one line, or "no vector flags known". */
  public String flagsLine() {
    return vectorFlags.isEmpty() ? "no vector flags known" : String.join(" ", vectorFlags);
  }

  private static int parseInt(String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static double parseDouble(String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
