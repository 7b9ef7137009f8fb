/**
 * The NBD front end (the read/write request issue, 142, for real clients): a fixed-newstyle NBD
 * server (NetworkBlockDevice/nbd, doc/proto.md). One reader thread per connection executes
 * cache-speed requests in place and batches their replies; flushes, FUA writes and large zeroings
 * go to a small worker pool, so a slow request never holds up the ones behind it. It knows nothing
 * of the engine: it finds exports through {@link org.roamstore.storage.nbd.NbdExportResolver}.
 *
 * <p>Simple replies for clients that ask for nothing more (the Linux kernel client); structured
 * replies for those that negotiate them (qemu, libnbd): READ in OFFSET_DATA and OFFSET_HOLE chunks,
 * errors as ERROR / ERROR_OFFSET chunks, and BLOCK_STATUS for {@code base:allocation}, whose holes
 * come from the volume file (SEEK_HOLE) minus the cache's dirty pages. TRIM and WRITE_ZEROES punch
 * holes and replicate as zero ranges; NO_HOLE writes allocated zeros; FAST_ZERO is refused with
 * ENOTSUP when it cannot be fast.
 *
 * <p>TLS ({@code NBD_OPT_STARTTLS}, the protocol's NOTLS, SELECTIVETLS and FORCEDTLS modes as off,
 * optional and required) through JSSE with X.509 credentials read by {@link
 * org.roamstore.storage.nbd.NbdTls}; after STARTTLS the handshake and the transmission phase go
 * through {@link org.roamstore.storage.nbd.NbdTlsChannel}, an {@code SSLEngine} over the same
 * socket, while a connection without TLS keeps reading and writing the socket itself.
 *
 * <p>The {@code roamstore:replication} context tells a backup or copy tool which ranges may not yet
 * be at every secondary: flag bit 0 ({@code STATE_PENDING} here) set where they may not. It is
 * listed for the empty query, {@code roamstore:} and its name, selected by its name beside or
 * without {@code base:allocation} (ids 1 and 2), and BLOCK_STATUS answers one chunk per selected
 * context. The engine's answer ({@link org.roamstore.storage.nbd.NbdExport#replication}) is a
 * conservative superset at region granularity: the activity log's hot regions joined with what
 * remote copy knows a secondary misses (out of sync, resyncing, unrepaired verify differences), or
 * the whole range where nothing locates what is missing.
 *
 * <p>Not served, and why:
 *
 * <ul>
 *   <li>Extended headers (64-bit lengths, {@code NBD_OPT_EXTENDED_HEADERS}). The protocol document
 *       still calls the extension experimental (it lives on the {@code extension-ext-header}
 *       branch), and the clients here do not use it: libnbd 1.14.2 and qemu 7.2 on this machine
 *       predate it. The option is refused with {@code NBD_REP_ERR_UNSUP}, which those clients
 *       expect from servers without it.
 * </ul>
 */
package org.roamstore.storage.nbd;
