package org.roamstore.storage.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VolumeInfo;
import org.roamstore.storage.control.ControlCommand.CreateVolume;
import org.roamstore.storage.control.ControlCommand.DefineCopyGroup;
import org.roamstore.storage.control.ControlCommand.Read;
import org.roamstore.storage.control.ControlCommand.RegisterExport;
import org.roamstore.storage.control.ControlCommand.SynchronizeCache;
import org.roamstore.storage.control.ControlCommand.Volume;
import org.roamstore.storage.control.ControlCommand.Write;

/** Commands as bytes, without a broker: names, layouts and the refusal of bad bodies. */
class CommandCodecTest {

  @Test
  void commandsTravelUnderTheNamesTheControlPathHasAlwaysUsed() {
    Set<String> names = new TreeSet<>();
    for (Class<?> type : ControlCommand.class.getPermittedSubclasses()) {
      names.add(CommandCodec.name(anyOf(type)));
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "CREATE_VOLUME",
                "DELETE_VOLUME",
                "VOLUME",
                "VOLUMES",
                "DEFINE_COPY_GROUP",
                "READ",
                "WRITE",
                "FLUSH",
                "REGISTER_EXPORT",
                "REVOKE_EXPORT",
                "STATUS",
                "SYNCHRONIZE_CACHE",
                "COPY_GROUP_STATUS",
                "VERIFY")),
        names);
  }

  @Test
  void aCommandIsItsArgumentsInOrderAsTheyWereWrittenByHand() throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(expected);
    ControlCodec.writeString(out, "v1");
    out.writeLong(3);
    out.writeLong(4096);
    ControlCodec.writeBytes(out, new byte[] {1, 2});
    out.writeBoolean(true);
    assertArrayEquals(
        expected.toByteArray(),
        CommandCodec.encode(new Write("v1", 3, 4096, new byte[] {1, 2}, true)));

    expected.reset();
    ControlCodec.writeString(out, "v1");
    out.writeInt(2);
    ControlCodec.writeString(out, "portland");
    ControlCodec.writeString(out, "sanfrancisco");
    out.writeLong(1500);
    assertArrayEquals(
        expected.toByteArray(),
        CommandCodec.encode(
            new SynchronizeCache(
                "v1",
                new java.util.LinkedHashSet<>(List.of("portland", "sanfrancisco")),
                Duration.ofMillis(1500))));
  }

  @Test
  void aRecordOfTheApiIsItsComponentsInOrderWithEnumsByName() throws IOException {
    CopyVolumeGroupInfo group = ControlPathTest.group("v1", "seattle");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(expected);
    ControlCodec.writeString(out, "v1");
    ControlCodec.writeString(out, "ASYNC");
    out.writeLong(1);
    out.writeInt(1);
    ControlCodec.writeString(out, "seattle");
    ControlCodec.writeString(out, "v1");
    out.writeBoolean(true);
    ControlCodec.writeString(out, group.syncFailurePolicy().name());
    ControlCodec.writeRegions(out, OutOfSyncRegions.NONE);
    assertArrayEquals(
        expected.toByteArray(),
        CommandCodec.encode(new DefineCopyGroup(group, OutOfSyncRegions.NONE)));
  }

  @Test
  void everyKindOfArgumentComesBackAsItWent() throws IOException {
    BitSet missed = new BitSet();
    missed.set(3);
    CopyVolumeGroupInfo group =
        new CopyVolumeGroupInfo(
            "g",
            org.roamstore.storage.api.TransferType.SYNC,
            4,
            List.of(
                new org.roamstore.storage.api.CopyGroupMember(
                    new RealVolumeAddress("seattle", "v1"), true),
                new org.roamstore.storage.api.CopyGroupMember(
                    new RealVolumeAddress("portland", "v1"), false)));
    List<ControlCommand<?>> commands =
        List.of(
            new CreateVolume("v1", 1 << 20),
            new DefineCopyGroup(group, new OutOfSyncRegions(4096, Map.of("portland", missed))),
            new RegisterExport("token", "v1", 4, null),
            new RegisterExport("token", "v1", 4, Instant.ofEpochMilli(1234)),
            new SynchronizeCache("v1", Set.of(), Duration.ofSeconds(2)),
            new ControlCommand.Verify("v1", new VerifyRequest(Set.of("portland"), 5, true)),
            new ControlCommand.Volumes());
    for (ControlCommand<?> command : commands) {
      assertEquals(
          command, CommandCodec.decode(CommandCodec.name(command), CommandCodec.encode(command)));
    }
    Write write = new Write("v1", 1, 0, new byte[] {9, 8, 7}, false);
    Write back = (Write) CommandCodec.decode("WRITE", CommandCodec.encode(write));
    assertArrayEquals(write.data(), back.data());
  }

  @Test
  void resultsComeBackAsTheyWent() throws IOException {
    Volume volume = new Volume("v1");
    Optional<VolumeInfo> found =
        Optional.of(new VolumeInfo(new RealVolumeAddress("seattle", "v1"), 4096, Optional.empty()));
    assertEquals(
        found, CommandCodec.decodeResult(volume, CommandCodec.encodeResult(volume, found)));
    assertEquals(
        Optional.empty(),
        CommandCodec.decodeResult(volume, CommandCodec.encodeResult(volume, Optional.empty())));
    ControlCommand.Flush flush = new ControlCommand.Flush("v1");
    assertNull(CommandCodec.decodeResult(flush, CommandCodec.encodeResult(flush, null)));
  }

  @Test
  void badBodiesFailToDecodeWithAReason() throws IOException {
    byte[] read = CommandCodec.encode(new Read("v1", 1, 0, 10));
    assertMalformed("no control command named FORMAT", () -> CommandCodec.decode("FORMAT", read));
    assertMalformed("no control command named null", () -> CommandCodec.decode(null, read));
    assertMalformed("EOF", () -> CommandCodec.decode("READ", Arrays.copyOf(read, read.length - 1)));
    assertMalformed(
        "1 bytes too many",
        () -> CommandCodec.decode("READ", Arrays.copyOf(read, read.length + 1)));

    // A write that claims more data than the control path carries: refused before allocating.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(body);
    ControlCodec.writeString(out, "v1");
    out.writeLong(1);
    out.writeLong(0);
    out.writeInt(Integer.MAX_VALUE);
    assertMalformed("outside 0..", () -> CommandCodec.decode("WRITE", body.toByteArray()));
  }

  @Test
  void aMissingArgumentIsRefusedBeforeTheCommandRunsButNamesAndExpiriesMayBeNull() {
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> CommandCodec.requireArguments(new DefineCopyGroup(null, OutOfSyncRegions.NONE)));
    assertEquals(Reason.INVALID_ARGUMENT, e.reason());
    assertEquals("DEFINE_COPY_GROUP is missing its group", e.getMessage());
    assertThrows(
        StorageException.class,
        () -> CommandCodec.requireArguments(new Write("v1", 1, 0, null, false)));
    CommandCodec.requireArguments(new RegisterExport(null, null, 1, null));
  }

  @Test
  void aTableWithoutAHandlerForEveryCommandIsRefused() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                CommandTable.<Object>builder()
                    .on(ControlCommand.Status.class, (target, c) -> null)
                    .build());
    assertTrue(e.getMessage().startsWith("no handler for "), e.getMessage());
  }

  private static void assertMalformed(
      String says, org.junit.jupiter.api.function.Executable decode) {
    IOException e = assertThrows(IOException.class, decode);
    assertTrue(String.valueOf(e).contains(says), e.toString());
  }

  /** A command of the given kind with default arguments, to ask for its name. */
  private static ControlCommand<?> anyOf(Class<?> type) {
    try {
      var constructor = type.getDeclaredConstructors()[0];
      Object[] arguments = new Object[constructor.getParameterCount()];
      Class<?>[] types = constructor.getParameterTypes();
      for (int i = 0; i < arguments.length; i++) {
        arguments[i] =
            types[i] == long.class
                ? 0L
                : types[i] == int.class ? 0 : types[i] == boolean.class ? false : null;
      }
      return (ControlCommand<?>) constructor.newInstance(arguments);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
