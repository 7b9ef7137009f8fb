package org.roamstore.directory.model;

/**
 * Why a data center is marked down. The site watch brings back only the sites it took down itself;
 * an operator's decision stands until an operator marks the site up.
 */
public enum DownReason {
  /** An operator marked it down ({@code PUT /api/admin/sites/{name}}). */
  MANUAL,
  /** The site watch could not reach its storage control unit. */
  UNREACHABLE
}
