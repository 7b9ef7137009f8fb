package org.roamstore.storage.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
  @TempDir Path dir;

  @Test
  void replaceLeavesOnlyTheNewContentAndNoTemporaryFile() throws IOException {
    Path target = dir.resolve("state");
    AtomicFile.replace(target, bytes("old"));
    AtomicFile.replace(target, bytes("new"));

    assertOnlyFileHolds(target, "new");
  }

  @Test
  void aTemporaryFileLeftByACrashIsOverwrittenNotAppendedTo() throws IOException {
    Path target = dir.resolve("state");
    Files.writeString(dir.resolve("state" + AtomicFile.TEMP_SUFFIX), "a longer torn write");

    AtomicFile.replace(target, bytes("new"));

    assertOnlyFileHolds(target, "new");
  }

  @Test
  void deleteRemovesTheFileAndToleratesAMissingOne() throws IOException {
    Path target = dir.resolve("state");
    AtomicFile.replace(target, bytes("x"));

    AtomicFile.delete(target);
    AtomicFile.delete(target);

    assertFalse(Files.exists(target));
  }

  @Test
  void forcingADirectoryThatIsNotThereSaysWhich() {
    Path missing = dir.resolve("missing");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> Directories.force(missing));
    assertEquals("cannot sync directory " + missing, e.getMessage());
  }

  /** The target holds the content, and no temporary file is left beside it. */
  private void assertOnlyFileHolds(Path target, String content) throws IOException {
    assertArrayEquals(bytes(content), Files.readAllBytes(target));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(target), files.toList());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
