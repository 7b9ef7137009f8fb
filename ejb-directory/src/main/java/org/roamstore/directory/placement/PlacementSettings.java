package org.roamstore.directory.placement;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.math.BigDecimal;

/**
 * A volume's placement policy as an admin sets it ({@code PUT
 * /api/admin/volumes/{name}/placement}).
 *
 * <p>The numbers are taken as {@link BigDecimal}s and checked as such: JSON-B turns a number beyond
 * an {@code int} into an {@code Integer} by wrapping it around, so {@code 4294967298} would have
 * been read as 2 and accepted.
 *
 * @param mode {@code off}, {@code dry-run} (announce decisions only) or {@code on}
 * @param maxCopies at most this many copies; needed unless off
 * @param addAfterLogins add a copy where this many logins in a row were nearest; needed unless off
 * @param addAfterStayMinutes or where every login for this many minutes was; optional
 */
public record PlacementSettings(
    @NotNull @Pattern(regexp = "off|dry-run|on", message = "must be off, dry-run or on")
        String mode,
    @Min(1) @Max(16) @Digits(integer = 2, fraction = 0) BigDecimal maxCopies,
    @Min(1) @Max(MAX_LOGINS) @Digits(integer = 3, fraction = 0) BigDecimal addAfterLogins,
    @Min(1) @Max(43_200) @Digits(integer = 5, fraction = 0) BigDecimal addAfterStayMinutes) {

  /** The most logins the policy counts, and so keeps per volume. */
  public static final int MAX_LOGINS = 100;

  @AssertTrue(message = "maxCopies and addAfterLogins are needed unless mode is off")
  public boolean isComplete() {
    return "off".equals(mode) || (maxCopies != null && addAfterLogins != null);
  }

  /** The value of a field that passed validation, or null when absent. */
  static Integer whole(BigDecimal validated) {
    return validated == null ? null : validated.intValueExact();
  }
}
