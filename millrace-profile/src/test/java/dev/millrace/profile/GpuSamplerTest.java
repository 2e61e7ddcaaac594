package dev.millrace.profile;

import static dev.millrace.profile.UtilisationSamplerTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU sampler with stand-in {@code nvidia-smi} scripts: the command it runs, multi-GPU answers,
 * failures that stop it without disturbing the caller, and no process left behind.
 */
class GpuSamplerTest {
  @TempDir Path tmp;

  @BeforeEach
  void needsAShell() {
    assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "stand-in scripts need /bin/sh");
  }

  @AfterEach
  void nothingLeftBehind() {
    assertThat(SamplerThreads.alive("millrace-gpu-sampler")).isEmpty();
    assertThat(standInProcesses()).isEmpty();
  }

  @Test
  void samplesEveryGpuOfTheAnswerAndSummarisesThem() throws Exception {
    // The stand-in answers only the exact query the sampler is meant to send.
    Path smi =
        script(
            "nvidia-smi",
            "[ \"$1\" = \"--query-gpu=index,name,utilization.gpu,memory.used,memory.total\" ]"
                + " && [ \"$2\" = \"--format=csv,noheader,nounits\" ] || exit 3",
            "cat '" + Fixtures.path("nvidia-smi-8gpu.csv") + "'");
    try (GpuSampler s = GpuSampler.start(smi, Duration.ofMillis(10), 4)) {
      assertThat(s.state()).isEqualTo(SamplerState.RUNNING);
      waitFor(() -> s.summary().samples() >= 6);
      assertThat(s.state()).isEqualTo(SamplerState.RUNNING);
      assertThat(s.message()).isEmpty();
      List<GpuSample> kept = s.samples();
      assertThat(kept).hasSize(4);
      assertThat(kept).allSatisfy(g -> assertThat(g.gpus()).hasSize(8));
      GpuSummary sum = s.summary();
      assertThat(sum.gpus()).hasSize(8);
      GpuSummary.Gpu six = sum.gpus().get(6);
      assertThat(six.index()).isEqualTo(6);
      assertThat(six.name()).isEqualTo("NVIDIA A100-SXM4-40GB");
      assertThat(six.meanUtilisation()).isCloseTo(0.12, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(six.maxUtilisation()).isEqualTo(0.12);
      assertThat(six.maxMemoryUsedMiB()).isEqualTo(1536);
      assertThat(six.memoryTotalMiB()).isEqualTo(40960);
    }
  }

  @Test
  void garbageStopsTheSamplerWithAClearMessage() throws Exception {
    Path smi = script("nvidia-smi", "echo 'this is not csv at all'");
    try (GpuSampler s = GpuSampler.start(smi, Duration.ofMillis(10), 4)) {
      waitFor(() -> s.state() == SamplerState.FAILED);
      assertThat(s.message())
          .get()
          .asString()
          .startsWith("GPU sampling stopped: nvidia-smi line 1 has 1 field(s), expected 5")
          .contains("this is not csv at all");
      assertThat(s.samples()).isEmpty();
      waitFor(() -> SamplerThreads.alive("millrace-gpu-sampler").isEmpty());
    }
  }

  @Test
  void aFailedDriverStopsTheSamplerWithItsExitStatusAndMessage() throws Exception {
    Path smi =
        script("nvidia-smi", "cat '" + Fixtures.path("nvidia-smi-no-driver.txt") + "'", "exit 9");
    try (GpuSampler s = GpuSampler.start(smi, Duration.ofMillis(10), 4)) {
      waitFor(() -> s.state() == SamplerState.FAILED);
      assertThat(s.message())
          .get()
          .asString()
          .contains("exited with status 9: NVIDIA-SMI has failed because it couldn't communicate");
    }
  }

  @Test
  void closeKillsAHangingNvidiaSmiAndItsChildren() throws Exception {
    Path smi = script("nvidia-smi", "sleep 600", "echo never");
    GpuSampler s = GpuSampler.start(smi, Duration.ofMillis(10), 4);
    waitFor(() -> standInProcesses().size() >= 2);
    s.close();
    assertThat(s.state()).isEqualTo(SamplerState.CLOSED);
    assertThat(s.message()).isEmpty();
    waitFor(() -> standInProcesses().isEmpty());
  }

  @Test
  void withoutNvidiaSmiTheSamplerIsUnavailable() {
    try (GpuSampler s = GpuSampler.start(tmp.resolve("nvidia-smi"), Duration.ofMillis(10), 4)) {
      assertThat(s.state()).isEqualTo(SamplerState.UNAVAILABLE);
      assertThat(s.message()).get().asString().contains("is not an executable file");
      assertThat(s.samples()).isEmpty();
      assertThat(s.summary().gpus()).isEmpty();
    }
  }

  @Test
  void thePathIsSearchedInOrderForAnExecutable() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Path c = Files.createDirectories(tmp.resolve("c"));
    Files.writeString(a.resolve("nvidia-smi"), "not executable");
    Path inB = script(b, "nvidia-smi", "true");
    script(c, "nvidia-smi", "true");
    String path = String.join(File.pathSeparator, "", a.toString(), b.toString(), c.toString());
    assertThat(GpuSampler.findOnPath(path, "nvidia-smi")).contains(inB);
    assertThat(GpuSampler.findOnPath(a.toString(), "nvidia-smi")).isEmpty();
    assertThat(GpuSampler.findOnPath(null, "nvidia-smi")).isEmpty();
  }

  private Path script(String name, String... lines) throws IOException {
    return script(tmp, name, lines);
  }

  private static Path script(Path dir, String name, String... lines) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  /** This JVM's child processes that the stand-in scripts started. */
  private List<ProcessHandle> standInProcesses() {
    String dir = tmp.toString();
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(
            p -> {
              String cmd = p.info().commandLine().orElse("");
              return cmd.contains(dir) || cmd.contains("sleep 600");
            })
        .toList();
  }
}
