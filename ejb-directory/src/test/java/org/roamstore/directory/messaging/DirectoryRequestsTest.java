package org.roamstore.directory.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ejb.EJBException;
import jakarta.json.JsonObject;
import jakarta.json.bind.JsonbException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;

/** The answers of the request queue carry the REST API's codes for the same failures. */
class DirectoryRequestsTest {

  @Test
  void aDirectoryRefusalKeepsItsCodeAndDetails() {
    JsonObject answer =
        DirectoryRequests.failure(
            "login",
            new DirectoryException(
                ErrorCode.OLD_PRIMARY_UNREACHABLE, "seattle is down", Map.of("site", "seattle")));
    assertFalse(answer.getBoolean("ok"));
    assertEquals("login", answer.getString("op"));
    JsonObject error = answer.getJsonObject("error");
    assertEquals("OLD_PRIMARY_UNREACHABLE", error.getString("code"));
    assertEquals("seattle", error.getJsonObject("details").getString("site"));
  }

  @Test
  void aRefusalWrappedByTheEjbContainerIsUnwrapped() {
    JsonObject answer =
        DirectoryRequests.failure(
            "provision",
            new EJBException(
                new DirectoryException(ErrorCode.VOLUME_EXISTS, "a volume named 'x' exists")));
    assertEquals("VOLUME_EXISTS", answer.getJsonObject("error").getString("code"));
  }

  @Test
  void aBodyThatIsNotTheJsonExpectedIsMalformed() {
    JsonObject answer = DirectoryRequests.failure("login", new JsonbException("unexpected token"));
    assertEquals("MALFORMED_REQUEST", answer.getJsonObject("error").getString("code"));
  }

  @Test
  void aVerifyWithoutAdminCredentialsIsRefusedBeforeAnythingIsAsked() {
    JsonObject answer =
        new DirectoryRequests()
            .handle(
                jakarta.json.Json.createObjectBuilder()
                    .add("op", "verify")
                    .add("volume", "alice-disk")
                    .add("requestId", "r-1")
                    .build());
    assertFalse(answer.getBoolean("ok"));
    assertEquals("verify", answer.getString("op"));
    assertEquals("r-1", answer.getString("requestId"));
    JsonObject error = answer.getJsonObject("error");
    assertEquals("AUTHENTICATION_FAILED", error.getString("code"));
    assertTrue(error.getString("message").startsWith("a verify needs 'admin'"));
  }

  @Test
  void whatASenderSentIsClippedInTheAnswerAndTheLog() {
    String huge = "x".repeat(10 << 20);
    for (RuntimeException failure :
        new RuntimeException[] {
          new JsonbException("cannot read '" + huge + "'"), new IllegalStateException(huge)
        }) {
      String message =
          DirectoryRequests.failure("login", failure).getJsonObject("error").getString("message");
      assertTrue(message.length() < 2 * Clipped.TEXT_LIMIT, message.substring(0, 100));
    }
  }

  @Test
  void aVerifyOptionOfTheWrongTypeIsMalformedAsOverRest() {
    JsonObject answer =
        DirectoryRequests.failure(
            "verify", new jakarta.json.JsonException("'repair' must be true or false"));
    assertEquals("MALFORMED_REQUEST", answer.getJsonObject("error").getString("code"));
  }
}
