package org.roamstore.storage.nbd;

/** Finds an export by the name a client asked for; export names are access tokens. */
@FunctionalInterface
public interface NbdExportResolver {

  /** The export, or {@code null} if no such name is registered. */
  NbdExport find(String exportName);
}
