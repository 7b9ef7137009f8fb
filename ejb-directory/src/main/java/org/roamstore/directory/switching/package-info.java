/**
 * The switch of a copy volume group's primary (reference text, Fig. 9) and every other definition
 * of a group at storage: {@link org.roamstore.directory.switching.SwitchService} is the one entry
 * point (login's switch, provisioning's first definition, a site's return). Inside: the probe of
 * the members' epochs and positions, the drain of an ASYNC old primary, the choice of the most
 * current copy, the order and epochs of a switch and its undo, and the out-of-sync regions a new
 * primary takes over.
 */
package org.roamstore.directory.switching;
