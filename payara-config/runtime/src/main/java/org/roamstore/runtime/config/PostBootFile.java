package org.roamstore.runtime.config;

import java.util.List;

/**
 * Payara Micro's post-boot command file for one Roamstore JVM. The RARs are deployed here, before
 * the WAR (--deploy), so the WAR finds its resources at start; connector pools for a RAR deployed
 * later would fail.
 */
public final class PostBootFile {
  private PostBootFile() {}

  /**
   * The file's commands; {@code login} is how this server logs in to its broker (null: a broker
   * without users). With a login the file holds passwords: it is written owner-only.
   */
  public static String render(RunSettings run, BrokerLogin login) {
    StringBuilder out = new StringBuilder();
    out.append(
            "# Payara Micro post-boot commands for one Roamstore JVM, written at each start by\n")
        .append(
            "# org.roamstore.runtime.config (payara-config/runtime); edits here are overwritten.\n")
        .append("# The RARs are deployed here, before the WAR (--deploy), so the WAR finds its")
        .append(" resources at start.\n\n")
        .append("# Messaging: the Artemis resource adapter, pointed at this site's broker")
        .append(login == null ? ".\n" : ", logging in as " + login.user() + ".\n");
    lines(
        out,
        Resources.messaging(
            run.dist().resolve("artemis-rar.rar"), run.brokerHost(), run.brokerPort(), login));
    out.append("\n# The directory's database.\n");
    lines(out, Resources.directory(run.jdbc()));
    out.append(
        "\n# Storage: one connection factory per storage control unit (data center) this JVM"
            + " runs.\n");
    out.append(
            Resources.deployRar(
                    Resources.STORAGE_ADAPTER, run.dist().resolve("storage-connector.rar"))
                .render(CommandFile.POST_BOOT))
        .append('\n');
    lines(
        out,
        Resources.storage(
            Resources.STORAGE_ADAPTER,
            run.storagePools(login == null ? null : run.brokerClientProperties())));
    return out.toString();
  }

  static void lines(StringBuilder out, List<AsadminCommand> commands) {
    for (AsadminCommand command : commands) {
      out.append(command.render(CommandFile.POST_BOOT)).append('\n');
    }
  }
}
