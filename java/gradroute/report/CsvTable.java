package gradroute.report;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * A table built row by row and written as CSV or rendered as a Markdown table.
 *
 * <p>CSV (written by Jackson's CSV module): a header line, then one line per row, lines ending in {@code \n}. A field holding a
 * comma, a double quote, CR or LF is quoted, with inner quotes doubled (RFC 4180). {@code null}
 * is an empty field. Doubles are written with {@link Double#toString} (shortest exact form) unless
 * {@link #withDecimals} sets a fixed number of decimal places; NaN and ±Infinity are written as
 * {@code NaN}, {@code Infinity}, {@code -Infinity} either way.
 */
public final class CsvTable {
  private final List<String> columns;
  private final List<Object[]> rows = new ArrayList<>();
  private int decimals = -1;

  private CsvTable(List<String> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    var seen = new HashSet<String>();
    for (String column : columns) {
      if (column == null || column.isBlank()) {
        throw new IllegalArgumentException("column names must not be blank: " + columns);
      }
      if (!seen.add(column)) {
        throw new IllegalArgumentException("duplicate column '" + column + "' in " + columns);
      }
    }
    this.columns = List.copyOf(columns);
  }

  public static CsvTable withColumns(String... columns) {
    return new CsvTable(Arrays.asList(columns));
  }

  public static CsvTable withColumns(List<String> columns) {
    return new CsvTable(columns);
  }

  /** Writes floating-point values with exactly {@code places} decimal places from now on. */
  public CsvTable withDecimals(int places) {
    if (places < 0 || places > 17) {
      throw new IllegalArgumentException("decimal places must be in 0..17, got " + places);
    }
    this.decimals = places;
    return this;
  }

  /** Appends a row; there must be exactly one value per column. */
  public CsvTable addRow(Object... values) {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          "row "
              + (rows.size() + 1)
              + " has "
              + values.length
              + " values but the table has "
              + columns.size()
              + " columns "
              + columns
              + ": "
              + Arrays.toString(values));
    }
    rows.add(values.clone());
    return this;
  }

  public List<String> columns() {
    return columns;
  }

  public int rowCount() {
    return rows.size();
  }

  /** The formatted cell, as it appears in the CSV before quoting. */
  public String cell(int row, int column) {
    return format(rows.get(row)[column]);
  }

  public String toCsv() {
    List<List<String>> lines = new ArrayList<>(rows.size() + 1);
    lines.add(columns);
    for (Object[] row : rows) {
      List<String> line = new ArrayList<>(row.length);
      for (Object value : row) line.add(format(value));
      lines.add(line);
    }
    try {
      return CSV_WRITER.writeValueAsString(lines);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write CSV: " + e.getMessage(), e);
    }
  }

  /** RFC 4180 quoting only where needed (separator, quote, CR, LF), "\n" line ends. */
  private static final ObjectWriter CSV_WRITER = CsvMapper.builder()
      .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
      .build()
      .writer(CsvSchema.emptySchema().withLineSeparator("\n").withoutHeader());

  /** Writes the CSV atomically. */
  public void write(Path file) throws IOException {
    AtomicFiles.writeString(file, toCsv());
  }

  /**
   * A Markdown table with padded, aligned columns; columns whose values are all numbers are
   * right-aligned.
   */
  public String toMarkdown() {
    int n = columns.size();
    String[][] cells = new String[rows.size() + 1][n];
    int[] widths = new int[n];
    boolean[] numeric = new boolean[n];
    Arrays.fill(numeric, !rows.isEmpty());
    for (int c = 0; c < n; c++) {
      cells[0][c] = escapeMarkdown(columns.get(c));
    }
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < n; c++) {
        Object value = rows.get(r)[c];
        numeric[c] &= value == null || value instanceof Number;
        cells[r + 1][c] = escapeMarkdown(format(value));
      }
    }
    for (String[] line : cells) {
      for (int c = 0; c < n; c++) {
        widths[c] = Math.max(Math.max(widths[c], line[c].length()), 3);
      }
    }
    var md = new StringBuilder();
    appendMarkdownLine(md, cells[0], widths, numeric);
    md.append('|');
    for (int c = 0; c < n; c++) {
      md.append(' ').append("-".repeat(widths[c] - 1)).append(numeric[c] ? ':' : '-').append(" |");
    }
    md.append('\n');
    for (int r = 1; r < cells.length; r++) {
      appendMarkdownLine(md, cells[r], widths, numeric);
    }
    return md.toString();
  }

  @Override
  public String toString() {
    return toCsv();
  }

  private String format(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (decimals >= 0 && Double.isFinite(d)) {
        return String.format(Locale.ROOT, "%." + decimals + "f", d);
      }
      // Float.toString avoids printing 0.1f as 0.10000000149011612
      return value instanceof Float ? Float.toString((Float) value) : Double.toString(d);
    }
    return value.toString();
  }

  private static String escapeMarkdown(String text) {
    return text.replace("|", "\\|").replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }

  private static void appendMarkdownLine(
      StringBuilder md, String[] cells, int[] widths, boolean[] rightAligned) {
    md.append('|');
    for (int c = 0; c < cells.length; c++) {
      String pad = " ".repeat(widths[c] - cells[c].length());
      md.append(' ')
          .append(rightAligned[c] ? pad + cells[c] : cells[c] + pad)
          .append(" |");
    }
    md.append('\n');
  }
}
