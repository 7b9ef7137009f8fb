/**
 * Who may do what: users with PBKDF2 password hashes (Jakarta Security), the identity store the
 * gateway's HTTP authentication uses, and the random access tokens a login hands out.
 */
package org.roamstore.directory.security;
