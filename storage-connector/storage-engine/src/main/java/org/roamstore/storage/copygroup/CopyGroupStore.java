package org.roamstore.storage.copygroup;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.Names;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.disk.AtomicFile;

/**
 * The copy volume group information files: {@code <groupId>.group}, a properties file per group.
 * Members are listed as {@code storage/volume}, the primary marked with a trailing {@code *}.
 */
public final class CopyGroupStore {
  private static final String SUFFIX = ".group";
  private final Path directory;

  public CopyGroupStore(Path directory) throws IOException {
    this.directory = Files.createDirectories(directory);
  }

  public List<CopyVolumeGroupInfo> loadAll() throws IOException {
    List<CopyVolumeGroupInfo> groups = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        groups.add(decode(Files.readString(file, StandardCharsets.UTF_8), file));
      }
    }
    return groups;
  }

  public void save(CopyVolumeGroupInfo group) throws IOException {
    AtomicFile.replace(fileOf(group.groupId()), encode(group).getBytes(StandardCharsets.UTF_8));
  }

  public void delete(String groupId) throws IOException {
    AtomicFile.delete(fileOf(groupId));
  }

  private Path fileOf(String groupId) {
    return directory.resolve(Names.require("copy group id", groupId) + SUFFIX);
  }

  static String encode(CopyVolumeGroupInfo group) {
    Properties p = new Properties();
    p.setProperty("groupId", group.groupId());
    p.setProperty("transferType", group.transferType().name());
    p.setProperty("epoch", Long.toString(group.epoch()));
    List<String> members = new ArrayList<>();
    for (CopyGroupMember m : group.members()) {
      members.add(m.address() + (m.primary() ? "*" : ""));
    }
    p.setProperty("members", String.join(",", members));
    p.setProperty("syncFailurePolicy", group.syncFailurePolicy().name());
    StringWriter out = new StringWriter();
    try {
      p.store(out, "copy volume group information");
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  static CopyVolumeGroupInfo decode(String text, Path from) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    try {
      List<CopyGroupMember> members = new ArrayList<>();
      for (String item : p.getProperty("members", "").split(",")) {
        boolean primary = item.endsWith("*");
        String address = primary ? item.substring(0, item.length() - 1) : item;
        members.add(new CopyGroupMember(RealVolumeAddress.parse(address), primary));
      }
      return new CopyVolumeGroupInfo(
          p.getProperty("groupId"),
          TransferType.valueOf(p.getProperty("transferType")),
          Long.parseLong(p.getProperty("epoch")),
          members,
          // Files written before the policy existed have none: the default applies.
          SyncFailurePolicy.valueOf(
              p.getProperty("syncFailurePolicy", SyncFailurePolicy.MARK_OUT_OF_SYNC.name())));
    } catch (RuntimeException e) {
      throw new IOException("corrupt copy group file " + from + ": " + e.getMessage(), e);
    }
  }
}
