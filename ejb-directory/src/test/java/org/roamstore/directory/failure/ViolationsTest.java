package org.roamstore.directory.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ViolationsTest {

  @Test
  void fieldsAreNamedAsClientsSentThem() {
    assertEquals("user", Violations.field("login.arg0.user"));
    assertEquals("offset", Violations.field("write.offset"));
    assertEquals("sites", Violations.field("create.spec.sites"));
    assertEquals("sites[0]", Violations.field("create.spec.sites[0].<list element>"));
    assertEquals("roles[]", Violations.field("create.user.roles[].<iterable element>"));
    assertEquals("spec", Violations.field("spec"));
  }

  @Test
  void aClientsKeyInAPathIsClipped() {
    String field = Violations.field("create.spec.labels[" + "k".repeat(100_000) + "].<map value>");
    assertTrue(field.length() < Clipped.TEXT_LIMIT + 40, field.substring(0, 80));
  }
}
