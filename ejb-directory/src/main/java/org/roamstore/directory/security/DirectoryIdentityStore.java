package org.roamstore.directory.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;

/**
 * The identity store behind the gateway's HTTP authentication: the directory's users, their roles
 * as groups (the gateway maps group {@code admin} to role {@code admin}).
 */
@ApplicationScoped
public class DirectoryIdentityStore implements IdentityStore {

  @Inject private UserDirectory users;

  @Override
  public CredentialValidationResult validate(Credential credential) {
    if (!(credential instanceof UsernamePasswordCredential login)) {
      return CredentialValidationResult.NOT_VALIDATED_RESULT;
    }
    return users
        .check(login.getCaller(), login.getPasswordAsString())
        .map(u -> new CredentialValidationResult(u.name(), u.roles()))
        .orElse(CredentialValidationResult.INVALID_RESULT);
  }
}
