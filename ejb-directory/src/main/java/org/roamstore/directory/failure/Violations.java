package org.roamstore.directory.failure;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Bean Validation refusal as clients see it, the same over REST and the request queue: each field
 * they sent with what is wrong with it. Clients know their fields, not our method names:
 * "login.arg0.user" becomes "user", "write.offset" (a query parameter) "offset", and
 * "create.spec.sites[0].&lt;list element&gt;" "sites[0]".
 */
public final class Violations {
  private Violations() {}

  public static Map<String, String> details(ConstraintViolationException e) {
    Map<String, String> details = new TreeMap<>();
    for (ConstraintViolation<?> v : e.getConstraintViolations()) {
      details.merge(field(v.getPropertyPath().toString()), v.getMessage(), (a, b) -> a + "; " + b);
    }
    return details;
  }

  static String field(String path) {
    String[] parts = path.replaceAll("\\.<[^>]*>", "").split("\\.");
    String field =
        switch (parts.length) {
          case 1 -> parts[0];
          case 2 -> parts[1];
          default -> String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length));
        };
    // A key of a map or a set's element may be the client's text.
    return Clipped.text(field);
  }
}
