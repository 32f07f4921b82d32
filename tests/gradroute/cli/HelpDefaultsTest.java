package gradroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gradroute.experiment.tinystories.TinyStoriesCommand;
import gradroute.experiment.nanogpt.SteerCommand;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every "(default X) ... (config key K)" in an experiment's --help is the value of K in the preset the command runs by default. */
class HelpDefaultsTest {
  private static final Pattern DEFAULT = Pattern.compile("\\(default ([^);:]+)");
  private static final Pattern KEY = Pattern.compile("config key (\\w+)");

  @Test
  void tinystoriesHelpStatesTheDemoPresetsDefaults() throws Exception {
    assertHelpMatchesPreset(new TinyStoriesCommand(), "/gradroute/experiment/configs/tinystories/demo.json");
  }

  @Test
  void nanogptSteerHelpStatesTheDefaultPresetsDefaults() throws Exception {
    assertHelpMatchesPreset(new SteerCommand(), "/gradroute/experiment/configs/nanogpt/default.json");
  }

  private static void assertHelpMatchesPreset(Object command, String preset) throws Exception {
    JsonNode values;
    try (InputStream in = HelpDefaultsTest.class.getResourceAsStream(preset)) {
      values = new ObjectMapper().readTree(in);
    }
    int checked = 0;
    for (OptionSpec o : new CommandLine(command).getCommandSpec().options()) {
      String text = String.join(" ", o.description());
      Matcher d = DEFAULT.matcher(text), k = KEY.matcher(text);
      if (!d.find() || !k.find()) continue;
      JsonNode value = values.get(k.group(1));
      assertTrue(value != null, o.longestName() + ": the preset has no key " + k.group(1));
      assertEquals(normalise(value), normalise(d.group(1).trim()), o.longestName() + " states a default that " + preset + " does not have");
      checked++;
    }
    assertTrue(checked > 0, "no option states a default");
  }

  private static List<String> normalise(JsonNode value) {
    List<String> out = new ArrayList<>();
    if (value.isArray()) value.forEach(v -> out.add(number(v.asText())));
    else out.add(number(value.asText()));
    return out;
  }

  private static List<String> normalise(String stated) {
    String s = stated.startsWith("'") && stated.endsWith("'") ? stated.substring(1, stated.length() - 1) : stated;
    List<String> out = new ArrayList<>();
    for (String part : s.startsWith(" ") ? new String[] {s} : s.split(",")) out.add(number(s.startsWith(" ") ? part : part.trim()));
    return out;
  }

  /** A number in one canonical spelling (5e-3 and 0.005 alike); anything else as it is. */
  private static String number(String s) {
    try {
      return Double.toString(Double.parseDouble(s));
    } catch (NumberFormatException e) {
      return s;
    }
  }
}
