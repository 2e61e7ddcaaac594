package dev.millrace.profile.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HostnameTest {
  @Test
  void separatorsSpacesAndControlCharactersBecomeUnderscores() {
    assertThat(Hostname.sanitize(" gpu-node/7 a\\b:c\td ")).isEqualTo("gpu-node_7_a_b_c_d");
  }

  @Test
  void emptyNameFallsBackToLocalhost() {
    assertThat(Hostname.sanitize("  ")).isEqualTo("localhost");
  }

  @Test
  void environmentPrefersComputerNameThenHostname() {
    assertThat(Hostname.fromEnvironment(Map.of("COMPUTERNAME", "WIN", "HOSTNAME", "lin")))
        .isEqualTo("WIN");
    assertThat(Hostname.fromEnvironment(Map.of("COMPUTERNAME", " ", "HOSTNAME", "lin")))
        .isEqualTo("lin");
    assertThat(Hostname.fromEnvironment(Map.of())).isEmpty();
  }

  @Test
  void localNameIsNeverEmptyAndAlwaysSafe() {
    String name = Hostname.local();
    assertThat(name).isNotEmpty().isEqualTo(Hostname.sanitize(name));
  }
}
