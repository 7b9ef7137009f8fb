package org.roamstore.directory.security;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Set;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.model.DirectoryUser;

/** What it takes to create a user; without roles a user gets the role {@code user}. */
public record NewUser(
    @NotNull
        @Pattern(
            regexp = NewUser.NAME,
            message =
                "must be 1-64 characters: a"
                    + " lower-case letter, then lower-case letters, digits, '.', '_' or '-'")
        String name,
    @NotBlank @Size(min = 8, max = 200, message = "must be 8-200 characters") String password,
    Set<@Pattern(regexp = "admin|user", message = "must be 'admin' or 'user'") String> roles) {

  /** What a user's name may be. */
  public static final String NAME = "[a-z][a-z0-9._-]{0,63}";

  /** Never the password; the rest clipped, as it is what a client sent (logs quote it). */
  @Override
  public String toString() {
    return "NewUser[name=" + Clipped.text(name) + ", roles=" + Clipped.text(roles) + "]";
  }

  public Set<String> rolesOrDefault() {
    return roles == null || roles.isEmpty() ? Set.of(DirectoryUser.USER) : Set.copyOf(roles);
  }
}
