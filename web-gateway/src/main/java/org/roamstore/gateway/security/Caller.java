package org.roamstore.gateway.security;

import java.io.Serializable;
import java.util.Set;

/** Who signed in through the form, as the session remembers it. */
public record Caller(String name, Set<String> groups) implements Serializable {
  public Caller {
    groups = Set.copyOf(groups);
  }

  public boolean isAdmin() {
    return groups.contains("admin");
  }
}
