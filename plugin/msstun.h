/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * msstun.h - types and ids shared by the msstun plugin's files.
 *
 * The plugin decodes STUN/TURN/ICE (RFC 3489, 5389, 8489, 5766, 8656, 6062,
 * 5245/8445) and Microsoft's extensions ([MS-TURN], [MS-TURNBWM], [MS-ICE2]).
 * One file per concern; this header is the only place they meet.
 */
#ifndef MSSTUN_H
#define MSSTUN_H

#include <ws_version.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/conversation.h>
#include <epan/prefs.h>
#include <epan/tfs.h>          /* 4.6: no longer pulled in by packet.h */

/* ---- Wireshark 4.0 / 4.4 / 4.6 API differences ------------------------ */
#define MSSTUN_WS_VER (WIRESHARK_VERSION_MAJOR * 10000 + WIRESHARK_VERSION_MINOR * 100)
#if MSSTUN_WS_VER >= 40400
typedef bool msstun_bool_t;
#define msstun_get_u8  tvb_get_uint8
#define msstun_get_u16 tvb_get_ntohs
#define msstun_get_u32 tvb_get_ntohl
#define msstun_u32_to_str_buf uint32_to_str_buf   /* guint32_ one is deprecated */
#else
typedef gboolean msstun_bool_t;
#define msstun_get_u8  tvb_get_guint8
#define msstun_get_u16 tvb_get_ntohs
#define msstun_get_u32 tvb_get_ntohl
#define msstun_u32_to_str_buf guint32_to_str_buf
#endif
/* stat_tap_ui init callbacks (tshark -z) return bool from 4.6 */
#if MSSTUN_WS_VER >= 40600
#define MSSTUN_TAP_INIT_RET         bool
#define MSSTUN_TAP_INIT_RETURN(ok)  return (ok)
#else
#define MSSTUN_TAP_INIT_RET         void
#define MSSTUN_TAP_INIT_RETURN(ok)  return
#endif

/* bytes needed to pad n to a multiple of 4 (wsutil has it only from 4.2) */
#define MSSTUN_PAD4(n) ((4 - ((n) & 3)) & 3)

/* ---- Wire constants ---------------------------------------------------- */
#define MSSTUN_HDR_LEN          20
#define MSSTUN_COOKIE           0x2112A442
#define MSSTUN_MS_COOKIE        0x72C64BC6   /* [MS-TURN] 2.2.2.8 MAGIC-COOKIE value */
#define MSSTUN_FP_XOR           0x5354554E   /* RFC 5389 15.5: "STUN" */
#define MSSTUN_MUX_CHANNEL      0xFF10       /* [MS-TURN] 2.2.3 Multiplexed TURN */
#define MSSTUN_DEFAULT_PORT     3478
#define MSSTUN_DEFAULT_PORTS    "3478-3481"  /* STUN/TURN, and Teams' media relay ports */

/* Header format ("network version"), values as the built-in stun.network_version */
enum {
    MSSTUN_FMT_MSTURN  = 1,   /* [MS-TURN]: 128-bit TID, MAGIC-COOKIE attribute, no padding */
    MSSTUN_FMT_RFC3489 = 2,   /* classic: 128-bit TID, no cookie */
    MSSTUN_FMT_RFC5389 = 3    /* cookie + 96-bit TID (also MS-ICE2) */
};

/* Classes, as RFC 5389 encodes them */
enum { MSSTUN_CLASS_REQUEST = 0, MSSTUN_CLASS_INDICATION = 1,
       MSSTUN_CLASS_SUCCESS = 2, MSSTUN_CLASS_ERROR = 3 };

/* Methods. IETF values are the wire values; [MS-TURN] types that are not
 * class/method encoded get private values above 0x1000 (msstun.ms.msg_type
 * carries the wire code). */
enum {
    MSSTUN_M_BINDING = 0x001, MSSTUN_M_SHARED_SECRET = 0x002, MSSTUN_M_ALLOCATE = 0x003,
    MSSTUN_M_REFRESH = 0x004, MSSTUN_M_SEND = 0x006, MSSTUN_M_DATA = 0x007,
    MSSTUN_M_CREATE_PERMISSION = 0x008, MSSTUN_M_CHANNEL_BIND = 0x009,
    MSSTUN_M_CONNECT = 0x00A, MSSTUN_M_CONNECTION_BIND = 0x00B,
    MSSTUN_M_CONNECTION_ATTEMPT = 0x00C, MSSTUN_M_GOOG_PING = 0x080,
    MSSTUN_M_MS_SEND = 0x1004, MSSTUN_M_MS_DATA = 0x1005, MSSTUN_M_MS_SET_ACTIVE_DEST = 0x1006
};

/* Attribute types referred to by code (the full list lives in attr_table.c) */
enum {
    MSSTUN_A_MAPPED_ADDRESS = 0x0001, MSSTUN_A_USERNAME = 0x0006,
    MSSTUN_A_MESSAGE_INTEGRITY = 0x0008, MSSTUN_A_ERROR_CODE = 0x0009,
    MSSTUN_A_CHANNEL_NUMBER = 0x000C, MSSTUN_A_LIFETIME = 0x000D,
    MSSTUN_A_MS_ALTERNATE_SERVER = 0x000E, MSSTUN_A_MS_MAGIC_COOKIE = 0x000F,
    MSSTUN_A_MS_DESTINATION = 0x0011, MSSTUN_A_XOR_PEER_ADDRESS = 0x0012,
    MSSTUN_A_DATA = 0x0013, MSSTUN_A_REALM = 0x0014, MSSTUN_A_NONCE = 0x0015,
    MSSTUN_A_XOR_RELAYED_ADDRESS = 0x0016, MSSTUN_A_REQUESTED_TRANSPORT = 0x0019,
    MSSTUN_A_MI_SHA256 = 0x001C, MSSTUN_A_XOR_MAPPED_ADDRESS = 0x0020,
    MSSTUN_A_USE_CANDIDATE = 0x0025, MSSTUN_A_CONNECTION_ID = 0x002A,
    MSSTUN_A_MS_XOR_MAPPED_ADDRESS = 0x8020, MSSTUN_A_ALTERNATE_SERVER = 0x8023,
    MSSTUN_A_FINGERPRINT = 0x8028, MSSTUN_A_ICE_CONTROLLED = 0x8029,
    MSSTUN_A_ICE_CONTROLLING = 0x802A, MSSTUN_A_MS_IMPL_VERSION = 0x8070
};

/* Address slots a message can carry; used by the Info column and tracking. */
enum {
    MSSTUN_ADDR_MAPPED, MSSTUN_ADDR_XOR_MAPPED, MSSTUN_ADDR_PEER, MSSTUN_ADDR_RELAYED,
    MSSTUN_ADDR_DESTINATION, MSSTUN_ADDR_ALTERNATE, MSSTUN_ADDR_OTHER, MSSTUN_ADDR_COUNT
};

typedef struct {
    address addr;
    guint16 port;
    gboolean valid;
} msstun_endpoint_t;

typedef struct msstun_trans msstun_trans_t;

/* Facts about one STUN message. Decoders fill it; the Info column, the
 * transaction, allocation and ICE trackers and the tap read it. */
typedef struct msstun_msg {
    tvbuff_t    *tvb;          /* exactly this message, header first */
    packet_info *pinfo;
    proto_tree  *tree;         /* the message's subtree */
    proto_item  *ti;           /* the message's top item */
    proto_item  *type_item;    /* its first child (Message Type): Request/Response In go before it */
    int          depth;        /* nesting (STUN inside DATA) */
    guint8       format;       /* MSSTUN_FMT_* */
    guint8       cls;          /* MSSTUN_CLASS_* */
    guint16      type;         /* wire type */
    guint16      method;       /* MSSTUN_M_* */
    guint16      length;       /* header length field */
    gboolean     over_tcp;
    gboolean     ms_ice2;      /* IMPLEMENTATION-VERSION or CANDIDATE-IDENTIFIER seen */
    gboolean     vendor;       /* method 0x200 and up (types 0x0800+): nothing IANA assigned */
    gboolean     unpadded;     /* attributes are not padded ([MS-TURN], or a vendor dialect) */
    /* attribute facts */
    guint        attr_count;
    gboolean     seen_mi, seen_fp;
    int          mi_offset, mi_len, mi_type;   /* offsets in tvb, -1 when absent */
    int          fp_offset;
    const char  *username, *realm;
    gboolean     has_nonce;
    guint16      error_code;   /* 0 when none */
    const char  *error_reason;
    gboolean     has_lifetime;
    guint32      lifetime;
    gboolean     has_connection_id;
    guint32      connection_id;
    gboolean     has_channel;
    guint16      channel;
    gboolean     has_transport;
    guint8       transport;
    gboolean     has_ms_version, has_impl_version;
    guint32      ms_version, impl_version;
    gboolean     has_priority;
    guint32      priority;
    gboolean     use_candidate;
    gint8        ice_role;     /* 0 none, 1 controlling, 2 controlled */
    guint64      tie_breaker;
    guint16      unknown_attr; /* first type listed in UNKNOWN-ATTRIBUTES */
    gboolean     has_unknown_attr;
    msstun_endpoint_t ep[MSSTUN_ADDR_COUNT];
    int          data_offset, data_len;         /* DATA attribute, -1 when absent */
    const struct msstun_msg *parent;            /* the message whose DATA carried this one */
    msstun_trans_t *trans;                      /* its transaction, when tracked */
    struct msstun_alloc *alloc;                 /* the allocation it belongs to */
    struct msstun_conv *conv;                   /* its 5-tuple's state */
    struct msstun_element *el;                  /* its element of the media path, set by the trackers */
    guint8       problem;                       /* worst MSSTUN_V_* of its own expert infos */
    const char  *problem_text;                  /* the first expert of that level */
} msstun_msg_t;

/* A request and its answer (transactions.c), file scope. Holds what the
 * diagnosis of a response needs to know about its request. */
struct msstun_trans {
    guint8   tid[16];
    guint32  req_frame;
    guint32  rsp_frame;
    nstime_t req_time;
    guint16  method;
    guint16  retransmissions;
    guint16  retrans_after_rsp;  /* sent again after a response was captured: it was lost */
    guint16  response_dups;
    guint16  error_code;       /* of the first response, 0 = success */
    gboolean req_had_mi;       /* request carried MESSAGE-INTEGRITY */
    gboolean req_use_candidate;
    guint8   req_transport;    /* REQUESTED-TRANSPORT, 0 when absent */
    msstun_endpoint_t req_peer;       /* XOR-PEER-ADDRESS of the request (file scope) */
    guint32  retry_ok_in;      /* 438/401: a later request that succeeded */
    guint32  retry_failed_in;  /* 438/401: a later request that failed again */
    guint16  retry_error;      /* ... with this code */
    struct msstun_ice_pair *pair;   /* Binding: the ICE pair, set on the request */
    guint8   pair_dir;
    gboolean req_has_lifetime, req_has_channel;
    guint32  req_lifetime;     /* LIFETIME of the request (0 = delete / [MS-TURN] deallocate) */
    guint16  req_channel;      /* CHANNEL-NUMBER of a ChannelBind request */
    struct msstun_alloc *alloc;       /* the allocation the request belongs to: its response may
                                       * come from another address of the server */
    struct msstun_element *el;        /* its element of the media path (media_path.c) */
};

/* TCP/UDP conversation state (one per 5-tuple, file scope). */
enum { MSSTUN_FRAMING_UNKNOWN = 0, MSSTUN_FRAMING_RAW, MSSTUN_FRAMING_RFC4571,
       MSSTUN_FRAMING_MSTURN };

typedef struct msstun_conv {
    guint8   framing;          /* TCP only */
    guint32  framing_from;     /* first frame decoded with that framing */
    gboolean is_turn;          /* TURN messages seen: ChannelData allowed */
    gboolean is_msturn;        /* [MS-TURN] messages seen: legacy header allowed */
    guint32  msturn_from;
    /* RFC 6062: after ConnectionBind success this TCP connection carries peer data */
    guint32  data_from;        /* 0 = never; else first frame that is peer data */
    gboolean has_connection_id;
    guint32  connection_id;
    guint8   data_framing;     /* framing of the peer data (RAW = opaque) */
    msstun_endpoint_t bind_client;    /* who sent the ConnectionBind: the TURN client side */
    guint32  data_framing_from;
    wmem_map_t *channels;      /* channel number -> its ChannelBind request's peer (in the transaction) */
    struct msstun_alloc *alloc;       /* the TURN allocation this 5-tuple controls */
    struct msstun_alloc *peer_leg_alloc;   /* this 5-tuple is relayed address <-> peer of that one */
    msstun_trans_t *pending_retry;    /* last 401/438 waiting for the client's retry */
    wmem_map_t *transactions;  /* transaction id -> msstun_trans_t, this 5-tuple */
    guint    n_transactions;
    gboolean trans_cap_hit;
    guint32  media_frames, media_first_in, media_last_in;   /* non-STUN frames msstun handed on */
    gboolean udp_claimed;      /* framing.c: this UDP 5-tuple's conversation dissector is msstun's */
} msstun_conv_t;

/* A TURN allocation (turn.c): one per client 5-tuple on the server, file scope. */
typedef struct msstun_alloc {
    guint32  id;                    /* 1, 2, ... in order of the first Allocate */
    msstun_endpoint_t client, server;
    gboolean over_tcp, msturn;
    guint8   transport;             /* REQUESTED-TRANSPORT: 17 UDP, 6 TCP */
    guint32  requested_in, success_in, deleted_in, failed_in;
    guint16  last_error;
    guint32  last_error_in;
    guint32  auth_challenges, auth_failures, errors;
    guint32  lifetime, refreshes, refresh_failures;
    nstime_t success_time, last_refresh_time;
    msstun_endpoint_t relayed, reflexive;
    guint32  permissions, channels, tcp_connections, relayed_frames;
    guint32  active_dest_in;        /* [MS-TURN] Set Active Destination success */
    msstun_endpoint_t active_dest;
    guint32  unbound_frames, unbound_first_in, unbound_last_in;   /* ChannelData on unbound channels */
    guint16  unbound_channel;
    struct msstun_element *el;
} msstun_alloc_t;

/* An ICE candidate pair (ice.c): two transport endpoints and the session's
 * ufrags; dir[0] counts the checks sent from ep[0] to ep[1]. */
typedef struct msstun_ice_dir {
    guint32  checks, retransmissions, answered, failed, role_conflicts, nominated, keepalives;
    guint32  first_check_in, last_check_in, first_success_in, first_error_in, nominated_in;
    guint16  last_error;
    gint8    role;                  /* 1 controlling, 2 controlled */
    guint64  tie_breaker;
} msstun_ice_dir_t;

typedef struct msstun_ice_pair {
    guint32  id;
    const char *ufrags;             /* "A/B", sorted */
    msstun_endpoint_t ep[2];
    gboolean tcp, relayed, ms_ice2;
    msstun_ice_dir_t dir[2];
    struct msstun_ice_session *session;
    struct msstun_conv *carrier;    /* the 5-tuple its checks travel on (media is counted there) */
    guint32  media_frames, media_last_in;   /* non-STUN frames between its two endpoints */
    struct msstun_element *el;
} msstun_ice_pair_t;

/* An ICE session: the pairs that share a ufrag pair */
typedef struct msstun_ice_session {
    guint32  id;
    const char *ufrags;
    guint32  successes;
    gboolean ms_ice2;
    wmem_array_t *pairs;            /* msstun_ice_pair_t * */
    struct msstun_element *el;
} msstun_ice_session_t;

/* Read-only views of the file's state for stats.c */
wmem_array_t *msstun_allocations(void);      /* of msstun_alloc_t * */
wmem_array_t *msstun_ice_pairs(void);        /* of msstun_ice_pair_t * */
wmem_array_t *msstun_tcp_connections(void);  /* of msstun_tcp_conn_t * */
typedef struct msstun_tcp_conn {
    guint32 connection_id;
    guint32 announced_in;      /* ConnectionAttempt indication or Connect success */
    guint32 bound_in;          /* ConnectionBind request */
    guint32 bind_ok_in;        /* ConnectionBind success */
    guint32 bind_error_in;
    guint16 bind_error;
    guint32 data_frames;
    msstun_endpoint_t peer;    /* from XOR-PEER-ADDRESS of the announcement */
    msstun_alloc_t *alloc;
    struct msstun_element *el;
} msstun_tcp_conn_t;
extern nstime_t msstun_last_time;            /* newest msstun frame, for expiry */


/* ---- The media-path model (media_path.c) --------------------------------
 * Everything the capture shows of the media path, as elements (a STUN
 * Binding client, a TURN allocation, an RFC 6062 connection, an ICE session
 * and its pairs), each with the events that matter, their frames, and a
 * verdict. The trackers feed it; the expert infos of the verdicts, the -z
 * reports and the GUI tables all read it, so they cannot disagree. */
enum { MSSTUN_V_OK = 0, MSSTUN_V_WARNING = 1, MSSTUN_V_FAILED = 2 };
enum { MSSTUN_EL_BINDING, MSSTUN_EL_ALLOC, MSSTUN_EL_CONN, MSSTUN_EL_ICE_SESSION, MSSTUN_EL_ICE_PAIR,
       MSSTUN_EL_OTHER, MSSTUN_EL_KINDS };

typedef struct msstun_event {
    guint32  frame, last;         /* the frames it covers (last == frame for one) */
    guint8   level;               /* MSSTUN_V_* */
    gboolean wire;                /* malformed on the wire: a working spare path does not soften it */
    const char *text;             /* "<element>: what happened (frame N)" */
    guint16  what;                /* offset of "what happened" in text */
    const struct msstun_element *owner;
} msstun_event_t;

typedef struct msstun_element {
    guint8   kind;                /* MSSTUN_EL_* */
    guint32  id;                  /* per kind, in order of appearance */
    const char *name;             /* "TURN allocation 2" */
    void    *obj;                 /* the tracker's record (msstun_alloc_t *, ...) */
    struct msstun_element *parent;        /* a pair's session */
    wmem_array_t *events;         /* msstun_event_t *: what single messages showed (file scope) */
    wmem_array_t *trans;          /* msstun_trans_t *: its requests, in order (file scope) */
    guint32  dropped;             /* events over the per-element cap */
    /* from msstun_path_finalize(): */
    wmem_array_t *final_events;   /* what only the whole capture shows */
    guint8   verdict;
    gboolean softened;            /* a spare that failed while another path carried media */
    const msstun_event_t *cause;  /* first event of the verdict's level */
} msstun_element_t;

/* A STUN Binding client that is not an ICE agent's check: client -> server */
typedef struct msstun_binding_client {
    msstun_endpoint_t client, server, mapped;
    gboolean tcp;
    guint32  requests, answered, errors, first_in, last_in, mapped_in;
    msstun_element_t *el;
} msstun_binding_client_t;

/* Capture verdict and the elements, in order; finalized first (views) */
typedef struct {
    guint8   verdict;
    const msstun_element_t *el;
    const msstun_event_t *cause;
    guint32  elements[MSSTUN_EL_KINDS];
} msstun_capture_verdict_t;

msstun_element_t *msstun_path_element(guint8 kind, void *obj, msstun_element_t *parent);
void msstun_path_message(msstun_msg_t *m);
void msstun_path_media(packet_info *pinfo, msstun_conv_t *conv);
void msstun_path_frame_experts(packet_info *pinfo, proto_item *item);
gboolean msstun_path_complete(packet_info *pinfo);
void msstun_msg_problem(msstun_msg_t *m, guint8 level, const char *text);
void msstun_msg_expert(msstun_msg_t *m, proto_item *pi, expert_field *ei, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
void msstun_msg_expert0(msstun_msg_t *m, proto_item *pi, expert_field *ei);
void msstun_path_expert_level(expert_field *ei, int severity, const char *summary);
const msstun_capture_verdict_t *msstun_path_finalize(void);
wmem_array_t *msstun_path_elements(void);     /* of msstun_element_t * */
void msstun_path_init(void);
void msstun_path_cleanup(void);
extern const value_string msstun_verdict_vals[];

/* ---- Attribute table --------------------------------------------------- */
typedef enum {
    MSSTUN_ENC_NONE,     /* value must be empty */
    MSSTUN_ENC_BYTES,    /* opaque -> hf (FT_BYTES) */
    MSSTUN_ENC_STRING,   /* UTF-8 -> hf (FT_STRING) */
    MSSTUN_ENC_U32,      /* 32-bit number -> hf */
    MSSTUN_ENC_U64,      /* 64-bit number -> hf */
    MSSTUN_ENC_ADDR,     /* family/port/address, plain */
    MSSTUN_ENC_XADDR,    /* same, XORed with header bytes 4..19 */
    MSSTUN_ENC_CUSTOM    /* decode() */
} msstun_enc_t;

#define MSSTUN_AF_MS          0x01   /* Microsoft attribute */
#define MSSTUN_AF_DEPRECATED  0x02   /* RFC 3489 only */
#define MSSTUN_AF_LAST        0x04   /* must be last (FINGERPRINT) */
#define MSSTUN_AF_FACT        0x08   /* decoded even without a tree: Info column and trackers read it */

struct msstun_attr_def;
/* decodes the value at offset o (len bytes) of the message tvb */
typedef void (*msstun_attr_decode_t)(msstun_msg_t *m, const struct msstun_attr_def *def,
                                     tvbuff_t *tvb, int o, int len, proto_tree *tree, proto_item *ai);

typedef struct msstun_attr_def {
    guint16     type;
    const char *name;
    guint8      enc;
    guint8      flags;
    guint8      slot;        /* MSSTUN_ADDR_* for address encodings */
    guint16     min_len, max_len;
    int        *hf;          /* main field: the generic encodings add it; a filter-only
                              * tree skips a non-fact row whose main field it does not use */
    msstun_attr_decode_t decode;
    gint16      fact, has;   /* U32: where msstun_msg_t keeps the value and its flag, or -1 */
    const char *spec;
} msstun_attr_def_t;

const msstun_attr_def_t *msstun_attr_lookup(guint16 type, guint8 format);
extern value_string_ext msstun_attr_names_ext, msstun_ms_attr_names_ext;

/* ---- Entry points between files ---------------------------------------- */
/* header.c */
int  dissect_msstun_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                            gboolean over_tcp, int depth);
int  dissect_msstun_message_in(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               gboolean over_tcp, int depth, const msstun_msg_t *parent);
guint8 msstun_detect_format(tvbuff_t *tvb, int offset, packet_info *pinfo);
gboolean msstun_looks_like_stun(tvbuff_t *tvb, int offset, int avail, packet_info *pinfo, gboolean exact);
const char *msstun_method_name(guint16 method);
extern const value_string msstun_class_names[];
extern const value_string msstun_error_names[];
extern const value_string msstun_network_version_vals[];
extern const value_string msstun_ms_msg_types[];
extern const value_string msstun_method_vals[];

/* attrs.c */
void msstun_dissect_attributes(msstun_msg_t *m, proto_tree *tree, int offset, int end);
void msstun_handoff_payload(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int depth,
                            gboolean over_tcp, gboolean datagram);
void msstun_handoff_payload_in(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int depth,
                               gboolean over_tcp, gboolean datagram, const struct msstun_msg *parent);
const char *msstun_endpoint_str(packet_info *pinfo, const msstun_endpoint_t *ep);
void msstun_endpoint_buf(const msstun_endpoint_t *ep, char *buf, size_t size);

/* framing.c */
/* What a payload is, by RFC 7983 7 / RFC 9443 7 first-byte ranges and a
 * length that fits: the one decision every entry (port, heuristic,
 * conversation, TCP frame, TURN payload) takes. */
typedef enum {
    MSSTUN_CLS_OTHER = 0,   /* not ours, not media we know: hand on */
    MSSTUN_CLS_STUN,        /* a STUN message that fits */
    MSSTUN_CLS_STUN_CUT,    /* the cookie, but the message does not fit: shown as a broken message */
    MSSTUN_CLS_CHANNEL,     /* TURN ChannelData or [MS-TURN] 0xFF10 that fits */
    MSSTUN_CLS_ZRTP,        /* 16-19 */
    MSSTUN_CLS_DTLS,        /* 20-63 */
    MSSTUN_CLS_RTP,         /* 128-191 */
    MSSTUN_CLS_RTCP         /* 128-191, packet type 192-223 (RFC 5761 4) */
} msstun_class_t;
#define MSSTUN_CL_PORT    0x01   /* on a registered STUN/TURN port */
#define MSSTUN_CL_CONV    0x02   /* on a 5-tuple already known to be STUN */
#define MSSTUN_CL_HEUR    0x04   /* anywhere else: strictest */
#define MSSTUN_CL_STREAM  0x08   /* one frame of a TCP connection whose framing is known */
#define MSSTUN_CL_PAYLOAD 0x10   /* TURN DATA / ChannelData / RFC 6062 payload: STUN must fill it */
msstun_class_t msstun_classify(tvbuff_t *tvb, int offset, packet_info *pinfo, guint flags);
int  dissect_msstun_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
int  dissect_msstun_udp_conv(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
int  dissect_msstun_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
msstun_bool_t dissect_msstun_heur_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
msstun_bool_t dissect_msstun_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
int  dissect_msstun_channel_data(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean over_tcp, int depth);
msstun_conv_t *msstun_conv_get(packet_info *pinfo, gboolean create);
void msstun_conv_cache_reset(void);

/* integrity.c */
void msstun_check_fingerprint(msstun_msg_t *m, proto_tree *tree, int attr_off);
void msstun_check_integrity(msstun_msg_t *m);
void msstun_integrity_register(module_t *module, int proto);   /* UAT, preferences, fields */
void msstun_integrity_handoff(void);                            /* SDP learning postdissector */

/* A cap on one of the file's tables: the frame that first hit it shows one
 * expert info, on every pass. */
typedef struct {
    guint32 frame;
    const char *what;
} msstun_cap_t;
void msstun_cap_hit(msstun_cap_t *cap, const msstun_msg_t *m);
#define msstun_cap_reset(cap) ((cap)->frame = 0)
void msstun_cap_show(const msstun_cap_t *cap, const msstun_msg_t *m);

/* tls.c: TLS/DTLS application data, [MS-TURN] 2.1.1 pseudo-TLS */
void msstun_tls_register(module_t *module, int proto);
void msstun_tls_handoff(void);

/* transactions.c */
void msstun_track_transaction(msstun_msg_t *m, msstun_conv_t *conv);

int  msstun_rfc6062_data_pdus(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv);

/* turn.c */
void msstun_track_turn(msstun_msg_t *m, msstun_conv_t *conv);
void msstun_track_channel(packet_info *pinfo, proto_tree *tree, guint16 channel, gboolean over_tcp);
void msstun_rfc6062_data_item(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv);
int  msstun_rfc6062_data(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv);
void msstun_turn_init(void);
int  dissect_msstun_peer_leg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
gboolean msstun_rfc6062_relay_endpoints(packet_info *pinfo, struct msstun_conv *conv, msstun_endpoint_t *src,
                                        msstun_endpoint_t *dst);

/* ice.c */
void msstun_track_ice(msstun_msg_t *m);
msstun_ice_pair_t *msstun_ice_pair_of_frame(packet_info *pinfo, gboolean tcp);
void msstun_ice_init(void);

/* diag.c */
void msstun_diagnose(msstun_msg_t *m, msstun_conv_t *conv);

/* stats.c */
extern int msstun_tap;
gboolean msstun_want_expert(const msstun_msg_t *m, expert_field *ei);
/* a tree that will be shown (GUI details, -V, PDML), not one built only to run a filter */
#define msstun_tree_visible(t) ((t) != NULL && PTREE_DATA(t)->visible)
void msstun_register_stats(void);
void msstun_stats_init(void);
/* gui_tables.c: Statistics > MS-STUN/TURN/ICE table dialogs, -z msstun,*_table */
void msstun_register_gui_tables(void);

/* register.c: handles and preferences */
extern int proto_msstun;
extern dissector_handle_t msstun_udp_handle, msstun_udp_conv_handle, msstun_tcp_handle, msstun_peer_leg_handle;
extern dissector_handle_t msstun_data_handle, msstun_rtp_handle, msstun_rtcp_handle, msstun_dtls_handle;
extern heur_dissector_list_t msstun_heur_subdissectors;
extern msstun_bool_t msstun_pref_desegment;     /* bool in 4.4+ prefs API */
extern msstun_bool_t msstun_pref_rfc7983_demux;
extern guint    msstun_pref_max_transactions;

/* ---- Fields ------------------------------------------------------------ */
extern int hf_msstun_type, hf_msstun_type_class, hf_msstun_type_method,
    hf_msstun_type_method_assignment, hf_msstun_length, hf_msstun_cookie, hf_msstun_id,
    hf_msstun_network_version, hf_msstun_ms_msg_type, hf_msstun_attributes, hf_msstun_attribute, hf_msstun_attribute_ms,
    hf_msstun_response_in, hf_msstun_response_to, hf_msstun_time, hf_msstun_duplicate,
    hf_msstun_retrans_count, hf_msstun_channel, hf_msstun_channel_peer, hf_msstun_tcp_frame_length,
    hf_msstun_msturn_frame_type, hf_msstun_msturn_frame_reserved, hf_msstun_mux_session_id,
    hf_msstun_payload, hf_msstun_padding_ch;
extern int hf_msstun_att_type, hf_msstun_att_type_ms, hf_msstun_att_type_comprehension, hf_msstun_att_type_assignment,
    hf_msstun_att_length, hf_msstun_att_reserved, hf_msstun_att_family, hf_msstun_att_ipv4,
    hf_msstun_att_ipv6, hf_msstun_att_port, hf_msstun_att_ipv4_xord, hf_msstun_att_ipv6_xord,
    hf_msstun_att_port_xord, hf_msstun_att_username, hf_msstun_att_username_opaque,
    hf_msstun_att_password, hf_msstun_att_padding, hf_msstun_att_hmac, hf_msstun_att_hmac_sha256, hf_msstun_att_hmac_status,
    hf_msstun_att_crc32, hf_msstun_att_crc32_status, hf_msstun_att_crc32_variant, hf_msstun_att_error_class, hf_msstun_att_error,
    hf_msstun_att_error_code, hf_msstun_att_error_reason, hf_msstun_att_realm, hf_msstun_att_nonce,
    hf_msstun_att_unknown, hf_msstun_att_icmp_type, hf_msstun_att_icmp_code,
    hf_msstun_att_icmp_data, hf_msstun_att_unknown8006, hf_msstun_att_software,
    hf_msstun_att_priority, hf_msstun_att_tie_breaker, hf_msstun_att_lifetime,
    hf_msstun_att_change_ip, hf_msstun_att_change_port, hf_msstun_att_pw_alg,
    hf_msstun_att_pw_alg_len, hf_msstun_att_pw_alg_data, hf_msstun_att_reserve_next,
    hf_msstun_att_cache_timeout, hf_msstun_att_token, hf_msstun_value, hf_msstun_att_transp,
    hf_msstun_att_channelnum, hf_msstun_att_magic_cookie, hf_msstun_att_bandwidth,
    hf_msstun_att_ms_version, hf_msstun_att_ms_version_ice, hf_msstun_att_ms_connection_id,
    hf_msstun_att_ms_sequence_number, hf_msstun_att_ms_stream_type,
    hf_msstun_att_ms_service_quality, hf_msstun_att_ms_foundation,
    hf_msstun_att_ms_multiplexed_turn_session_id, hf_msstun_att_bandwidth_acm_type,
    hf_msstun_att_bandwidth_rsv_id, hf_msstun_att_bw_misb, hf_msstun_att_bw_masb,
    hf_msstun_att_bw_mirb, hf_msstun_att_bw_marb, hf_msstun_att_address_rp_valid,
    hf_msstun_att_address_rp_pstn, hf_msstun_att_address_rp_reserved,
    hf_msstun_att_address_rp_masb, hf_msstun_att_address_rp_marb, hf_msstun_att_sip_dialog_id,
    hf_msstun_att_sip_call_id, hf_msstun_att_lp_peer_location, hf_msstun_att_lp_self_location,
    hf_msstun_att_lp_federation, hf_msstun_att_google_network_id,
    hf_msstun_att_google_network_cost, hf_msstun_att_connection_id, hf_msstun_att_data,
    hf_msstun_att_userhash,
    hf_msstun_att_alternate_domain, hf_msstun_att_third_party_auth, hf_msstun_att_origin,
    hf_msstun_att_mobility_ticket, hf_msstun_att_ttc_req, hf_msstun_att_ttc_resp,
    hf_msstun_att_ecn, hf_msstun_att_response_port,
    hf_msstun_att_goog_misc, hf_msstun_att_access_token, hf_msstun_att_address_error_family,
    hf_msstun_att_address_error_code, hf_msstun_att_address_error_reason, hf_msstun_att_ms_value32;
extern int hf_msstun_alloc_id, hf_msstun_alloc_requested_in, hf_msstun_alloc_success_in,
    hf_msstun_alloc_relayed, hf_msstun_alloc_deleted_in;
extern int hf_msstun_ice_pair, hf_msstun_ice_dir_checks, hf_msstun_ice_dir_answered, hf_msstun_ice_dir_failed,
    hf_msstun_ice_rev_checks, hf_msstun_ice_rev_answered, hf_msstun_ice_nominated, hf_msstun_ice_answered_in,
    hf_msstun_ice_rev_answered_in, hf_msstun_ice_nominated_in;
extern int hf_msstun_rfc6062_connection_id, hf_msstun_rfc6062_announced_in,
    hf_msstun_rfc6062_bound_in, hf_msstun_rfc6062_peer;

extern gint ett_msstun, ett_msstun_type, ett_msstun_attributes, ett_msstun_att,
    ett_msstun_framing, ett_msstun_channel, ett_msstun_rfc6062, ett_msstun_alloc,
    ett_msstun_ice;

extern expert_field ei_msstun_short_packet, ei_msstun_wrong_msglen, ei_msstun_long_attribute,
    ei_msstun_unknown_attribute, ei_msstun_att_crc32_bad, ei_msstun_att_overrun,
    ei_msstun_att_truncated, ei_msstun_att_bad_length, ei_msstun_att_padding,
    ei_msstun_att_after_fp, ei_msstun_att_after_mi, ei_msstun_magic_cookie_value,
    ei_msstun_magic_cookie_not_first, ei_msstun_magic_cookie_missing, ei_msstun_att_bad_family, ei_msstun_framing_bad, ei_msstun_framing_length,
    ei_msstun_channel_reserved, ei_msstun_trailing, ei_msstun_retransmission,
    ei_msstun_trans_cap, ei_msstun_att_value, ei_msstun_diag_auth_failed, ei_msstun_diag_auth_challenge,
    ei_msstun_diag_stale_nonce, ei_msstun_diag_stale_nonce_failed, ei_msstun_diag_forbidden,
    ei_msstun_diag_alloc_mismatch, ei_msstun_diag_quota, ei_msstun_diag_capacity, ei_msstun_diag_try_alternate,
    ei_msstun_diag_unknown_attr, ei_msstun_diag_transport, ei_msstun_diag_rfc6062, ei_msstun_diag_rfc6062_failed,
    ei_msstun_diag_role_conflict, ei_msstun_diag_error, ei_msstun_ice_one_way, ei_msstun_ice_pair_failed,
    ei_msstun_ice_session_failed, ei_msstun_unanswered, ei_msstun_rfc6062_unknown_cid, ei_msstun_fp_not_last, ei_msstun_fp_variant, ei_msstun_att_too_many,
    ei_msstun_path_failed, ei_msstun_path_warning, ei_msstun_path_event,
    ei_msstun_unknown_attribute_vendor, ei_msstun_vendor_unpadded, ei_msstun_att_ms_deviation;

#endif /* MSSTUN_H */
