package org.roamstore.directory.verify;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.storage.api.VerifyRequest;

/**
 * What an operator asks of an online verify; every field may be left out.
 *
 * @param secondaries data centers whose copies are compared with the primary's; empty or absent:
 *     every secondary the primary reports in sync (or lagging)
 * @param rateMiBPerSecond how fast the primary's volume is read; 0 or absent: the storage control
 *     unit's default
 * @param repair whether regions found different are resynchronised from the primary; absent: yes
 *     (as {@link VerifyRequest#all()})
 */
public record VerifyOptions(
    @Size(max = 16)
        List<
                @NotNull
                @Pattern(
                    regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}",
                    message = "must be the name of a data center")
                String>
            secondaries,
    @PositiveOrZero @Max(VerifyRequest.MAX_RATE_MIB_PER_SECOND) Integer rateMiBPerSecond,
    Boolean repair) {

  /** Clipped: it is what a client sent, and logs quote it. */
  @Override
  public String toString() {
    return "VerifyOptions[secondaries="
        + Clipped.text(secondaries)
        + ", rateMiBPerSecond="
        + rateMiBPerSecond
        + ", repair="
        + repair
        + "]";
  }

  /** Every secondary in sync, at the default rate, repairing what differs. */
  public static VerifyOptions defaults() {
    return new VerifyOptions(null, null, null);
  }

  public Set<String> secondariesOrAll() {
    return secondaries == null ? Set.of() : Set.copyOf(secondaries);
  }

  public int rateOrDefault() {
    return rateMiBPerSecond == null ? 0 : rateMiBPerSecond;
  }

  public boolean repairOrDefault() {
    return repair == null || repair;
  }

  /**
   * The options of a JSON request ({@code secondaries}, {@code rateMiBPerSecond}, {@code repair};
   * other fields are not looked at). A field of the wrong type is refused with a {@link
   * JsonException} naming it; ranges are left to Bean Validation.
   */
  public static VerifyOptions fromJson(JsonObject json) {
    List<String> secondaries = null;
    JsonValue list = json.get("secondaries");
    if (list != null && list != JsonValue.NULL) {
      if (list.getValueType() != JsonValue.ValueType.ARRAY) {
        throw new JsonException("'secondaries' must be an array of data center names");
      }
      secondaries = new ArrayList<>();
      for (JsonValue v : list.asJsonArray()) {
        if (!(v instanceof JsonString s)) {
          throw new JsonException("'secondaries' must be an array of data center names");
        }
        secondaries.add(s.getString());
      }
    }
    Integer rate = null;
    JsonValue r = json.get("rateMiBPerSecond");
    if (r != null && r != JsonValue.NULL) {
      if (!(r instanceof JsonNumber n) || !n.isIntegral()) {
        throw new JsonException("'rateMiBPerSecond' must be a whole number of MiB/s");
      }
      // Out of int range: kept out of range (and refused by validation), never wrapped around.
      // Compared as a BigDecimal: turning 1e999999999 into a BigInteger would take the machine.
      java.math.BigDecimal value = n.bigDecimalValue();
      if (value.compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
        rate = Integer.MAX_VALUE;
      } else if (value.signum() < 0) {
        rate = -1;
      } else {
        rate = value.intValue();
      }
    }
    Boolean repair = null;
    JsonValue p = json.get("repair");
    if (p != null && p != JsonValue.NULL) {
      if (p != JsonValue.TRUE && p != JsonValue.FALSE) {
        throw new JsonException("'repair' must be true or false");
      }
      repair = p == JsonValue.TRUE;
    }
    return new VerifyOptions(secondaries, rate, repair);
  }
}
