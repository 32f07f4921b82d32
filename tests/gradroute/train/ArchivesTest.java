package gradroute.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gradroute.runtime.TorchRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed archive write (a full disk) is an IOException, not a JVM abort, and leaves no file behind. */
class ArchivesTest {
  @BeforeAll
  static void init() {
    TorchRuntime.init();
  }

  private static OutputArchive archiveOfOneMegabyte() {
    OutputArchive out = new OutputArchive();
    out.write("w", torch.ones(256, 1024));
    return out;
  }

  /** A disk that fills after {@code room} bytes. */
  private static OutputStream diskWithRoomFor(long room) {
    return new OutputStream() {
      long written;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (written + len > room) throw new IOException("No space left on device");
        written += len;
      }
    };
  }

  @Test
  void aFullDiskIsAnIOExceptionAndTheProcessLivesOn() {
    IOException e = assertThrows(IOException.class, () -> Archives.write(archiveOfOneMegabyte(), diskWithRoomFor(100_000)));
    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    Tensor after = torch.ones(2).add(torch.ones(2)); // libtorch still works
    assertEquals(4.0, after.sum().item_double());
  }

  @Test
  void tooLittleRoomIsRefusedBeforeWritingAndLeavesNoTempFile(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("run-10.pt");
    IOException e = assertThrows(IOException.class, () -> Archives.save(archiveOfOneMegabyte(), target, Long.MAX_VALUE));
    assertTrue(e.getMessage().startsWith("not enough space for " + target), e.getMessage());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void whatItWritesLibtorchReadsBack(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("a.pt");
    Archives.save(archiveOfOneMegabyte(), target, 0);
    InputArchive in = new InputArchive();
    in.load_from(target.toString());
    Tensor w = new Tensor();
    in.read("w", w);
    assertEquals(256 * 1024, w.sum().item_double());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Archives.write(archiveOfOneMegabyte(), bytes);
    assertEquals(Files.size(target), bytes.size());
    try (Stream<Path> files = Files.list(dir)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }
}
