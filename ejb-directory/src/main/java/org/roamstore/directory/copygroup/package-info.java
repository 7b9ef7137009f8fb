/**
 * Reaching each site's storage control unit (JNDI {@code roamstore/storage/<storage system>}), and
 * telling a site that cannot be reached from one that refuses. The copy volume group definition
 * itself (switch, undo) is in {@code org.roamstore.directory.switching}.
 */
package org.roamstore.directory.copygroup;
