package org.roamstore.directory.switching;

import java.util.List;
import java.util.Map;

/** What an undo did: where the old layout is back, and where putting it back failed. */
public record UndoOutcome(long epoch, List<String> restored, Map<String, String> failures) {
  public boolean complete() {
    return failures.isEmpty();
  }

  public String describe() {
    if (restored.isEmpty() && failures.isEmpty()) {
      return "nothing had changed";
    }
    String text = "restored " + String.join(", ", restored) + " at epoch " + epoch;
    return failures.isEmpty() ? text : text + "; NOT restored: " + failures;
  }
}
