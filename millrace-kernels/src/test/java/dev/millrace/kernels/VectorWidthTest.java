package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.kernels.internal.simd.SimdWidth;
import java.util.List;
import org.junit.jupiter.api.Test;

class VectorWidthTest {

  @Test
  void hostWidthIsUsedUnlessForced() {
    assertThat(VectorWidth.choose(512, null, null)).isEqualTo(new VectorWidth(512, "host"));
    assertThat(VectorWidth.choose(256, "", " ")).isEqualTo(new VectorWidth(256, "host"));
    assertThat(VectorWidth.choose(512, "256", "128").bits()).isEqualTo(256);
    assertThat(VectorWidth.choose(512, "256", null).source()).isEqualTo("millrace.vector.bits=256");
    assertThat(VectorWidth.choose(256, null, " 512 ").bits()).isEqualTo(512);
    assertThat(VectorWidth.choose(256, null, "512").source()).isEqualTo("MILLRACE_VECTOR_BITS=512");
  }

  @Test
  void hostWidthIsClampedToWhatTheKernelsHave() {
    assertThat(VectorWidth.choose(64, null, null).bits()).isEqualTo(128);
    assertThat(VectorWidth.choose(2048, null, null).bits()).isEqualTo(512);
    assertThat(VectorWidth.choose(128, null, null).floatLanes()).isEqualTo(4);
  }

  @Test
  void aBadForcedWidthIsAClearError() {
    assertThatThrownBy(() -> VectorWidth.choose(256, "300", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("-Dmillrace.vector.bits=300: expected a vector width in bits, 128, 256 or 512");
    assertThatThrownBy(() -> VectorWidth.choose(256, null, "wide"))
        .hasMessageStartingWith("MILLRACE_VECTOR_BITS=wide:");
  }

  @Test
  void theKernelsUseTheForcedWidth() {
    VectorWidth inUse = VectorWidth.inUse();
    assertThat(inUse).isSameAs(SimdWidth.CHOSEN);
    VectorWidth.forced().ifPresent(bits -> assertThat(inUse.bits()).isEqualTo(bits));
    assertThat(inUse.bits()).isIn(128, 256, 512);
  }

  @Test
  void peakFollowsTheWidthAndTheDatapath() {
    HostCpu intel = new HostCpu("Xeon", "GenuineIntel", 6, 2000, List.of("avx2", "fma", "avx512f"));
    HostCpu zen4 = new HostCpu("EPYC", "AuthenticAMD", 25, 2000, List.of("avx2", "avx512f"));
    assertThat(CpuPeak.derive(intel, 512, 1).gflops()).isEqualTo(128.0);
    assertThat(CpuPeak.derive(intel, 256, 2).gflops()).isEqualTo(128.0);
    assertThat(CpuPeak.derive(zen4, 512, 1).gflops()).isEqualTo(64.0);
    assertThat(CpuPeak.derive(zen4, 512, 1).derivation())
        .contains("8 float lanes (512-bit vectors on a 256-bit datapath)");
    assertThat(CpuPeak.derive(intel, 512, 2).derivation())
        .isEqualTo(
            "2.000 GHz (/proc/cpuinfo cpu MHz) x 2 FMA units x 16 float lanes (512-bit) x 2 FLOP"
                + " per FMA x 2 cores");
  }

  @Test
  void cpuinfoIsParsed() {
    HostCpu cpu =
        HostCpu.parse(
            List.of(
                "processor\t: 0",
                "vendor_id\t: GenuineIntel",
                "cpu family\t: 6",
                "model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz",
                "cpu MHz\t\t: 2699.998",
                "flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw amx_tile amx_int8",
                "processor\t: 1",
                "cpu MHz\t\t: 2700.500",
                "flags\t\t: fpu"));
    assertThat(cpu.model()).isEqualTo("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz");
    assertThat(cpu.family()).isEqualTo(6);
    assertThat(cpu.mhz()).isEqualTo(2700.5);
    assertThat(cpu.vectorFlags())
        .containsExactly(
            "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "amx_tile", "amx_int8");
    assertThat(HostCpu.parse(List.of("garbage")).flagsLine()).isEqualTo("no vector flags known");
  }
}
