package org.roamstore.storage.copygroup;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where {@link org.roamstore.storage.disk.AtomicFile} used to be, kept only for the two callers in
 * {@code replication.send} ({@code OutOfSyncMap}, {@code VerifyRecords}) while that package is
 * being restructured: delete this class once they import the one in {@code disk}.
 */
@Deprecated
public final class AtomicFile {
  private AtomicFile() {}

  public static void replace(Path target, byte[] content) throws IOException {
    org.roamstore.storage.disk.AtomicFile.replace(target, content);
  }

  public static void delete(Path target) throws IOException {
    org.roamstore.storage.disk.AtomicFile.delete(target);
  }
}
