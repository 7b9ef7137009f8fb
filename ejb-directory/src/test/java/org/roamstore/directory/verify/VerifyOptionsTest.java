package org.roamstore.directory.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The options of a verify as JSON requests give them (REST body, request queue). */
class VerifyOptionsTest {

  @Test
  void absentFieldsTakeTheDefaultsOfVerifyRequestAll() {
    VerifyOptions options = VerifyOptions.fromJson(json("{\"op\": \"verify\"}"));
    assertEquals(Set.of(), options.secondariesOrAll());
    assertEquals(0, options.rateOrDefault());
    assertTrue(options.repairOrDefault());
    assertEquals(VerifyOptions.defaults(), VerifyOptions.fromJson(json("{\"repair\": null}")));
  }

  @Test
  void givenFieldsAreTaken() {
    VerifyOptions options =
        VerifyOptions.fromJson(
            json(
                "{\"secondaries\": [\"portland\", \"sanfrancisco\"], \"rateMiBPerSecond\": 25,"
                    + " \"repair\": false}"));
    assertEquals(List.of("portland", "sanfrancisco"), options.secondaries());
    assertEquals(25, options.rateOrDefault());
    assertFalse(options.repairOrDefault());
  }

  @Test
  void fieldsOfTheWrongTypeAreRefusedByName() {
    for (String[] bad :
        List.of(
            new String[] {"{\"secondaries\": \"portland\"}", "secondaries"},
            new String[] {"{\"secondaries\": [1]}", "secondaries"},
            new String[] {"{\"secondaries\": [{\"a\": 1}]}", "secondaries"},
            new String[] {"{\"rateMiBPerSecond\": \"fast\"}", "rateMiBPerSecond"},
            new String[] {"{\"rateMiBPerSecond\": 2.5}", "rateMiBPerSecond"},
            new String[] {"{\"rateMiBPerSecond\": 1e999999999}", "rateMiBPerSecond"},
            new String[] {"{\"repair\": \"yes\"}", "repair"},
            new String[] {"{\"repair\": 1}", "repair"})) {
      JsonException e =
          assertThrows(JsonException.class, () -> VerifyOptions.fromJson(json(bad[0])));
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
    }
  }

  @Test
  void ratesOutsideAnIntStayOutOfRangeInsteadOfWrappingAround() {
    assertEquals(
        Integer.MAX_VALUE,
        VerifyOptions.fromJson(json("{\"rateMiBPerSecond\": 4294967296}")).rateMiBPerSecond());
    assertEquals(
        -1, VerifyOptions.fromJson(json("{\"rateMiBPerSecond\": -4294967296}")).rateMiBPerSecond());
    assertNull(VerifyOptions.fromJson(json("{}")).rateMiBPerSecond());
  }

  private static JsonObject json(String text) {
    try (var reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }
}
