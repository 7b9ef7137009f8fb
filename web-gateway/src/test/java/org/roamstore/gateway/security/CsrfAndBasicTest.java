package org.roamstore.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CsrfAndBasicTest {

  @Test
  void aCsrfTokenMatchesOnlyItself() {
    assertTrue(Csrf.matches("abc", "abc"));
    assertFalse(Csrf.matches("abc", "abd"));
    assertFalse(Csrf.matches("abc", null), "a form without the field");
    assertFalse(Csrf.matches(null, "abc"), "a session without a token");
  }

  @Test
  void basicCredentialsAreSplitAtTheFirstColon() {
    var credential =
        GatewayAuthenticationMechanism.basic(encode("alice:pass:with:colons")).orElseThrow();
    assertEquals("alice", credential.getCaller());
    assertEquals("pass:with:colons", credential.getPasswordAsString());
  }

  @Test
  void malformedBasicCredentialsAreNone() {
    assertEquals(Optional.empty(), GatewayAuthenticationMechanism.basic("not base64!"));
    assertEquals(Optional.empty(), GatewayAuthenticationMechanism.basic(encode("no-colon")));
    assertEquals(Optional.empty(), GatewayAuthenticationMechanism.basic(encode(":no-user")));
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
