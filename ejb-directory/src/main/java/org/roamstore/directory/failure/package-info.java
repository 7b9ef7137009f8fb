/**
 * How the directory refuses: one exception type with a stable code, which the REST API turns into
 * an HTTP status and a JSON error. A refusal rolls the directory transaction back.
 */
package org.roamstore.directory.failure;
