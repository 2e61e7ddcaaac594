package dev.millrace.graphdef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TransformSpecTest {
  @Test
  void parsesTheTransformsOfTensorFlowsGuide() {
    List<TransformSpec> t =
        TransformSpec.parseAll(
            "strip_unused_nodes(type=float, shape=\"1,299,299,3\")\n"
                + "  remove_nodes(op=Identity, op=CheckNumerics)\n"
                + "  fold_constants(ignore_errors=true)\n"
                + "  fold_batch_norms fold_old_batch_norms\n"
                + "  quantize_nodes(fallback_min=-10 fallback_max=10.5)");
    assertThat(t)
        .extracting(TransformSpec::name)
        .containsExactly(
            "strip_unused_nodes",
            "remove_nodes",
            "fold_constants",
            "fold_batch_norms",
            "fold_old_batch_norms",
            "quantize_nodes");
    assertThat(t.get(0).value("shape")).contains("1,299,299,3");
    assertThat(t.get(0).value("type")).contains("float");
    assertThat(t.get(1).values("op")).containsExactly("Identity", "CheckNumerics");
    assertThat(t.get(2).ignoreErrors()).isTrue();
    assertThat(t.get(3).params()).isEmpty();
    assertThat(t.get(5).value("fallback_min")).contains("-10");
    assertThat(t.get(5).value("fallback_max")).contains("10.5");
  }

  @Test
  void quotedValuesKeepEscapesAndSpacesAndPrintBackTheSame() {
    List<TransformSpec> t =
        TransformSpec.parseAll(
            "rename_attribute(old_attribute_name=\"a \\\"b\\\"\", new_attribute_name=c/d)");
    assertThat(t.getFirst().value("old_attribute_name")).contains("a \"b\"");
    assertThat(TransformSpec.parseAll(t.getFirst().toString())).isEqualTo(t);
  }

  @Test
  void noSpaceIsNeededAfterAClosingParenthesis() {
    assertThat(TransformSpec.parseAll("fold_constants(ignore_errors=false)fold_batch_norms"))
        .extracting(TransformSpec::name)
        .containsExactly("fold_constants", "fold_batch_norms");
    assertThat(TransformSpec.parseAll("   ")).isEmpty();
  }

  @Test
  void mistakesNameTheColumn() {
    assertThatThrownBy(() -> TransformSpec.parseAll("fold_constants(ignore_errors)"))
        .hasMessage(
            "--transforms: expected '=' after parameter 'ignore_errors' at column 29, found ')'");
    assertThatThrownBy(() -> TransformSpec.parseAll("strip(shape=\"1,2"))
        .hasMessage("--transforms: quoted value never closed at column 13, found '\"1,2'");
    assertThatThrownBy(() -> TransformSpec.parseAll("a(b=c"))
        .hasMessage(
            "--transforms: expected ')' to close the parameters at column 6, found the end");
    assertThatThrownBy(() -> TransformSpec.parseAll("fold,constants"))
        .hasMessageStartingWith(
            "--transforms: expected '(' or white space after transform 'fold' at column 5");
    assertThatThrownBy(
            () -> TransformSpec.parseAll("x(ignore_errors=maybe)").getFirst().ignoreErrors())
        .hasMessage("x: ignore_errors should be true or false, found maybe");
    assertThatThrownBy(() -> TransformSpec.parseAll("x(a=1, a=2)").getFirst().value("a"))
        .hasMessage("x: parameter 'a' is given 2 times, expected once");
  }
}
