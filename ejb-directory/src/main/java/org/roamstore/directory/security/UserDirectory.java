package org.roamstore.directory.security;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Optional;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.DirectoryUser;

/** The directory's users: creating them and checking their passwords. */
@Stateless
public class UserDirectory {

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private PasswordHasher hasher;
  @Inject private VerifiedCredentials verified;

  public DirectoryUser create(@NotNull @Valid NewUser user) {
    if (em.find(DirectoryUser.class, user.name()) != null) {
      throw new DirectoryException(
          ErrorCode.USER_EXISTS, "a user named '" + user.name() + "' exists");
    }
    DirectoryUser created =
        new DirectoryUser(user.name(), hasher.hash(user.password()), user.rolesOrDefault());
    em.persist(created);
    return created;
  }

  /**
   * The user if the password is theirs. Unknown user and wrong password look the same to the
   * caller, and take the same time, so a login does not tell which user names exist. A password
   * this user proved a short while ago against the same stored hash is recognised without PBKDF2
   * ({@link VerifiedCredentials}); a wrong one always takes the full verification.
   */
  public Optional<DirectoryUser> check(String name, String password) {
    DirectoryUser user = name == null ? null : em.find(DirectoryUser.class, name);
    String given = password == null ? "" : password;
    if (user == null) {
      hasher.verifyNobody(given);
      return Optional.empty();
    }
    if (verified.matches(user.name(), user.passwordHash(), given)) {
      return Optional.of(user);
    }
    if (!hasher.verify(given, user.passwordHash())) {
      return Optional.empty();
    }
    verified.remember(user.name(), user.passwordHash(), given);
    return Optional.of(user);
  }

  public DirectoryUser authenticate(String name, String password) {
    return check(name, password)
        .orElseThrow(
            () ->
                new DirectoryException(
                    ErrorCode.AUTHENTICATION_FAILED, "unknown user or wrong password"));
  }

  public Optional<DirectoryUser> find(String name) {
    return Optional.ofNullable(em.find(DirectoryUser.class, name));
  }

  public List<DirectoryUser> all() {
    return em.createNamedQuery(DirectoryUser.ALL, DirectoryUser.class).getResultList();
  }
}
