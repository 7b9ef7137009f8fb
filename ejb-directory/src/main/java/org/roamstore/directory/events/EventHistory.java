package org.roamstore.directory.events;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The last {@value #CAPACITY} directory events this instance received from the topic, for the
 * status page's timeline. Kept in memory only: the history starts empty at each start of the
 * gateway, and its size never grows past the bound. Events come at least once; a repeated id is
 * dropped.
 */
@ApplicationScoped
public class EventHistory {
  public static final int CAPACITY = 1000;

  private final Deque<HistoryEntry> entries = new ArrayDeque<>(CAPACITY);
  private final Set<String> ids = new HashSet<>();

  public synchronized void add(HistoryEntry entry) {
    if (!ids.add(entry.id())) {
      return;
    }
    if (entries.size() == CAPACITY) {
      ids.remove(entries.removeFirst().id());
    }
    entries.addLast(entry);
  }

  /** At most {@code limit} entries that match, newest first. */
  public synchronized List<HistoryEntry> select(HistoryFilter filter, int limit) {
    List<HistoryEntry> out = new ArrayList<>();
    for (HistoryEntry e : entries) {
      if (filter.matches(e)) {
        out.add(e);
      }
    }
    // Arrival order is nearly time order; two instances' events may cross on the way.
    out.sort(Comparator.comparing(HistoryEntry::at).reversed());
    return out.subList(0, Math.min(limit, out.size()));
  }

  /** Whether any kept entry concerns the volume (it may since have been deleted). */
  public synchronized boolean mentionsVolume(String volume) {
    return entries.stream().anyMatch(e -> volume.equals(e.volume()));
  }

  /** Whether any kept entry was caused by the user. */
  public synchronized boolean mentionsUser(String user) {
    return entries.stream().anyMatch(e -> user.equals(e.user()));
  }
}
