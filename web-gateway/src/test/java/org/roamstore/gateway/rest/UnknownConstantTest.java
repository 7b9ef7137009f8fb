package org.roamstore.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.bind.JsonbException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.ProcessingException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.TransferType;

class UnknownConstantTest {
  enum Speed {
    SLOW,
    STEADY
  }

  record Spec(String name, TransferType transferType, Speed speed) {}

  static class Resource {
    void create(@PathParam("group") Speed group, @NotNull @Valid Spec spec) {}

    void noRecord(String body) {}
  }

  /** The chain Jersey and Yasson throw, as GatewayApiIT sees it on Payara Micro. */
  private static RuntimeException unbound(String constant) {
    return new ProcessingException(
        "Error deserializing object from entity stream.",
        new JsonbException(
            "Error deserialize JSON value into type: class x.",
            new IllegalArgumentException("No enum constant " + constant)));
  }

  private static Method method(String name) throws Exception {
    for (Method m : Resource.class.getDeclaredMethods()) {
      if (m.getName().equals(name)) {
        return m;
      }
    }
    throw new AssertionError(name);
  }

  @Test
  void theFieldAndItsAcceptedValuesAreNamed() throws Exception {
    ApiError refusal =
        UnknownConstant.of(unbound(TransferType.class.getName() + ".FAST"), method("create"))
            .orElseThrow();

    JsonObject error = refusal.body().getJsonObject("error");
    assertEquals(400, refusal.status());
    assertEquals("VALIDATION_FAILED", error.getString("code"));
    assertEquals(
        "must be one of SYNC, ASYNC (not 'FAST')",
        error.getJsonObject("details").getString("transferType"));
    assertTrue(error.getString("message").contains("transferType"), error.toString());
  }

  @Test
  void anotherEnumFieldOfTheBodyIsFoundToo() throws Exception {
    ApiError refusal =
        UnknownConstant.of(unbound(Speed.class.getName() + ".FAST"), method("create"))
            .orElseThrow();

    assertEquals(
        "must be one of SLOW, STEADY (not 'FAST')",
        refusal.body().getJsonObject("error").getJsonObject("details").getString("speed"));
  }

  @Test
  void otherFailuresAreLeftToTheGeneralRefusal() throws Exception {
    assertTrue(UnknownConstant.of(new ProcessingException("not JSON"), method("create")).isEmpty());
    assertTrue(
        UnknownConstant.of(unbound("java.time.DayOfWeek.FUNDAY"), method("create")).isEmpty());
    assertTrue(
        UnknownConstant.of(unbound(TransferType.class.getName() + ".FAST"), method("noRecord"))
            .isEmpty());
    assertTrue(UnknownConstant.of(unbound(TransferType.class.getName() + ".FAST"), null).isEmpty());
  }
}
