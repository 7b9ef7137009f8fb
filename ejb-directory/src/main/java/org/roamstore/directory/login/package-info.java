/**
 * The log in process (reference text, Fig. 8): authenticate, find the virtual volume, choose the
 * data center nearest to the user's network interface, make its real volume primary if it is not,
 * and hand out access bound to the copy group's epoch; the rules users expect (takeover, minimum
 * stay, forced takeover) are decided in {@link org.roamstore.directory.login.LoginPolicy}.
 */
package org.roamstore.directory.login;
