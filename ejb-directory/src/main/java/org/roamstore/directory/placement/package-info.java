/**
 * The placement policy of a volume (issue 18): where its logins keep coming from, a copy is added;
 * over its number of copies, the copy farthest from them is dropped. The rules are small pure
 * classes ({@link org.roamstore.directory.placement.PlacementRule} and the two it asks); {@link
 * org.roamstore.directory.placement.PlacementService} feeds them after each login and when a
 * volume's copy work ends, and {@link org.roamstore.directory.placement.PlacementTrigger} carries a
 * decision out after the login committed, so a login never waits for the policy nor fails because
 * of it.
 */
package org.roamstore.directory.placement;
