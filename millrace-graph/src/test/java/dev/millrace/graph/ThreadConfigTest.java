package dev.millrace.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadConfigTest {
  @AfterEach
  void clearProperties() {
    System.clearProperty(ThreadConfig.INTER_OP_PROPERTY);
    System.clearProperty(ThreadConfig.INTRA_OP_PROPERTY);
  }

  @Test
  void defaultsToThePhysicalCoresWithoutSettings() {
    ThreadConfig c = ThreadConfig.fromEnvironment(Map.of(), 4);
    assertThat(c).isEqualTo(ThreadConfig.of(4, 4));
  }

  @Test
  void environmentOverridesEachPool() {
    ThreadConfig c = ThreadConfig.fromEnvironment(Map.of(ThreadConfig.INTRA_OP_ENV, "3"), 2);
    assertThat(c).isEqualTo(ThreadConfig.of(2, 3));
  }

  @Test
  void systemPropertiesSetByTheCommandLineOverrideTheDefault() {
    System.setProperty(ThreadConfig.INTER_OP_PROPERTY, "5");
    System.setProperty(ThreadConfig.INTRA_OP_PROPERTY, "7");
    assertThat(ThreadConfig.physicalCores()).isEqualTo(ThreadConfig.of(5, 7));
  }

  @Test
  void aBadSettingIsRejectedNamingIt() {
    System.setProperty(ThreadConfig.INTER_OP_PROPERTY, "zero");
    assertThatThrownBy(ThreadConfig::physicalCores)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zero");
  }
}
