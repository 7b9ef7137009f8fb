/**
 * Copy volume group information (reference text, Fig. 3) as one storage control unit keeps it: one
 * small file per group in the data directory, replaced atomically, reloaded at start.
 */
package org.roamstore.storage.copygroup;
