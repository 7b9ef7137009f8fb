package org.roamstore.storage.control;

/**
 * The calls of {@link org.roamstore.storage.api.StorageConnection} that travel as control requests.
 * The name travels, not the ordinal, so adding a call never changes the meaning of another.
 */
enum ControlOp {
  CREATE_VOLUME,
  DELETE_VOLUME,
  VOLUME,
  VOLUMES,
  DEFINE_COPY_GROUP,
  READ,
  WRITE,
  FLUSH,
  REGISTER_EXPORT,
  REVOKE_EXPORT,
  STATUS,
  SYNCHRONIZE_CACHE,
  COPY_GROUP_STATUS,
  VERIFY
}
