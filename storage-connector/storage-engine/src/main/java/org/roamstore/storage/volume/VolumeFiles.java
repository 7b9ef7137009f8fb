package org.roamstore.storage.volume;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.roamstore.storage.api.Names;
import org.roamstore.storage.disk.Directories;

/** The directory of volume files: {@code <volumeId>.vol}, one per real volume. */
public final class VolumeFiles {
  private static final String SUFFIX = ".vol";
  private final Path directory;

  public VolumeFiles(Path directory) throws IOException {
    this.directory = Files.createDirectories(directory);
  }

  /** Opens every volume file found; files whose names are not volume ids are left alone. */
  public List<RealVolume> openAll() throws IOException {
    List<RealVolume> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String id = name.substring(0, name.length() - SUFFIX.length());
        if (Names.isValid(id)) {
          found.add(new RealVolume(id, file));
        }
      }
    }
    return found;
  }

  public boolean exists(String volumeId) {
    return Files.exists(fileOf(volumeId));
  }

  /** Creates a sparse file of the given size; the name is durable when this returns. */
  public RealVolume create(String volumeId, long sizeBytes) throws IOException {
    Path file = fileOf(volumeId);
    try (FileChannel ignored =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      // created empty; the length is set below without allocating blocks
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(sizeBytes);
      raf.getFD().sync();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    Directories.force(directory);
    return new RealVolume(volumeId, file);
  }

  public void delete(String volumeId) throws IOException {
    Files.deleteIfExists(fileOf(volumeId));
    Directories.force(directory);
  }

  private Path fileOf(String volumeId) {
    return directory.resolve(Names.require("volume id", volumeId) + SUFFIX);
  }
}
