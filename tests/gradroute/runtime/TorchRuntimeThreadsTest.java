package gradroute.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TorchRuntimeThreadsTest {
  @Test
  void ompNumThreadsOverridesTheCoreCountWhenPositive() {
    assertEquals(1, TorchRuntime.requestedThreads("1", 4));
    assertEquals(3, TorchRuntime.requestedThreads(" 3 ", 4));
  }

  @Test
  void launchersSetTheMallocSettingsUnlessGradrouteMallocIsDefault() {
    assertEquals(TorchRuntime.MALLOC_SETTINGS, TorchRuntime.mallocSettingsToSet(null));
    assertEquals(TorchRuntime.MALLOC_SETTINGS, TorchRuntime.mallocSettingsToSet("tuned"));
    assertEquals(java.util.Map.of(), TorchRuntime.mallocSettingsToSet("default"), "the shell launcher's opt-out holds for data-parallel ranks too");
  }

  @Test
  void missingOrInvalidValuesFallBackToTheCoreCount() {
    assertEquals(4, TorchRuntime.requestedThreads(null, 4));
    assertEquals(4, TorchRuntime.requestedThreads("", 4));
    assertEquals(4, TorchRuntime.requestedThreads("0", 4));
    assertEquals(4, TorchRuntime.requestedThreads("many", 4));
  }
}
