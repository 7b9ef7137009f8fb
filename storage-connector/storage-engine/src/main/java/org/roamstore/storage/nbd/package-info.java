/**
 * The NBD front end (the read/write request issue, 142, for real clients): a fixed-newstyle NBD
 * server with simple replies. One reader thread per connection executes cache-speed requests in
 * place and batches their replies; flushes, FUA writes and large zeroings go to a small worker
 * pool, so a slow request never holds up the ones behind it. It knows nothing of the engine: it
 * finds exports through {@link org.roamstore.storage.nbd.NbdExportResolver}.
 */
package org.roamstore.storage.nbd;
