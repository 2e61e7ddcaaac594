package dev.millrace.profile.internal.report;

import java.util.List;

/**
 * A table written row by row. Cells are HTML already (escaped by the caller), so that a cell may
 * hold a tag or a bar; headers are plain text. Numeric columns are right-aligned, so that digits
 * line up.
 */
final class HtmlTable {
  /** A column: its header, and whether it holds numbers. */
  record Column(String header, boolean numeric) {
    static Column text(String header) {
      return new Column(header, false);
    }

    static Column number(String header) {
      return new Column(header, true);
    }
  }

  private final List<Column> columns;
  private final StringBuilder sb = new StringBuilder();

  HtmlTable(Column... columns) {
    this.columns = List.of(columns);
    sb.append("<div class=\"table-wrap\"><table><thead><tr>");
    for (Column c : this.columns) {
      sb.append(c.numeric() ? "<th class=\"num\">" : "<th>")
          .append(Html.escape(c.header()))
          .append("</th>");
    }
    sb.append("</tr></thead><tbody>\n");
  }

  /** Adds a row; {@code rowClass} may be empty. */
  HtmlTable row(String rowClass, String... cells) {
    if (cells.length != columns.size()) {
      throw new IllegalArgumentException(
          cells.length + " cells for " + columns.size() + " columns " + columns);
    }
    sb.append(rowClass.isEmpty() ? "<tr>" : "<tr class=\"" + Html.escape(rowClass) + "\">");
    for (int i = 0; i < cells.length; i++) {
      sb.append(columns.get(i).numeric() ? "<td class=\"num\">" : "<td>")
          .append(cells[i])
          .append("</td>");
    }
    sb.append("</tr>\n");
    return this;
  }

  /** The table's HTML, closed. */
  String html() {
    return sb + "</tbody></table></div>\n";
  }
}
