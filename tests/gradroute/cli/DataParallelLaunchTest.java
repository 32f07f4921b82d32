package gradroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher starts its ranks with the command it is mixed into, whichever that is. */
class DataParallelLaunchTest {
  @Test
  void theRanksRunTheCommandThatMixesTheLauncherIn() {
    CommandLine nanogpt = new CommandLine(new Main()).getSubcommands().get("nanogpt");
    for (String sub : List.of("steer", "unlearn")) {
      DataParallelLaunch launch = (DataParallelLaunch) nanogpt.getSubcommands().get(sub).getCommandSpec().mixins().get("parallel").userObject();
      assertEquals(List.of("nanogpt", sub), launch.commandPath());
    }
  }
}
