package gradroute.experiment.tinystories;

import java.util.List;

/** The headline table as Markdown, for the console. */
public final class TinyStoriesTables {
  private TinyStoriesTables() {}

  public static String markdown(List<TinyStoriesReport.Row> table) {
    return TinyStoriesReport.headline(table).toMarkdown();
  }
}
