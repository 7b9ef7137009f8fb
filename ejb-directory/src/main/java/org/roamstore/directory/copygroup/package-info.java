/**
 * The directory's side of the copy volume group definition (reference text, Fig. 9): reaching each
 * site's storage control unit, moving the primary of a copy volume group at every member under a
 * new epoch, and undoing a switch that failed part way.
 */
package org.roamstore.directory.copygroup;
