package dev.millrace.profile.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slices of one track are made to nest: kept when they do, clipped when they overlap. */
class TraceNestingTest {
  private static TraceEvent slice(String name, long start, long dur) {
    return new TraceEvent(TraceEvent.Phase.COMPLETE, 2, name, "t", start, dur, Map.of());
  }

  @Test
  void nestedAndDisjointSlicesAreKeptInStartOrder() {
    var r =
        TraceNesting.nest(
            List.of(
                slice("later", 200, 10),
                slice("inner", 20, 30),
                slice("outer", 0, 100),
                slice("innermost", 25, 5)));
    assertThat(r.clipped()).isZero();
    assertThat(r.events())
        .extracting(TraceEvent::name)
        .containsExactly("outer", "inner", "innermost", "later");
  }

  @Test
  void aSliceThatStartsInsideAnotherButEndsAfterItIsClippedToItsEnd() {
    var r = TraceNesting.nest(List.of(slice("a", 0, 100), slice("b", 90, 50)));
    assertThat(r.clipped()).isEqualTo(1);
    assertThat(r.events()).containsExactly(slice("a", 0, 100), slice("b", 90, 10));
  }

  @Test
  void atEqualStartsTheLongerSliceHoldsTheShorter() {
    var r = TraceNesting.nest(List.of(slice("short", 10, 5), slice("long", 10, 50)));
    assertThat(r.clipped()).isZero();
    assertThat(r.events()).extracting(TraceEvent::name).containsExactly("long", "short");
  }

  @Test
  void aSliceStartingWhereAnotherEndsIsItsNeighbourNotItsChild() {
    var r =
        TraceNesting.nest(
            List.of(
                slice("a", 0, 10), slice("b", 10, 10), slice("empty", 20, 0), slice("c", 20, 5)));
    assertThat(r.clipped()).isZero();
    assertThat(r.events()).extracting(TraceEvent::name).containsExactly("a", "b", "c", "empty");
  }

  @Test
  void clippingInsideANestKeepsEveryLevelNested() {
    var r =
        TraceNesting.nest(
            List.of(slice("outer", 0, 100), slice("mid", 10, 50), slice("spill", 40, 100)));
    // spill starts inside mid and ends after it (and after outer): cut at mid's end.
    assertThat(r.events()).contains(slice("spill", 40, 20));
    assertThat(r.clipped()).isEqualTo(1);
  }
}
