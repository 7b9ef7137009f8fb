package org.roamstore.runtime.config;

import jakarta.json.Json;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON value with the line it starts on, so that a check of a file's contents can say where the
 * offending value is (Jakarta JSON's object model forgets it). Values are a {@code Map<String,
 * JsonNode>}, a {@code List<JsonNode>}, a {@link String}, a {@link BigDecimal}, a {@link Boolean},
 * or null for JSON's null.
 */
record JsonNode(Object value, long line) {

  static JsonNode read(Path file) throws ConfigException {
    try (Reader reader = Files.newBufferedReader(file);
        JsonParser parser = Json.createParser(reader)) {
      if (!parser.hasNext()) {
        throw new ConfigException(file + ": empty, not a JSON object");
      }
      JsonNode root = value(parser, parser.next());
      if (parser.hasNext()) {
        parser.next();
        throw new ConfigException(
            file + " line " + parser.getLocation().getLineNumber() + ": text after the JSON value");
      }
      return root;
    } catch (JsonParsingException e) {
      throw new ConfigException(
          file
              + " line "
              + e.getLocation().getLineNumber()
              + " column "
              + e.getLocation().getColumnNumber()
              + ": not valid JSON ("
              + e.getMessage()
              + ")",
          e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read it (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      // Parsson reports some malformed input (bad escapes, numbers) as plain JsonException.
      throw new ConfigException(file + ": not valid JSON (" + e.getMessage() + ")", e);
    }
  }

  private static JsonNode value(JsonParser parser, JsonParser.Event event) {
    long line = parser.getLocation().getLineNumber();
    switch (event) {
      case START_OBJECT -> {
        Map<String, JsonNode> members = new LinkedHashMap<>();
        for (JsonParser.Event e = parser.next();
            e != JsonParser.Event.END_OBJECT;
            e = parser.next()) {
          String key = parser.getString();
          members.put(key, value(parser, parser.next()));
        }
        return new JsonNode(members, line);
      }
      case START_ARRAY -> {
        List<JsonNode> items = new ArrayList<>();
        for (JsonParser.Event e = parser.next();
            e != JsonParser.Event.END_ARRAY;
            e = parser.next()) {
          items.add(value(parser, e));
        }
        return new JsonNode(items, line);
      }
      case VALUE_STRING -> {
        return new JsonNode(parser.getString(), line);
      }
      case VALUE_NUMBER -> {
        return new JsonNode(parser.getBigDecimal(), line);
      }
      case VALUE_TRUE -> {
        return new JsonNode(Boolean.TRUE, line);
      }
      case VALUE_FALSE -> {
        return new JsonNode(Boolean.FALSE, line);
      }
      case VALUE_NULL -> {
        return new JsonNode(null, line);
      }
      default -> throw new IllegalStateException("unexpected JSON event " + event);
    }
  }

  String kind() {
    if (value instanceof Map) {
      return "an object";
    } else if (value instanceof List) {
      return "an array";
    } else if (value instanceof String) {
      return "a string";
    } else if (value instanceof BigDecimal) {
      return "a number";
    } else if (value instanceof Boolean) {
      return "a boolean";
    }
    return "null";
  }
}
