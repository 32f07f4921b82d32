package gradroute.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The accepted values of a numeric config knob (every element, for arrays and lists), both ends
 * included; NaN is never accepted. {@link Configs#checkRanges} enforces it when a config is loaded,
 * so a zero, negative, NaN or huge value is an error naming the key before any work starts.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT})
public @interface Range {
  double min();

  double max();
}
