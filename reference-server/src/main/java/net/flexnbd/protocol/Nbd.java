package net.flexnbd.protocol;

/**
 * Every number that crosses the wire, in one place. Values follow the NBD protocol
 * specification (doc/proto.md of NetworkBlockDevice/nbd) and the original flexnbd; the one
 * private command, {@link #CMD_ENTRUST}, is documented in docs/protocol.md.
 */
public final class Nbd {
    private Nbd() {}

    // ---- handshake -------------------------------------------------------------------
    /** "NBDMAGIC": the first eight bytes of every hello. */
    public static final long INIT_PASSWD = 0x4e42444d41474943L;
    /** Old-style hello's second magic (the 152-byte flexnbd hello). */
    public static final long OLDSTYLE_MAGIC = 0x00420281861253L;
    /** "IHAVEOPT": new-style hello's second magic, and the prefix of every option. */
    public static final long IHAVEOPT = 0x49484156454F5054L;
    /** Magic that starts every option reply. */
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    /** Length of the old-style hello in bytes: magic, magic, size, flags, 124 zero bytes. */
    public static final int OLDSTYLE_HELLO_LENGTH = 152;
    /** Zero padding after the export size and flags in old-style and NBD_OPT_EXPORT_NAME. */
    public static final int HELLO_PADDING = 124;

    /** Server handshake flags (16 bits). */
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    public static final int FLAG_NO_ZEROES = 1 << 1;
    /** Client flags (32 bits). */
    public static final int FLAG_C_FIXED_NEWSTYLE = 1;
    public static final int FLAG_C_NO_ZEROES = 1 << 1;

    /** Options. */
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;
    public static final int OPT_LIST_META_CONTEXT = 9;
    public static final int OPT_SET_META_CONTEXT = 10;
    public static final int OPT_EXTENDED_HEADERS = 11;
    /**
     * flexnbd's private handover option (see docs/protocol.md): the migration sender names its
     * migration with a token; a destination that knows tokens answers with
     * {@link #REP_FLEXNBD_HANDOVER}, any other server with NBD_REP_ERR_UNSUP.
     */
    public static final int OPT_FLEXNBD_HANDOVER = 0x4645;

    /** Option reply types. */
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_META_CONTEXT = 4;
    /** Answer to {@link #OPT_FLEXNBD_HANDOVER}: one byte, a {@link HandoverState}'s wire value. */
    public static final int REP_FLEXNBD_HANDOVER = 0x4645;
    public static final int REP_ERR_UNSUP = 0x80000001;
    public static final int REP_ERR_POLICY = 0x80000002;
    public static final int REP_ERR_INVALID = 0x80000003;
    public static final int REP_ERR_PLATFORM = 0x80000004;
    public static final int REP_ERR_TLS_REQD = 0x80000005;
    public static final int REP_ERR_UNKNOWN = 0x80000006;
    public static final int REP_ERR_SHUTDOWN = 0x80000007;
    public static final int REP_ERR_BLOCK_SIZE_REQD = 0x80000008;
    public static final int REP_ERR_TOO_BIG = 0x80000009;

    /** NBD_REP_INFO item types. */
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    public static final int INFO_BLOCK_SIZE = 3;

    /** Longest option payload the server accepts; longer ones are answered and skipped. */
    public static final int MAX_OPTION_LENGTH = 4096;

    // ---- transmission flags (16 bits) -----------------------------------------------
    public static final int TFLAG_HAS_FLAGS = 1;
    public static final int TFLAG_READ_ONLY = 1 << 1;
    public static final int TFLAG_SEND_FLUSH = 1 << 2;
    public static final int TFLAG_SEND_FUA = 1 << 3;
    public static final int TFLAG_ROTATIONAL = 1 << 4;
    public static final int TFLAG_SEND_TRIM = 1 << 5;
    public static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
    public static final int TFLAG_SEND_DF = 1 << 7;
    public static final int TFLAG_CAN_MULTI_CONN = 1 << 8;
    public static final int TFLAG_SEND_CACHE = 1 << 10;
    public static final int TFLAG_SEND_FAST_ZERO = 1 << 11;

    // ---- transmission ----------------------------------------------------------------
    public static final int REQUEST_MAGIC = 0x25609513;
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    /** Request header: magic(4) flags(2) type(2) cookie(8) offset(8) length(4). */
    public static final int REQUEST_HEADER_LENGTH = 28;
    /** Simple reply header: magic(4) error(4) cookie(8). */
    public static final int REPLY_HEADER_LENGTH = 16;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    /** Structured reply chunk header: magic(4) flags(2) type(2) cookie(8) length(4). */
    public static final int CHUNK_HEADER_LENGTH = 20;
    /** Structured reply chunk flag: the last chunk of its reply. */
    public static final int REPLY_FLAG_DONE = 1;

    /** Structured reply chunk types (16 bits). */
    public static final int REPLY_TYPE_NONE = 0;
    public static final int REPLY_TYPE_OFFSET_DATA = 1;
    public static final int REPLY_TYPE_OFFSET_HOLE = 2;
    public static final int REPLY_TYPE_BLOCK_STATUS = 5;
    public static final int REPLY_TYPE_ERROR = (1 << 15) + 1;
    public static final int REPLY_TYPE_ERROR_OFFSET = (1 << 15) + 2;

    /** The one metadata context the server offers, and the id it gives it. */
    public static final String BASE_ALLOCATION = "base:allocation";
    public static final int BASE_ALLOCATION_ID = 1;
    /** base:allocation extent flags. */
    public static final int STATE_HOLE = 1;
    public static final int STATE_ZERO = 1 << 1;

    /** Command types (16 bits). */
    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_CACHE = 5;
    public static final int CMD_WRITE_ZEROES = 6;
    public static final int CMD_BLOCK_STATUS = 7;
    /**
     * flexnbd's private migration command, well away from the numbers the NBD project
     * allocates. Only the migration sender may send it, and only to a listening server.
     */
    public static final int CMD_ENTRUST = 0x4645;

    /** Command flags (16 bits). */
    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;
    public static final int CMD_FLAG_REQ_ONE = 1 << 3;
    public static final int CMD_FLAG_FAST_ZERO = 1 << 4;

    // ---- errors (errno values on the wire) ------------------------------------------
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSUP = 95;
    public static final int ESHUTDOWN = 108;

    // ---- sizes -----------------------------------------------------------------------
    /** Largest READ or WRITE payload the server accepts (32 MiB). */
    public static final int MAX_PAYLOAD = 32 * 1024 * 1024;
    /**
     * Block size the server advertises as minimum: 1, because it serves any offset and
     * length (a positional read or write of the file), so clients need not split or pad.
     */
    public static final int MIN_BLOCK_SIZE = 1;
    /** Preferred block size advertised in NBD_INFO_BLOCK_SIZE. */
    public static final int PREFERRED_BLOCK_SIZE = 4096;
}
