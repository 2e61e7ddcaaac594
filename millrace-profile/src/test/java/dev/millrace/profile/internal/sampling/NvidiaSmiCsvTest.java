package dev.millrace.profile.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.profile.Fixtures;
import dev.millrace.profile.GpuSample;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The nvidia-smi CSV parser on answers in NVIDIA's documented {@code --format=csv,noheader,nounits}
 * layout (no GPU on the machine these were written on, so they follow the documentation and answers
 * published from real machines).
 */
class NvidiaSmiCsvTest {
  @Test
  void oneGpu() {
    assertThat(NvidiaSmiCsv.parse(Fixtures.text("nvidia-smi-1gpu.csv")))
        .containsExactly(new GpuSample.Gpu(0, "NVIDIA H100 80GB HBM3", 0.87, 61234, 81559));
  }

  @Test
  void eightGpusInOrder() {
    List<GpuSample.Gpu> gpus = NvidiaSmiCsv.parse(Fixtures.text("nvidia-smi-8gpu.csv"));
    assertThat(gpus).extracting(GpuSample.Gpu::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(gpus).extracting(GpuSample.Gpu::name).containsOnly("NVIDIA A100-SXM4-40GB");
    assertThat(gpus.get(4).utilisation()).isZero();
    assertThat(gpus.get(0).utilisation()).isEqualTo(1.0);
    assertThat(gpus.get(6))
        .isEqualTo(new GpuSample.Gpu(6, "NVIDIA A100-SXM4-40GB", 0.12, 1536, 40960));
  }

  @Test
  void fieldsTheDriverDoesNotReportAreUnknown() {
    List<GpuSample.Gpu> gpus = NvidiaSmiCsv.parse(Fixtures.text("nvidia-smi-not-reported.csv"));
    assertThat(gpus.get(0).utilisation()).isNaN();
    assertThat(gpus.get(0).memoryUsedMiB()).isEqualTo(12345);
    assertThat(gpus.get(1).name()).isEqualTo("Tesla K80");
    assertThat(gpus.get(1).utilisation()).isNaN();
    assertThat(gpus.get(2).utilisation()).isEqualTo(0.41);
    assertThat(gpus.get(2).memoryUsedMiB()).isEqualTo(-1);
    assertThat(gpus.get(2).memoryTotalMiB()).isEqualTo(-1);
    assertThat(NvidiaSmiCsv.parse("0, X, N/A, Not Supported, 10\r\n").getFirst())
        .isEqualTo(new GpuSample.Gpu(0, "X", Double.NaN, -1, 10));
  }

  @Test
  void aNameWithCommasKeepsThem() {
    assertThat(NvidiaSmiCsv.parse("1, Quadro RTX 8000, Rev. 2, 5, 100, 48000\n").getFirst())
        .isEqualTo(new GpuSample.Gpu(1, "Quadro RTX 8000, Rev. 2", 0.05, 100, 48000));
  }

  @Test
  void theDriverFailureMessageIsNotAnAnswer() {
    assertThatThrownBy(() -> NvidiaSmiCsv.parse(Fixtures.text("nvidia-smi-no-driver.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("nvidia-smi line 1 has 1 field(s), expected 5")
        .hasMessageContaining("NVIDIA-SMI has failed");
  }

  @Test
  void garbageIsRejectedNamingTheLineAndField() {
    assertThatThrownBy(() -> NvidiaSmiCsv.parse("0, A, 50, 10, 100\n1, B, lots, 10, 100\n"))
        .hasMessage(
            "nvidia-smi line 2: utilization.gpu is \"lots\", expected a number: \"1, B, lots, 10,"
                + " 100\"");
    assertThatThrownBy(() -> NvidiaSmiCsv.parse("0, A, 150, 10, 100"))
        .hasMessageContaining("utilization.gpu is \"150\"");
    assertThatThrownBy(() -> NvidiaSmiCsv.parse("-1, A, 50, 10, 100"))
        .hasMessageContaining("index is \"-1\"");
    assertThatThrownBy(() -> NvidiaSmiCsv.parse("[N/A], A, 50, 10, 100"))
        .hasMessageContaining("index is \"[N/A]\"");
    assertThatThrownBy(() -> NvidiaSmiCsv.parse("0, A, 50, 10 MiB, 100"))
        .hasMessageContaining("memory.used is \"10 MiB\"");
    assertThatThrownBy(() -> NvidiaSmiCsv.parse("\n  \n"))
        .hasMessage("nvidia-smi printed no GPU line");
  }
}
