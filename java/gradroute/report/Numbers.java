package gradroute.report;

import java.util.Locale;

/** How numbers are printed in logs and console summaries. */
public final class Numbers {
  private Numbers() {}

  /** {@code v} with four decimal places, a point as the separator whatever the locale. */
  public static String f4(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
