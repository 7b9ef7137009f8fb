package org.roamstore.storage.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.disk.AtomicFile;

/**
 * Export names (access tokens) and what they reach, kept in an append-only log so that a user's
 * token survives a restart of the control unit.
 *
 * <p>Every login registers a token, so this sits on the login path. Rewriting a file of all tokens
 * per login cost time that grew with the number of tokens, under the unit's lock. Instead a change
 * is one appended line ({@code +k key volume epoch [expiresAtMillis]} or {@code -k key}). Callers
 * that need a change on disk (revocations) wait for {@link #awaitDurable}, where concurrent callers
 * share one fsync (group commit). The log is rewritten with only the live names when it has grown
 * well past them, and at start.
 *
 * <p>A name is known by its key, its SHA-256: the log and memory hold no token that would open a
 * volume (the directory keeps its bearer tokens the same way). Records of names in clear ({@code +
 * name ...}, {@code - name}), written before, are read and rewritten as keys at start.
 *
 * <p>Changes are appended and applied under the caller's lock; {@link #awaitDurable} is meant to be
 * called after releasing it.
 */
final class ExportRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ExportRegistry.class.getName());
  private static final int MAX_NAME_BYTES = 4096; // the NBD limit for names
  private static final int MIN_RECORDS_BEFORE_COMPACTION = 1024;

  private final Path file;
  private final Map<String, ExportBinding> bindings = new ConcurrentHashMap<>();
  // The same bindings by volume, for dropFor: a change of primary drops one volume's stale names,
  // and finding them among every name of the unit made each switch slower with every login made
  // at a primary since. Guarded by io (and only touched together with bindings).
  private final Map<CopyGroupReplica, Set<ExportBinding>> byVolume = new HashMap<>();
  // Names with an end, soonest first: every login adds one, and without their expiry the names
  // (in memory and in the log) would only ever go when their volume's primary moves. Guarded by io;
  // may still hold names unbound since (revoked, dropped), which are skipped when they come up.
  private final PriorityQueue<ExportBinding> expiring =
      new PriorityQueue<>(Comparator.comparingLong(b -> b.expiresAtMillis));

  // Lock order: durability, then io.
  private final Object durability = new Object();
  private final Object io = new Object();
  private FileChannel log; // guarded by io
  private long appended; // records written to the log, guarded by io
  private long recordsInLog; // guarded by io
  private long durable; // records known to be on disk, guarded by durability
  private volatile boolean compactLater;

  ExportRegistry(Path file) {
    this.file = file;
  }

  /** Replays the log; names whose volume is gone are dropped. Then starts a compact log. */
  void load(Function<String, CopyGroupReplica> volumes, WriteRequestExecution writes)
      throws IOException {
    if (Files.exists(file)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        replay(lines.get(i), i == lines.size() - 1, volumes, writes);
      }
    }
    synchronized (durability) {
      synchronized (io) {
        rewriteLog();
      }
    }
  }

  private void replay(
      String line,
      boolean last,
      Function<String, CopyGroupReplica> volumes,
      WriteRequestExecution writes) {
    String[] f = line.split(" ");
    if (f.length >= 2 && (f[0].equals("+") || f[0].equals("-"))) {
      f[0] += "k"; // a record of a name in clear, from before keys
      f[1] = keyOf(f[1]);
    }
    if (f.length == 2 && f[0].equals("-k")) {
      synchronized (io) {
        unbind(f[1]);
      }
    } else if ((f.length == 4 || f.length == 5) && f[0].equals("+k")) {
      long expiresAtMillis = f.length == 5 ? Long.parseLong(f[4]) : ExportBinding.NEVER;
      if (expiresAtMillis <= System.currentTimeMillis()) {
        // Expired while the unit was down (or before): forgotten, and so is what it replaced.
        synchronized (io) {
          unbind(f[1]);
        }
        return;
      }
      CopyGroupReplica volume = volumes.apply(f[2]);
      if (volume == null) {
        LOG.warning("export " + f[1] + " names a missing volume " + f[2] + "; dropped");
        return;
      }
      synchronized (io) {
        bind(new ExportBinding(f[1], volume, Long.parseLong(f[3]), expiresAtMillis, writes));
      }
    } else if (!line.isEmpty()) {
      // A crash can cut the last append short; anything else is damage worth a louder word.
      if (last) {
        LOG.info("ignoring an incomplete last export record (cut short by a crash)");
      } else {
        LOG.warning("ignoring an unreadable export record: " + line);
      }
    }
  }

  /** The binding a new connection may open with that name: none once it has expired. */
  ExportBinding find(String name) {
    ExportBinding b = bindings.get(keyOf(name));
    return b == null || b.expiredAt(System.currentTimeMillis()) ? null : b;
  }

  /**
   * Binds a name, and forgets the names that have expired (no record needed: a replay skips them
   * too); returns the position to pass to {@link #awaitDurable}.
   */
  long put(ExportBinding binding) {
    ExportBinding[] old = new ExportBinding[1];
    long position =
        append(
            record(binding),
            () -> {
              forgetExpired(System.currentTimeMillis());
              old[0] = bind(binding);
            });
    if (old[0] != null) {
      old[0].revoke();
    }
    return position;
  }

  /** Unbinds a name; returns the position to pass to {@link #awaitDurable}. */
  long remove(String name) {
    String key = keyOf(name);
    if (!bindings.containsKey(key)) {
      throw new StorageException(Reason.UNKNOWN_EXPORT, "no such export");
    }
    ExportBinding[] old = new ExportBinding[1];
    long position = append("-k " + key, () -> old[0] = unbind(key));
    if (old[0] != null) {
      old[0].revoke();
    }
    return position;
  }

  /**
   * Drops the exports of a volume that no longer work: those of other epochs than the given.
   * Returns the position to pass to {@link #awaitDurable}, or 0 when nothing changed.
   */
  long dropFor(CopyGroupReplica volume, long keepEpoch) {
    List<ExportBinding> ofVolume;
    synchronized (io) {
      ofVolume = List.copyOf(byVolume.getOrDefault(volume, Set.of()));
    }
    long position = 0;
    for (ExportBinding b : ofVolume) {
      if (b.epoch != keepEpoch) {
        position = append("-k " + b.key, () -> unbind(b.key));
        b.revoke();
      }
    }
    return position;
  }

  private static String record(ExportBinding b) {
    String bound = "+k " + b.key + " " + b.replica.id() + " " + b.epoch;
    return b.expiresAtMillis == ExportBinding.NEVER ? bound : bound + " " + b.expiresAtMillis;
  }

  /** Binds a name in both maps; returns what it was bound to before. Holds io. */
  private ExportBinding bind(ExportBinding binding) {
    ExportBinding old = unbind(binding.key);
    bindings.put(binding.key, binding);
    byVolume.computeIfAbsent(binding.replica, v -> new LinkedHashSet<>()).add(binding);
    if (binding.expiresAtMillis != ExportBinding.NEVER) {
      expiring.add(binding);
    }
    return old;
  }

  /**
   * Unbinds the names that have expired. A connection open with one goes on (its binding is not
   * revoked); only new ones are refused. Holds io.
   */
  private void forgetExpired(long nowMillis) {
    while (!expiring.isEmpty() && expiring.peek().expiredAt(nowMillis)) {
      ExportBinding b = expiring.poll();
      if (bindings.get(b.key) == b) {
        unbind(b.key);
      }
    }
  }

  /** Unbinds a key from both maps; returns what it was bound to. Holds io. */
  private ExportBinding unbind(String key) {
    ExportBinding old = bindings.remove(key);
    if (old != null) {
      Set<ExportBinding> ofVolume = byVolume.get(old.replica);
      ofVolume.remove(old);
      if (ofVolume.isEmpty()) {
        byVolume.remove(old.replica);
      }
    }
    return old;
  }

  /**
   * Returns once every change up to {@code position} is on disk. Callers arriving while another
   * forces the log wait for it and are usually covered by the next force: one fsync for many.
   */
  void awaitDurable(long position) {
    synchronized (durability) {
      if (durable >= position) {
        return;
      }
      FileChannel channel;
      long target;
      synchronized (io) {
        channel = log;
        target = appended;
      }
      try {
        channel.force(false);
      } catch (IOException e) {
        throw new StorageException(
            Reason.IO_ERROR, "cannot save the export names: " + e.getMessage(), e);
      }
      durable = target;
    }
  }

  /**
   * Appends a record and applies it to the names in one step under the log's lock: a compaction
   * between the two would write the names without the change into a new log, while the record went
   * into the old one it replaces, and the change would be lost at the next start.
   */
  private long append(String record, Runnable apply) {
    synchronized (io) {
      try {
        ByteBuffer bytes = ByteBuffer.wrap((record + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          log.write(bytes);
        }
      } catch (IOException e) {
        throw new StorageException(
            Reason.IO_ERROR, "cannot save the export names: " + e.getMessage(), e);
      }
      apply.run();
      recordsInLog++;
      long position = ++appended;
      if (recordsInLog > Math.max(MIN_RECORDS_BEFORE_COMPACTION, 2L * bindings.size())) {
        compactLater = true;
      }
      return position;
    }
  }

  /**
   * Rewrites the log with only the live names once it has grown well past them. Called by the
   * control unit outside the hot path's locks; the rewrite is atomic and makes everything durable.
   */
  void compactIfGrown() {
    if (!compactLater) {
      return;
    }
    synchronized (durability) {
      synchronized (io) {
        try {
          rewriteLog();
        } catch (IOException e) {
          LOG.warning("could not compact the export log (it keeps growing): " + e.getMessage());
        }
      }
    }
  }

  // Holds durability and io.
  private void rewriteLog() throws IOException {
    forgetExpired(System.currentTimeMillis());
    StringBuilder live = new StringBuilder();
    for (ExportBinding b : bindings.values()) {
      live.append(record(b)).append('\n');
    }
    AtomicFile.replace(file, live.toString().getBytes(StandardCharsets.UTF_8));
    if (log != null) {
      log.close();
    }
    log = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    recordsInLog = bindings.size();
    durable = appended; // the rewritten file holds every change so far, forced
    compactLater = false;
  }

  @Override
  public void close() throws IOException {
    synchronized (io) {
      if (log != null) {
        log.force(false);
        log.close();
        log = null;
      }
    }
  }

  /** The key a name is known by: its SHA-256, in hex. */
  static String keyOf(String name) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
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
}
