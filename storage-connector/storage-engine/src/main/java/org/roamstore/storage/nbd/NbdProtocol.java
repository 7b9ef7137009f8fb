package org.roamstore.storage.nbd;

import org.roamstore.storage.api.StorageException;

/** Numbers of the NBD protocol (NetworkBlockDevice/nbd, doc/proto.md) that this server uses. */
final class NbdProtocol {
  private NbdProtocol() {}

  static final long NBDMAGIC = 0x4e42444d41474943L;
  static final long IHAVEOPT = 0x49484156454f5054L;
  static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
  static final int REQUEST_MAGIC = 0x25609513;
  static final int SIMPLE_REPLY_MAGIC = 0x67446698;
  static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

  static final int FLAG_FIXED_NEWSTYLE = 1;
  static final int FLAG_NO_ZEROES = 1 << 1;

  static final int OPT_EXPORT_NAME = 1;
  static final int OPT_ABORT = 2;
  static final int OPT_LIST = 3;
  static final int OPT_STARTTLS = 5;
  static final int OPT_INFO = 6;
  static final int OPT_GO = 7;
  static final int OPT_STRUCTURED_REPLY = 8;
  static final int OPT_LIST_META_CONTEXT = 9;
  static final int OPT_SET_META_CONTEXT = 10;

  static final int REP_ACK = 1;
  static final int REP_INFO = 3;
  static final int REP_META_CONTEXT = 4;
  static final int REP_ERR_UNSUP = 0x80000001;
  static final int REP_ERR_POLICY = 0x80000002;
  static final int REP_ERR_INVALID = 0x80000003;
  static final int REP_ERR_TLS_REQD = 0x80000005;
  static final int REP_ERR_UNKNOWN = 0x80000006;

  static final int INFO_EXPORT = 0;
  static final int INFO_NAME = 1;
  static final int INFO_BLOCK_SIZE = 3;

  static final int TFLAG_HAS_FLAGS = 1;
  static final int TFLAG_SEND_FLUSH = 1 << 2;
  static final int TFLAG_SEND_FUA = 1 << 3;
  static final int TFLAG_SEND_TRIM = 1 << 5;
  static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
  static final int TFLAG_SEND_DF = 1 << 7;
  static final int TFLAG_CAN_MULTI_CONN = 1 << 8;
  static final int TFLAG_SEND_FAST_ZERO = 1 << 11;

  /**
   * Flush and FUA cover writes from every connection (one cache per volume), so clients may open
   * several connections to one export. FAST_ZERO is announced always, as the protocol allows: a
   * request that cannot be fast (no hole punching here, or NO_HOLE) fails at once with ENOTSUP.
   */
  static final int TRANSMISSION_FLAGS =
      TFLAG_HAS_FLAGS
          | TFLAG_SEND_FLUSH
          | TFLAG_SEND_FUA
          | TFLAG_SEND_TRIM
          | TFLAG_SEND_WRITE_ZEROES
          | TFLAG_CAN_MULTI_CONN
          | TFLAG_SEND_FAST_ZERO;

  /** The flags of a session; DF only with structured replies, as the protocol requires. */
  static int transmissionFlags(boolean structuredReplies) {
    return TRANSMISSION_FLAGS | (structuredReplies ? TFLAG_SEND_DF : 0);
  }

  static final int CMD_READ = 0;
  static final int CMD_WRITE = 1;
  static final int CMD_DISC = 2;
  static final int CMD_FLUSH = 3;
  static final int CMD_TRIM = 4;
  static final int CMD_WRITE_ZEROES = 6;
  static final int CMD_BLOCK_STATUS = 7;

  static final int CMD_FLAG_FUA = 1;
  static final int CMD_FLAG_NO_HOLE = 1 << 1;
  static final int CMD_FLAG_DF = 1 << 2;
  static final int CMD_FLAG_REQ_ONE = 1 << 3;
  static final int CMD_FLAG_FAST_ZERO = 1 << 4;

  static final int REPLY_FLAG_DONE = 1;
  static final int REPLY_TYPE_NONE = 0;
  static final int REPLY_TYPE_OFFSET_DATA = 1;
  static final int REPLY_TYPE_OFFSET_HOLE = 2;
  static final int REPLY_TYPE_BLOCK_STATUS = 5;
  static final int REPLY_TYPE_ERROR = (1 << 15) + 1;
  static final int REPLY_TYPE_ERROR_OFFSET = (1 << 15) + 2;

  /** The metadata contexts served, with their ids in SET_META_CONTEXT replies and block status. */
  static final String BASE_ALLOCATION = "base:allocation";

  static final int ALLOCATION_CONTEXT_ID = 1;
  static final int STATE_HOLE = 1;
  static final int STATE_ZERO = 2;

  /** Which ranges may not yet be at every secondary: see the package documentation. */
  static final String ROAMSTORE_REPLICATION = "roamstore:replication";

  static final int REPLICATION_CONTEXT_ID = 2;
  static final int STATE_PENDING = 1;

  /** The protocol's bound on a string, a metadata context query among them. */
  static final int MAX_STRING = 4096;

  static final int EPERM = 1;
  static final int EIO = 5;
  static final int EINVAL = 22;
  static final int ENOSPC = 28;
  static final int ENOTSUP = 95;
  static final int ESHUTDOWN = 108;

  /** The largest READ or WRITE payload; also announced as the maximum block size. */
  static final int MAX_PAYLOAD = 32 << 20;

  static final int PREFERRED_BLOCK = 4096;

  static final int REQUEST_HEADER = 28;
  static final int SIMPLE_REPLY_HEADER = 16;
  static final int CHUNK_HEADER = 20;

  /** The NBD error for a refusal; {@code writing} picks ENOSPC over EINVAL past the end. */
  static int errorFor(StorageException e, boolean writing) {
    return switch (e.reason()) {
      case OUT_OF_RANGE -> writing ? ENOSPC : EINVAL;
      case INVALID_ARGUMENT -> EINVAL;
      case NOT_PRIMARY, STALE_EPOCH, NO_COPY_GROUP, UNKNOWN_EXPORT, UNKNOWN_VOLUME -> EPERM;
      case CLOSED -> ESHUTDOWN;
      default -> EIO;
    };
  }
}
