package dev.millrace.profile.internal.report;

import dev.millrace.profile.ReportData;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The whole page for one report: the template with the sections, data and assets put in. */
public final class ReportPage {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z]+)}}");

  private ReportPage() {}

  /** The report as one self-contained HTML document. */
  public static String render(ReportData data) {
    PageAssets assets = PageAssets.get();
    Map<String, String> values =
        Map.of(
            "title", Html.escape(data.title()),
            "generatedAt", ReportSections.generatedAt(data),
            "library", Html.escape(assets.library()),
            "libraryCss", assets.libraryCss(),
            "reportCss", assets.reportCss(),
            "body", ReportSections.body(data),
            "json", ReportJson.of(data),
            "libraryJs", assets.libraryJs(),
            "reportJs", assets.reportJs());
    return fill(assets.template(), values);
  }

  /**
   * {@code template} with each {@code {{name}}} replaced by its value, in one pass: a value is not
   * searched for placeholders itself, so a stage named {@code {{json}}} stays that text.
   */
  static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder sb = new StringBuilder(template.length() + 256 * 1024);
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException(
            "no value for placeholder " + m.group() + " (values: " + values.keySet() + ")");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
