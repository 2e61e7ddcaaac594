package dev.millrace.records.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteNameTableTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void findsEveryNameInsideLargerBuffersAcrossGrowth() {
    ByteNameTable t = new ByteNameTable();
    for (int i = 0; i < 1000; i++) {
      assertThat(t.add(utf8("feature/" + i))).isEqualTo(i);
    }
    t.add(new byte[0]);
    assertThat(t.size()).isEqualTo(1001);
    for (int i = 0; i < 1000; i++) {
      byte[] buf = utf8("xx feature/" + i + " yy");
      assertThat(t.find(buf, 3, buf.length - 6)).isEqualTo(i);
      assertThat(t.name(i)).isEqualTo(utf8("feature/" + i));
    }
    assertThat(t.find(new byte[3], 1, 0)).isEqualTo(1000);
    byte[] other = utf8("feature/1000");
    assertThat(t.find(other, 0, other.length)).isEqualTo(-1);
    assertThat(t.find(other, 0, other.length - 1)).isEqualTo(100);
  }

  @Test
  void rejectsDuplicatesAndKeepsItsOwnCopy() {
    ByteNameTable t = new ByteNameTable();
    byte[] name = utf8("größe");
    t.add(name);
    name[0] = 'X';
    byte[] probe = utf8("größe");
    assertThat(t.find(probe, 0, probe.length)).isZero();
    assertThatThrownBy(() -> t.add(utf8("größe")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate name: größe");
  }
}
