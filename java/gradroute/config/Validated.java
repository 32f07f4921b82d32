package gradroute.config;

/** A config with checks across its knobs (beyond each knob's {@link Range}). */
public interface Validated {
  /** Throws {@link ConfigException} (or IllegalArgumentException) naming the offending keys. */
  void validate();
}
