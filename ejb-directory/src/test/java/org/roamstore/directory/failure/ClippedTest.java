package org.roamstore.directory.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.login.LoginRequest;
import org.roamstore.directory.security.NewUser;

class ClippedTest {
  private static final String HUGE = "v".repeat(10 << 20);

  @Test
  void shortTextStaysAsItIs() {
    assertEquals("alice-disk", Clipped.text("alice-disk"));
    assertEquals("null", Clipped.text(null));
  }

  @Test
  void longTextKeepsItsStartAndCountsTheRest() {
    String clipped = Clipped.text(HUGE);
    assertEquals(
        "v".repeat(Clipped.TEXT_LIMIT)
            + "...("
            + ((10 << 20) - Clipped.TEXT_LIMIT)
            + " more characters)",
        clipped);
  }

  @Test
  void lineBreaksAndControlCharactersCannotStartAnotherLogEntry() {
    String forged = Clipped.text("bob\n[2026-12-06T01:00:00] INFO admin logged in\r\u0000\u2028");
    assertFalse(
        forged.contains("\n") || forged.contains("\r") || forged.contains("\u2028"), forged);
    assertTrue(forged.startsWith("bob\\n[2026"), forged);
    assertTrue(forged.endsWith("\\r\\u0000\\u2028"), forged);
  }

  @Test
  void aFailureKeepsClassesAndStacksWithItsMessagesClipped() {
    IllegalStateException inner = new IllegalStateException("volume=" + HUGE);
    RuntimeException outer = new RuntimeException("login of " + HUGE + " failed", inner);

    Throwable copy = Clipped.failure(outer);
    StringWriter printed = new StringWriter();
    copy.printStackTrace(new PrintWriter(printed));

    assertTrue(
        printed.toString().startsWith("java.lang.RuntimeException: login of vvv"),
        printed.toString().substring(0, 80));
    assertTrue(
        printed.toString().contains("Caused by: java.lang.IllegalStateException: volume=vvv"));
    int longest = printed.toString().lines().mapToInt(String::length).max().orElseThrow();
    assertTrue(longest < Clipped.MESSAGE_LIMIT + 100, "no printed line is longer: " + longest);
    assertEquals(outer.getStackTrace().length, copy.getStackTrace().length);
    assertEquals(inner.getStackTrace()[0], copy.getCause().getStackTrace()[0]);
    assertNull(Clipped.failure(null));
    assertSame(null, copy.getCause().getCause());
  }

  @Test
  void requestsPrintClippedAndWithoutPasswords() {
    String login =
        new LoginRequest("alice", "secret-pass", HUGE, null, null, null, null).toString();
    assertTrue(login.length() < 3 * Clipped.TEXT_LIMIT + 200, login.substring(0, 100));
    assertFalse(login.contains("secret-pass"));
    String user = new NewUser("bob", "secret-pass", null).toString();
    assertFalse(user.contains("secret-pass"), user);
    assertTrue(user.contains("bob"), user);
  }
}
