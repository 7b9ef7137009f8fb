package org.roamstore.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One asadmin command: its name, its options in order, a property list (the {@code --property
 * k=v:k=v} option, whose values asadmin splits on ':' and '=') and its operand. Rendered for a
 * command file by {@link #render(CommandFile)}; values are escaped there and nowhere else.
 */
public final class AsadminCommand {
  private final String name;
  private final List<String[]> options = new ArrayList<>();
  private final Map<String, String> properties = new LinkedHashMap<>();
  private int propertyPosition = -1;
  private String operand;

  private AsadminCommand(String name) {
    this.name = name;
  }

  public static AsadminCommand of(String name) {
    return new AsadminCommand(name);
  }

  public AsadminCommand option(String option, String value) {
    options.add(new String[] {option, value});
    return this;
  }

  /** A property of {@code --property}; the option sits where the first property was added. */
  public AsadminCommand property(String key, String value) {
    if (propertyPosition < 0) {
      propertyPosition = options.size();
    }
    properties.put(key, value);
    return this;
  }

  public AsadminCommand operand(String value) {
    this.operand = value;
    return this;
  }

  /** An operand of the form {@code name=value}, its value escaped as a property's. */
  public AsadminCommand propertyOperand(String key, String value) {
    return propertiesOperand(Map.of(key, value));
  }

  /** An operand of the form {@code k=v:k=v}, in the map's order, its values escaped. */
  public AsadminCommand propertiesOperand(Map<String, String> values) {
    this.operand =
        values.entrySet().stream()
            .map(e -> e.getKey() + "=" + CommandFile.propertyValue(e.getValue()))
            .collect(Collectors.joining(":"));
    return this;
  }

  public String name() {
    return name;
  }

  public String operand() {
    return operand;
  }

  public Map<String, String> properties() {
    return Map.copyOf(properties);
  }

  public String render(CommandFile file) {
    List<String> words = new ArrayList<>(List.of(name));
    for (int i = 0; i <= options.size(); i++) {
      if (i == propertyPosition) {
        words.add("--property");
        words.add(
            file.word(
                properties.entrySet().stream()
                    .map(e -> e.getKey() + "=" + CommandFile.propertyValue(e.getValue()))
                    .collect(Collectors.joining(":"))));
      }
      if (i < options.size()) {
        words.add(options.get(i)[0]);
        words.add(file.word(options.get(i)[1]));
      }
    }
    if (operand != null) {
      words.add(file.word(operand));
    }
    return String.join(" ", words);
  }

  @Override
  public String toString() {
    return render(CommandFile.POST_BOOT);
  }
}
