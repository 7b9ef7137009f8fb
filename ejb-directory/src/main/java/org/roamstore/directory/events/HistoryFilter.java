package org.roamstore.directory.events;

/**
 * Which history entries to show: those of one volume, of one user, or both; a null field does not
 * filter.
 */
public record HistoryFilter(String volume, String user) {
  public static final HistoryFilter ALL = new HistoryFilter(null, null);

  public boolean matches(HistoryEntry entry) {
    return (volume == null || volume.equals(entry.volume()))
        && (user == null || user.equals(entry.user()));
  }
}
