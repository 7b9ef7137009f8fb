package org.roamstore.directory.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.Names;

class AccessTokensTest {

  @Test
  void exportNamesAreValidStorageNamesAndDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String name = AccessTokens.newExportName();
      assertTrue(Names.isValid(name), name);
      assertTrue(name.length() >= 32, "at least 192 random bits: " + name);
      assertTrue(seen.add(name));
    }
  }

  @Test
  void bearerTokensAreKeptOnlyAsAStableHash() {
    String token = AccessTokens.newBearerToken();

    String hash = AccessTokens.hash(token);

    assertEquals(64, hash.length());
    assertEquals(hash, AccessTokens.hash(token));
    assertNotEquals(hash, AccessTokens.hash(AccessTokens.newBearerToken()));
    assertTrue(!hash.contains(token));
  }
}
