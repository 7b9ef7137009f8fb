package org.roamstore.storage.engine;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.copygroup.AtomicFile;

/**
 * Export names (access tokens) and what they reach, kept in {@code exports.properties} so that a
 * user's token survives a restart of the control unit. Changes are serialized by the caller.
 */
final class ExportRegistry {
  private static final Logger LOG = Logger.getLogger(ExportRegistry.class.getName());
  private static final int MAX_NAME_BYTES = 4096; // the NBD limit for names

  private final Path file;
  private final Map<String, ExportBinding> bindings = new ConcurrentHashMap<>();

  ExportRegistry(Path file) {
    this.file = file;
  }

  /** Reads the file; names whose volume is gone are dropped. */
  void load(Function<String, HostedVolume> volumes, WriteRequestExecution writes)
      throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    for (String name : p.stringPropertyNames()) {
      String value = p.getProperty(name);
      int colon = value.lastIndexOf(':');
      HostedVolume volume = colon < 0 ? null : volumes.apply(value.substring(0, colon));
      if (volume == null) {
        LOG.warning("export " + name + " names a missing volume; dropped");
        continue;
      }
      long epoch = Long.parseLong(value.substring(colon + 1));
      bindings.put(name, new ExportBinding(name, volume, epoch, writes));
    }
  }

  ExportBinding find(String name) {
    return bindings.get(name);
  }

  // Each change is saved before it is applied, so a failed save changes nothing.

  void put(ExportBinding binding) {
    Map<String, ExportBinding> next = new HashMap<>(bindings);
    next.put(binding.name, binding);
    save(next);
    ExportBinding old = bindings.put(binding.name, binding);
    if (old != null) {
      old.revoke();
    }
  }

  void remove(String name) {
    if (!bindings.containsKey(name)) {
      throw new StorageException(Reason.UNKNOWN_EXPORT, "no export named " + name);
    }
    Map<String, ExportBinding> next = new HashMap<>(bindings);
    next.remove(name);
    save(next);
    ExportBinding old = bindings.remove(name);
    if (old != null) {
      old.revoke();
    }
  }

  /** Drops the exports of a volume that no longer work: those of other epochs than the given. */
  void dropFor(HostedVolume volume, long keepEpoch) {
    Map<String, ExportBinding> next = new HashMap<>(bindings);
    if (!next.values().removeIf(b -> b.volume == volume && b.epoch != keepEpoch)) {
      return;
    }
    save(next);
    bindings
        .values()
        .removeIf(
            b -> {
              boolean drop = b.volume == volume && b.epoch != keepEpoch;
              if (drop) {
                b.revoke();
              }
              return drop;
            });
  }

  static String validName(String name) {
    if (name == null
        || name.isEmpty()
        || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES
        || name.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "export name must be 1-4096 bytes without spaces or control characters");
    }
    return name;
  }

  private void save(Map<String, ExportBinding> next) {
    Properties p = new Properties();
    for (ExportBinding b : next.values()) {
      p.setProperty(b.name, b.volume.id() + ":" + b.epoch);
    }
    StringWriter out = new StringWriter();
    try {
      p.store(out, "NBD export names (access tokens): name=volume:epoch");
      AtomicFile.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot save the export names: " + e.getMessage(), e);
    }
  }
}
