package org.roamstore.directory.switching;

import java.util.Map;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupStatus;

/**
 * The choice of the copy a forced takeover may promote when the old primary cannot be reached: the
 * one that applied most of the old primary's stream. A less current one is refused ({@code
 * STALE_COPY}) unless the caller named it explicitly; then what was more current is recorded.
 */
final class MostCurrentCopy {
  private MostCurrentCopy() {}

  /**
   * Refuses a forced takeover by a secondary that applied less of the old primary's stream than
   * another surviving one (what only the other has would be lost), unless the caller named it
   * explicitly; then returns which was more current, for the record. Null when the new primary is
   * the most current copy and not known to be out of date.
   *
   * @param applied what each surviving secondary reported it applied (absent: it cannot say)
   */
  static String moreCurrentThanNewPrimary(
      SwitchRequest request, Map<String, CopyGroupStatus.Applied> applied) {
    CopyGroupStatus.Applied chosen = applied.get(request.newPrimary());
    String best = null;
    for (Map.Entry<String, CopyGroupStatus.Applied> e : applied.entrySet()) {
      if (!e.getKey().equals(request.newPrimary())
          && isAhead(e.getValue(), chosen)
          && (best == null || isAhead(e.getValue(), applied.get(best)))) {
        best = e.getKey();
      }
    }
    if (best == null) {
      return chosen != null && chosen.resyncing() ? outOfDate(request, chosen) : null;
    }
    CopyGroupStatus.Applied better = applied.get(best);
    String behind = chosen == null ? "reports no position in it" : "has " + describe(chosen);
    String text = best + " has " + describe(better) + "; " + request.newPrimary() + " " + behind;
    if (!request.acceptStale()) {
      throw new DirectoryException(
          ErrorCode.STALE_COPY,
          "a forced takeover by "
              + request.newPrimary()
              + " would lose writes: "
              + text
              + ". Take over at "
              + best
              + ", or name "
              + request.newPrimary()
              + " explicitly to accept the loss",
          Map.of("site", best, "behind", behind));
    }
    return text;
  }

  /**
   * No survivor is ahead of the chosen one, but it was told it is out of date (the old primary went
   * on without it, or was still resyncing it): it may lack writes that were acknowledged, and no
   * survivor is known to hold them. Refused unless named explicitly, like a copy behind another.
   */
  private static String outOfDate(SwitchRequest request, CopyGroupStatus.Applied chosen) {
    String text =
        request.newPrimary()
            + " has "
            + describe(chosen)
            + ": the old primary went on without it, and no survivor is known to hold every"
            + " acknowledged write";
    if (!request.acceptStale()) {
      throw new DirectoryException(
          ErrorCode.STALE_COPY,
          "a forced takeover by "
              + request.newPrimary()
              + " may lose writes: "
              + text
              + ". Wait for the old primary, or name "
              + request.newPrimary()
              + " explicitly to accept the loss",
          Map.of("behind", describe(chosen)));
    }
    return text;
  }

  /**
   * Whether {@code a} holds every write {@code b} holds and more (the storage API's rule, {@link
   * CopyGroupStatus.Applied#isAheadOf}: epoch, start of the primary, then the primary's write
   * number, which is the same at every secondary of one stream).
   */
  private static boolean isAhead(CopyGroupStatus.Applied a, CopyGroupStatus.Applied b) {
    return a != null && a.isAheadOf(b);
  }

  private static String describe(CopyGroupStatus.Applied a) {
    return "the old primary's write "
        + (a.lastWrite() < 0 ? "(number unknown)" : Long.toString(a.lastWrite()))
        + " of epoch "
        + a.fromEpoch()
        + (a.resyncing() ? ", still being resynced" : "");
  }
}
