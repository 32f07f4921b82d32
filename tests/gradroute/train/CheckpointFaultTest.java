package gradroute.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import gradroute.report.Json;
import gradroute.runtime.TorchRuntime;
import gradroute.train.TrainingLoopTest.Regression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.OutputArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fault injection: a checkpoint killed at every stage of its write, and corrupt or truncated
 * archives and markers, must resume to the result of an uninterrupted run (from the last intact
 * checkpoint, or the one before).
 */
class CheckpointFaultTest {
  private static final int STEPS = 20;
  private static final int EVERY = 5;

  /** Thrown by a fault hook: the process "dies" here. */
  static final class Killed extends Error {
    Killed(String where) {
      super("killed " + where);
    }
  }

  /** Counts the steps it runs, to tell where a resumed run continued. */
  static class Counting extends Regression {
    int stepsRun;
    boolean killInSave;

    @Override
    public Map<String, Double> step(long step) {
      stepsRun++;
      return super.step(step);
    }

    @Override
    public void save(OutputArchive archive) {
      if (killInSave) throw new Killed("before the archive");
      super.save(archive);
    }
  }

  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static float[] uninterrupted() {
    Regression r = new Regression();
    new TrainingLoop("straight", STEPS, 1, null, 1).run(r, false);
    return r.weights();
  }

  /** Resumes in a "new process" and checks it ends where the uninterrupted run does; returns the steps it ran. */
  private static int resumeAndCheck(Checkpoint checkpoint) {
    Counting resumed = new Counting();
    History h = new TrainingLoop("resumed", STEPS, 1, checkpoint, EVERY).run(resumed, true);
    assertEquals(STEPS, h.rows().size(), "history restored with the checkpoint and continued");
    assertArrayEquals(uninterrupted(), resumed.weights(), "resumed training ends where uninterrupted training does");
    return resumed.stepsRun;
  }

  /** Trains until the save at step 10 and dies at {@code stage} of it. */
  @ParameterizedTest
  @EnumSource(Checkpoint.Stage.class)
  void killAtEveryStageOfTheWriteResumesToTheUninterruptedResult(Checkpoint.Stage stage, @TempDir Path dir) {
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    int[] saves = {0};
    checkpoint.onStage(s -> {
      if (s == Checkpoint.Stage.ARCHIVE_TEMP_WRITTEN) saves[0]++;
      if (saves[0] == 2 && s == stage) throw new Killed("at " + s);
    });
    assertThrows(Killed.class, () -> new TrainingLoop("killed", STEPS, 1, checkpoint, EVERY).run(new Counting(), false));
    int ran = resumeAndCheck(new Checkpoint(dir, "run"));
    assertEquals(stage == Checkpoint.Stage.MARKER_WRITTEN ? 10 : 15, ran, "resumed from the last committed checkpoint");
  }

  @Test
  void killBeforeTheArchiveResumesFromThePreviousCheckpoint(@TempDir Path dir) {
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    Counting killed = new Counting();
    int[] saves = {0};
    checkpoint.onStage(s -> {
      if (s == Checkpoint.Stage.MARKER_WRITTEN && ++saves[0] == 1) killed.killInSave = true;
    });
    assertThrows(Killed.class, () -> new TrainingLoop("killed", STEPS, 1, checkpoint, EVERY).run(killed, false));
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void theArchiveTheMarkerNamesIsNeverOverwrittenEvenAtAnEvenInterval(@TempDir Path dir) throws IOException {
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    checkpoint.onStage(s -> {
      if (s != Checkpoint.Stage.ARCHIVE_WRITTEN || !Files.exists(checkpoint.marker())) return;
      try {
        Checkpoint.Meta committed = Json.read(checkpoint.marker(), new TypeReference<Checkpoint.Meta>() {});
        assertEquals(committed.archiveSha256(), Checkpoint.sha256(dir.resolve(committed.archive())),
            "the committed archive " + committed.archive() + " is intact while the next one is written");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    new TrainingLoop("even", 8, 1, checkpoint, 2).run(new Regression(), false);
    try (var files = Files.list(dir)) {
      assertEquals(java.util.Set.of("run.json", "run.previous.json", "run-6.pt", "run-8.pt"),
          files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()), "older archives are removed");
    }
  }

  /** Trains 13 steps: checkpoints at 5 (previous marker) and 10 (marker). */
  private static Checkpoint killedAfterStep13(Path dir) {
    Checkpoint checkpoint = new Checkpoint(dir, "run");
    Counting killed = new Counting() {
      @Override
      public Map<String, Double> step(long step) {
        if (step == 13) throw new Killed("at step 13");
        return super.step(step);
      }
    };
    assertThrows(Killed.class, () -> new TrainingLoop("killed", STEPS, 1, checkpoint, EVERY).run(killed, false));
    return checkpoint;
  }

  private static Path archiveOf(Path marker) throws IOException {
    return marker.resolveSibling(Json.read(marker, new TypeReference<Checkpoint.Meta>() {}).archive());
  }

  @Test
  void corruptArchiveFallsBackToThePreviousCheckpoint(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    Path archive = archiveOf(c.marker());
    byte[] bytes = Files.readAllBytes(archive);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(archive, bytes);
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void truncatedArchiveFallsBackToThePreviousCheckpoint(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    Path archive = archiveOf(c.marker());
    byte[] bytes = Files.readAllBytes(archive);
    Files.write(archive, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void missingArchiveFallsBackToThePreviousCheckpoint(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    Files.delete(archiveOf(c.marker()));
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void truncatedMarkerFallsBackToThePreviousCheckpoint(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    byte[] bytes = Files.readAllBytes(c.marker());
    Files.write(c.marker(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void markerFailingItsChecksumFallsBackToThePreviousCheckpoint(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    String json = Files.readString(c.marker());
    // still valid JSON, but the step no longer matches what was committed
    Files.writeString(c.marker(), json.replaceFirst("\"nextStep\" : 10", "\"nextStep\" : 11"));
    assertTrue(!json.equals(Files.readString(c.marker())), "the test edited the marker");
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void garbageMarkerFallsBackToThePreviousCheckpoint(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    Files.write(c.marker(), new byte[] {0, (byte) 0xff, 0x12, '{'});
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void noIntactCheckpointIsAnErrorNotAFreshStart(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    Files.writeString(c.marker(), "{");
    Files.writeString(dir.resolve("run.previous.json"), "");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> new TrainingLoop("resumed", STEPS, 1, new Checkpoint(dir, "run"), EVERY).run(new Regression(), true));
    assertTrue(e.getMessage().contains("no intact checkpoint") && e.getMessage().contains("run.json")
        && e.getMessage().contains("run.previous.json"), e.getMessage());
  }

  @Test
  void bothMarkersDeletedIsAnErrorNotASilentRestart(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    Files.delete(c.marker());
    Files.delete(dir.resolve("run.previous.json"));
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> new TrainingLoop("resumed", STEPS, 1, new Checkpoint(dir, "run"), EVERY).run(new Regression(), true));
    assertTrue(e.getMessage().contains("run.json and its previous marker are missing but archives run-10.pt, run-5.pt remain"),
        e.getMessage());
  }

  @Test
  void aResumeWithoutAnyCheckpointYetStartsAtStepZero(@TempDir Path dir) {
    assertEquals(STEPS, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  @Test
  void aCorruptCheckpointNeverBecomesThePreviousOne(@TempDir Path dir) throws IOException {
    Checkpoint c = killedAfterStep13(dir);
    corrupt(archiveOf(c.marker())); // step 10 is bad; the run resumes from 5, saves 10 again and dies at 11
    Counting again = new Counting() {
      @Override
      public Map<String, Double> step(long step) {
        if (step == 11) throw new Killed("at step 11");
        return super.step(step);
      }
    };
    assertThrows(Killed.class, () -> new TrainingLoop("again", STEPS, 1, new Checkpoint(dir, "run"), EVERY).run(again, true));
    corrupt(archiveOf(c.marker())); // the new step 10 is bad too: the previous must still be the good step 5
    assertEquals(15, resumeAndCheck(new Checkpoint(dir, "run")));
  }

  private static void corrupt(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(file, bytes);
  }
}
