package gradroute.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableTest {
  @TempDir Path dir;

  @Test
  void quotesFieldsAsRfc4180() {
    var table = CsvTable.withColumns("name", "note").addRow("plain", "a,b").addRow("say \"hi\"", "two\nlines").addRow(null, "");
    assertEquals(
        "name,note\nplain,\"a,b\"\n\"say \"\"hi\"\"\",\"two\nlines\"\n,\n", table.toCsv());
  }

  @Test
  void doublesUseShortestFormOrFixedDecimals() {
    var table = CsvTable.withColumns("step", "loss", "f").addRow(1, 0.1, 0.1f).addRow(2, Double.NaN, Float.POSITIVE_INFINITY);
    assertEquals("step,loss,f\n1,0.1,0.1\n2,NaN,Infinity\n", table.toCsv());
    table.withDecimals(3).addRow(3, 1.0 / 3, 2.5f);
    assertEquals("step,loss,f\n1,0.100,0.100\n2,NaN,Infinity\n3,0.333,2.500\n", table.toCsv());
  }

  @Test
  void wrongValueCountIsAClearError() {
    var table = CsvTable.withColumns("step", "loss");
    var e = assertThrows(IllegalArgumentException.class, () -> table.addRow(1, 0.5, "extra"));
    assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("2 columns"), e.getMessage());
    assertTrue(e.getMessage().contains("[step, loss]"), e.getMessage());
    assertEquals(0, table.rowCount());
  }

  @Test
  void rejectsBadHeaders() {
    assertThrows(IllegalArgumentException.class, () -> CsvTable.withColumns());
    assertThrows(IllegalArgumentException.class, () -> CsvTable.withColumns("a", "a"));
    assertThrows(IllegalArgumentException.class, () -> CsvTable.withColumns("a", " "));
  }

  @Test
  void writesAtomically() throws IOException {
    Path file = dir.resolve("run/metrics.csv");
    CsvTable.withColumns("step", "loss").addRow(0, 2.5).write(file);
    assertEquals("step,loss\n0,2.5\n", Files.readString(file));
  }

  @Test
  void markdownIsAlignedAndEscaped() {
    String md =
        CsvTable.withColumns("method", "loss")
            .addRow("gradient routing", 0.25)
            .addRow("a|b", 12.5)
            .toMarkdown();
    assertEquals(
        "| method           | loss |\n"
            + "| ---------------- | ---: |\n"
            + "| gradient routing | 0.25 |\n"
            + "| a\\|b             | 12.5 |\n",
        md);
  }

  @Test
  void onlySeparatorsQuotesAndLineBreaksAreQuoted() {
    CsvTable table = CsvTable.withColumns("F trained", "note").addRow("# a (b) & c!", " lead").addRow("", "-1.5e-3");
    assertEquals("F trained,note\n# a (b) & c!, lead\n,-1.5e-3\n", table.toCsv());
  }
}
