package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommandFileTest {

  @Test
  void propertyValuesEscapeWhatAsadminSplitsOnOrUnescapes() {
    assertEquals("jdbc\\:h2\\:file\\:/d;A\\=1", CommandFile.propertyValue("jdbc:h2:file:/d;A=1"));
    assertEquals("p\\\\x\\\"y\\'z", CommandFile.propertyValue("p\\x\"y'z"));
  }

  @Test
  void aCommandRendersItsPropertiesWhereTheFirstWasAdded() {
    AsadminCommand command =
        AsadminCommand.of("create-connector-connection-pool")
            .option("--raname", "r")
            .property("A", "tcp://h:1")
            .property("B", "x=y")
            .option("--ping", "false")
            .operand("pool");
    assertEquals(
        "create-connector-connection-pool --raname r --property A=tcp\\://h\\:1:B=x\\=y"
            + " --ping false pool",
        command.render(CommandFile.POST_BOOT));
  }

  @Test
  void multimodeFilesEscapeEveryBackslashOnceMore() {
    AsadminCommand command =
        AsadminCommand.of("create-jdbc-connection-pool")
            .property("url", "jdbc:h2:mem:x")
            .property("password", "a\\b")
            .operand("p");
    assertEquals(
        "create-jdbc-connection-pool --property url=jdbc\\\\:h2\\\\:mem\\\\:x:password=a\\\\\\\\b p",
        command.render(CommandFile.MULTIMODE));
  }

  @Test
  void whitespaceIsRefusedNamingTheOption() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> CommandFile.checkWord("--data", "/a b"));
    assertTrue(e.getMessage().startsWith("--data: '/a b' holds a space"), e.getMessage());
  }
}
