package gradroute.experiment.tinystories;

import java.util.List;

/** The headline table as Markdown, for the console. */
public final class TsReportTables {
  private TsReportTables() {}

  public static String markdown(List<TsReport.Row> table) {
    return TsReport.headline(table).toMarkdown();
  }
}
