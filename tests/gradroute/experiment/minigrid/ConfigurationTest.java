package gradroute.experiment.minigrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.cli.Main;
import gradroute.experiment.minigrid.Method;
import gradroute.rl.reinforce.AgentConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad settings fail early with a message naming the problem. */
class ConfigurationTest {
  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void agentConfigRejectsBadValues() {
    assertTrue(message(() -> AgentConfig.of(Method.ROUTING.recipe(), 1.5, 8, 10, 1e-3, 0)).contains("oversight must be in [0, 1]"));
    assertTrue(message(() -> AgentConfig.of(Method.ROUTING.recipe(), -0.01, 8, 10, 1e-3, 0)).contains("oversight"));
    assertTrue(message(() -> AgentConfig.of(Method.ROUTING.recipe(), Double.NaN, 8, 10, 1e-3, 0)).contains("oversight"));
    assertTrue(message(() -> AgentConfig.of(Method.ROUTING.recipe(), 0.1, 0, 10, 1e-3, 0)).contains("envs must be positive"));
    assertTrue(message(() -> AgentConfig.of(Method.ROUTING.recipe(), 0.1, 8, -1, 1e-3, 0)).contains("updates"));
    assertTrue(message(() -> AgentConfig.of(Method.ROUTING.recipe(), 0.1, 8, 10, 0, 0)).contains("learning rate"));
    assertTrue(message(() -> AgentConfig.of(null, 0.1, 8, 10, 1e-3, 0)).contains("recipe"));
  }

  @Test
  void methodsParseByEitherNameAndAllExpands() {
    assertEquals(Method.ROUTING, Method.parse("routed"));
    assertEquals(Method.ROUTING, Method.parse("routing"));
    assertEquals(Method.NAIVE_OUTCOMES, Method.parse("Naive_Outcomes"));
    assertEquals(Method.FILTERING, Method.parse("filter"));
    assertEquals(Method.NO_ROUTING_CONTROL, Method.parse("control"));
    assertEquals(List.of(Method.values()), Method.parseList(List.of("all")));
    assertEquals(List.of(Method.NAIVE_OUTCOMES, Method.ROUTING), Method.parseList(List.of("naive,routed", "naive")));
    assertTrue(message(() -> Method.parse("ppo")).contains("unknown method 'ppo'"));
    assertTrue(message(() -> Method.parseList(List.of(" , "))).contains("no method"));
  }

  @Test
  void theOracleGetsOversightTimesTheUpdates() {
    assertEquals(20, Method.ORACLE.updatesFor(2000, 0.01));
    assertEquals(1, Method.ORACLE.updatesFor(10, 0.001), "at least one update");
    assertEquals(2000, Method.ROUTING.updatesFor(2000, 0.01));
  }

  @Test
  void sweepSettingsRejectBadValues() {
    assertTrue(message(() -> settings(List.of("routed"), List.of(0.01, 1.2), List.of(0, 1, 2).subList(0, 3), 8)).contains("oversight levels must be in [0, 1]"));
    assertTrue(message(() -> settings(List.of("routed", "dqn"), List.of(0.01), List.of(0, 1, 2).subList(0, 3), 8)).contains("unknown method 'dqn'"));
    assertTrue(message(() -> settings(List.of("routed"), List.of(0.01), List.of(), 8)).contains("seeds"));
    assertTrue(message(() -> settings(List.of("routed"), List.of(0.01), List.of(0, 1, 2).subList(0, 1), 0)).contains("envs must be positive"));
    assertTrue(message(() -> settings(List.of("routed"), List.of(), List.of(0, 1, 2).subList(0, 1), 8)).contains("no oversight level"));
  }

  private static MinigridConfig settings(List<String> methods, List<Double> p, List<Integer> seeds, int envs) {
    MinigridConfig c = new MinigridConfig(methods, p, seeds, envs, 8, 4, 1e-3, 2, 0, 4, 4, 4, 4, 0.1, 0.01, 0.0);
    c.validate();
    return c;
  }

  @Test
  void theCommandLineReportsBadFlagsInOneLine() {
    for (String[] args : new String[][] {
        {"minigrid", "--oversight", "0.01,1.5"},
        {"minigrid", "--envs", "0"},
        {"minigrid", "--method", "routed,bogus"},
        {"minigrid", "--resume"}}) {
      PrintStream saved = System.err;
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code;
      try {
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        code = Main.run(args);
      } finally {
        System.setErr(saved);
      }
      assertNotEquals(0, code, String.join(" ", args));
      String text = err.toString(StandardCharsets.UTF_8);
      assertTrue(text.startsWith("error: "), String.join(" ", args) + " -> " + text);
    }
  }
}
