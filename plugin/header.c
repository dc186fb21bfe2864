/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * header.c - one STUN/TURN message: the 20-byte header, which of the three
 * header formats it uses, the method and class names, and the columns.
 *
 * How the formats differ (the one habit of the built-in worth keeping):
 *
 *                 | RFC 3489        | [MS-TURN]             | RFC 5389/8489 (MS-ICE2)
 *   bytes 4..7    | part of TID     | part of TID (often    | magic cookie 0x2112A442
 *                 |                 | 0x2112A442 all same)  |
 *   TID           | 128 bits        | 128 bits              | 96 bits
 *   marker        | none            | MAGIC-COOKIE attr     | cookie
 *                 |                 | first (2.2.2.8)       |
 *   padding       | values are x4   | none                  | to 4 bytes
 *   msg types     | class/method    | fixed codes: 0x0004   | class/method
 *                 |                 | Send, 0x0115 Data     |
 *                 |                 | Ind., 0x0006 Set      |
 *                 |                 | Active Destination    |
 *   0x0012        | -               | REMOTE-ADDRESS, plain | XOR-PEER-ADDRESS
 *   0x0014/0x0015 | -               | NONCE / REALM         | REALM / NONCE
 *   XOR key       | -               | TID (0x8020)          | cookie (+TID for IPv6)
 *   MI input      | padded to 64    | padded to 64          | length adjusted to MI
 */
#include "msstun.h"

#include <epan/to_str.h>
#include <epan/tap.h>

const value_string msstun_network_version_vals[] = {
    { MSSTUN_FMT_MSTURN,  "MS-TURN" },
    { MSSTUN_FMT_RFC3489, "RFC-3489 and earlier" },
    { MSSTUN_FMT_RFC5389, "RFC-5389/8489" },
    { 0, NULL }
};

const value_string msstun_class_names[] = {
    { MSSTUN_CLASS_REQUEST,    "Request" },
    { MSSTUN_CLASS_INDICATION, "Indication" },
    { MSSTUN_CLASS_SUCCESS,    "Success Response" },
    { MSSTUN_CLASS_ERROR,      "Error Response" },
    { 0, NULL }
};

const value_string msstun_method_vals[] = {
    { MSSTUN_M_BINDING,            "Binding" },
    { MSSTUN_M_SHARED_SECRET,      "Shared Secret" },
    { MSSTUN_M_ALLOCATE,           "Allocate" },
    { MSSTUN_M_REFRESH,            "Refresh" },
    { MSSTUN_M_SEND,               "Send" },
    { MSSTUN_M_DATA,               "Data" },
    { MSSTUN_M_CREATE_PERMISSION,  "CreatePermission" },
    { MSSTUN_M_CHANNEL_BIND,       "ChannelBind" },
    { MSSTUN_M_CONNECT,            "Connect" },
    { MSSTUN_M_CONNECTION_BIND,    "ConnectionBind" },
    { MSSTUN_M_CONNECTION_ATTEMPT, "ConnectionAttempt" },
    { MSSTUN_M_GOOG_PING,          "GOOG-PING" },
    { MSSTUN_M_MS_SEND,            "Send" },
    { MSSTUN_M_MS_DATA,            "Data" },
    { MSSTUN_M_MS_SET_ACTIVE_DEST, "Set Active Destination" },
    { 0, NULL }
};

/* [MS-TURN] 2.2.1: message types are fixed codes, not class/method pairs */
const value_string msstun_ms_msg_types[] = {
    { 0x0001, "Binding Request" },
    { 0x0101, "Binding Response" },
    { 0x0111, "Binding Error Response" },
    { 0x0002, "Shared Secret Request (must not be used)" },
    { 0x0102, "Shared Secret Response (must not be used)" },
    { 0x0112, "Shared Secret Error Response (must not be used)" },
    { 0x0003, "Allocate Request" },
    { 0x0103, "Allocate Response" },
    { 0x0113, "Allocate Error Response" },
    { 0x0004, "Send Request" },
    { 0x0104, "Send Response (must not be sent)" },
    { 0x0114, "Send Error Response (must not be sent)" },
    { 0x0115, "Data Indication" },
    { 0x0006, "Set Active Destination Request" },
    { 0x0106, "Set Active Destination Response" },
    { 0x0116, "Set Active Destination Error Response" },
    { 0, NULL }
};

/* ERROR-CODE values (RFC 3489, 5389, 8489, 5766, 8656, 6062, 8445, TURN drafts) */
const value_string msstun_error_names[] = {
    { 274, "Disable Candidate (MS-ICE2BWM)" },
    { 275, "Disable Candidate Pair (MS-ICE2BWM)" },
    { 300, "Try Alternate" },
    { 400, "Bad Request" },
    { 401, "Unauthorized" },
    { 403, "Forbidden" },
    { 405, "Mobility Forbidden" },
    { 420, "Unknown Attribute" },
    { 430, "Stale Credentials" },
    { 431, "Integrity Check Failure" },
    { 432, "Missing Username" },
    { 433, "Use TLS" },
    { 434, "Missing Realm" },
    { 435, "Missing Nonce" },
    { 436, "Unknown Username" },
    { 437, "Allocation Mismatch" },
    { 438, "Stale Nonce" },
    { 439, "Transitioning / Wrong Credentials" },
    { 440, "Address Family not Supported" },
    { 441, "Wrong Credentials" },
    { 442, "Unsupported Transport Protocol" },
    { 443, "Peer Address Family Mismatch" },
    { 446, "Connection Already Exists" },
    { 447, "Connection Timeout or Failure" },
    { 481, "Connection does not exist" },
    { 486, "Allocation Quota Reached" },
    { 487, "Role Conflict" },
    { 500, "Server Error" },
    { 503, "Service Unavailable" },
    { 507, "Insufficient Bandwidth Capacity" },
    { 508, "Insufficient Capacity" },
    { 600, "Global Failure" },
    { 0, NULL }
};

/* The TURN drafts that [MS-TURN] servers follow give 437-440 other names */
static const value_string msstun_ms_error_names[] = {
    { 437, "No Binding" },
    { 438, "Send Failed" },
    { 439, "Transitioning" },
    { 440, "No Destination" },
    { 0, NULL }
};

const char *
msstun_method_name(guint16 method)
{
    return val_to_str_const(method, msstun_method_vals, "Unknown");
}

/* Which header format: the MAGIC-COOKIE attribute first means [MS-TURN]
 * (2.2.2.8; its TID may start with 0x2112A442 too), then the RFC 5389 cookie,
 * then a conversation already known to speak MS-TURN, else RFC 3489. */
guint8
msstun_detect_format(tvbuff_t *tvb, int offset, packet_info *pinfo)
{
    if (tvb_bytes_exist(tvb, offset + 20, 4) && tvb_get_ntohl(tvb, offset + 20) == 0x000F0004)
        return MSSTUN_FMT_MSTURN;
    if (tvb_get_ntohl(tvb, offset + 4) == MSSTUN_COOKIE)
        return MSSTUN_FMT_RFC5389;
    if (pinfo) {
        msstun_conv_t *conv = msstun_conv_get(pinfo, FALSE);
        if (conv && conv->is_msturn)
            return MSSTUN_FMT_MSTURN;
    }
    return MSSTUN_FMT_RFC3489;
}

/* Cheap and strict: top bits 00, a length that fits, and a marker (cookie,
 * MAGIC-COOKIE attribute, or a conversation known to carry MS-TURN). With
 * exact, the message must fill avail. */
gboolean
msstun_looks_like_stun(tvbuff_t *tvb, int offset, int avail, packet_info *pinfo, gboolean exact)
{
    guint16 len;
    int total;

    if (avail < MSSTUN_HDR_LEN || !tvb_bytes_exist(tvb, offset, MSSTUN_HDR_LEN))
        return FALSE;
    if (msstun_get_u8(tvb, offset) & 0xC0)
        return FALSE;
    len = tvb_get_ntohs(tvb, offset + 2);
    total = MSSTUN_HDR_LEN + len;
    if (exact ? total != avail : total > avail)
        return FALSE;
    if (tvb_get_ntohl(tvb, offset + 4) == MSSTUN_COOKIE) {
        /* RFC 5389 6: length is a multiple of 4, unless this is MS-TURN */
        if ((len & 3) == 0)
            return TRUE;
    }
    if (len >= 8 && tvb_bytes_exist(tvb, offset + 20, 8) &&
        tvb_get_ntohl(tvb, offset + 20) == 0x000F0004 && tvb_get_ntohl(tvb, offset + 24) == MSSTUN_MS_COOKIE)
        return TRUE;
    if (pinfo) {
        msstun_conv_t *conv = msstun_conv_get(pinfo, FALSE);
        if (conv && conv->is_msturn && pinfo->num >= conv->msturn_from)
            return TRUE;
    }
    return FALSE;
}

/* Method and class of a message; MS-TURN's fixed codes first. */
static void
decode_type(msstun_msg_t *m)
{
    guint16 t = m->type;
    if (m->format == MSSTUN_FMT_MSTURN) {
        switch (t) {
        case 0x0004: m->method = MSSTUN_M_MS_SEND; m->cls = MSSTUN_CLASS_REQUEST; return;
        case 0x0104: m->method = MSSTUN_M_MS_SEND; m->cls = MSSTUN_CLASS_SUCCESS; return;
        case 0x0114: m->method = MSSTUN_M_MS_SEND; m->cls = MSSTUN_CLASS_ERROR; return;
        case 0x0115: m->method = MSSTUN_M_MS_DATA; m->cls = MSSTUN_CLASS_INDICATION; return;
        case 0x0006: m->method = MSSTUN_M_MS_SET_ACTIVE_DEST; m->cls = MSSTUN_CLASS_REQUEST; return;
        case 0x0106: m->method = MSSTUN_M_MS_SET_ACTIVE_DEST; m->cls = MSSTUN_CLASS_SUCCESS; return;
        case 0x0116: m->method = MSSTUN_M_MS_SET_ACTIVE_DEST; m->cls = MSSTUN_CLASS_ERROR; return;
        default: break;
        }
    }
    /* RFC 5389 6: M11..M7 C1 M6..M4 C0 M3..M0 */
    m->cls = ((t >> 4) & 1) | ((t >> 7) & 2);
    m->method = (t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2);
}

static gboolean
is_turn_method(guint16 method)
{
    return method != MSSTUN_M_BINDING && method != MSSTUN_M_SHARED_SECRET && method != MSSTUN_M_GOOG_PING;
}

/* The Info column is written for every frame, tree or not: build it with
 * plain copies into one buffer, no printf. */
typedef struct {
    char  *p, *end;
} infobuf_t;

static void
put(infobuf_t *b, const char *s)
{
    size_t n = strlen(s);
    if (n > (size_t)(b->end - b->p))
        n = (size_t)(b->end - b->p);
    memcpy(b->p, s, n);
    b->p += n;
}

static void
put_u32(infobuf_t *b, guint32 v)
{
    char num[12];
    msstun_u32_to_str_buf(v, num, sizeof num);
    put(b, num);
}

static void
put_hex(infobuf_t *b, guint32 v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    char num[12];
    num[0] = '0'; num[1] = 'x';
    for (int i = 0; i < digits; i++)
        num[2 + i] = hex[(v >> (4 * (digits - 1 - i))) & 0xF];
    num[2 + digits] = '\0';
    put(b, num);
}

static void
put_ep(infobuf_t *b, const msstun_msg_t *m, int slot, const char *label)
{
    char ep[MAX_ADDR_STR_LEN + 8];
    if (!m->ep[slot].valid)
        return;
    put(b, label);
    msstun_endpoint_buf(&m->ep[slot], ep, sizeof ep);
    put(b, ep);
}

#define MSSTUN_INFO_LEN 512      /* one message's Info text (COL_MAX_INFO_LEN is 4096) */

static void
info_text(const msstun_msg_t *m, char *buf, size_t size)
{
    infobuf_t b = { buf, buf + size - 1 };
    gboolean ms = m->format == MSSTUN_FMT_MSTURN;

    put(&b, msstun_method_name(m->method));
    put(&b, " ");
    put(&b, val_to_str_const(m->cls, msstun_class_names, "Unknown"));
    if (m->error_code) {
        const char *n = NULL;
        if (ms)
            n = try_val_to_str(m->error_code, msstun_ms_error_names);
        if (!n)
            n = val_to_str_const(m->error_code, msstun_error_names, "Unknown");
        put(&b, " error-code: ");
        put_u32(&b, m->error_code);
        put(&b, " (");
        put(&b, n);
        put(&b, ")");
        if (m->error_reason && *m->error_reason) {
            put(&b, " ");
            put(&b, m->error_reason);
        }
        if (m->has_unknown_attr) {
            put(&b, " unknown: ");
            put_hex(&b, m->unknown_attr, 4);
        }
    }
    if (m->username) {
        put(&b, " user: ");
        put(&b, m->username);
    }
    if (m->realm) {
        put(&b, " realm: ");
        put(&b, m->realm);
    }
    if (m->has_nonce)
        put(&b, " with nonce");
    if (m->has_transport)
        put(&b, m->transport == 6 ? " transport: TCP" : m->transport == 17 ? " transport: UDP" : " transport: other");
    if (m->has_connection_id) {
        put(&b, " CONNECTION-ID: ");
        put_hex(&b, m->connection_id, 8);
    }
    if (m->has_channel) {
        put(&b, " channel: ");
        put_hex(&b, m->channel, 4);
    }
    put_ep(&b, m, MSSTUN_ADDR_XOR_MAPPED, " XOR-MAPPED-ADDRESS: ");
    put_ep(&b, m, MSSTUN_ADDR_RELAYED, " XOR-RELAYED-ADDRESS: ");
    put_ep(&b, m, MSSTUN_ADDR_MAPPED, " MAPPED-ADDRESS: ");
    put_ep(&b, m, MSSTUN_ADDR_PEER, ms ? " REMOTE-ADDRESS: " : " XOR-PEER-ADDRESS: ");
    put_ep(&b, m, MSSTUN_ADDR_DESTINATION, " DESTINATION-ADDRESS: ");
    put_ep(&b, m, MSSTUN_ADDR_ALTERNATE, " ALTERNATE-SERVER: ");
    if (m->has_lifetime) {
        put(&b, " lifetime: ");
        put_u32(&b, m->lifetime);
    }
    if (m->use_candidate)
        put(&b, " USE-CANDIDATE");
    if (m->data_len >= 0 && m->data_offset >= 0) {
        put(&b, " data: ");
        put_u32(&b, (guint32)m->data_len);
        put(&b, " bytes");
    }
    *b.p = '\0';
}

static const char *
protocol_name(const msstun_msg_t *m)
{
    if (m->format == MSSTUN_FMT_MSTURN)
        return "MS-TURN";
    if (m->ms_ice2)
        return "MS-ICE2";
    if (m->format == MSSTUN_FMT_RFC3489)
        return "CLASSIC-STUN";
    return is_turn_method(m->method) ? "TURN" : "STUN";
}

int
dissect_msstun_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean over_tcp, int depth)
{
    return dissect_msstun_message_in(tvb, pinfo, tree, over_tcp, depth, NULL);
}

int
dissect_msstun_message_in(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean over_tcp, int depth,
                          const msstun_msg_t *parent)
{
    msstun_msg_t *m;
    proto_item *ti, *it;
    proto_tree *st, *tt, *att;
    int reported = tvb_reported_length(tvb);
    int total, end;
    guint16 tid_off;
    msstun_conv_t *conv;
    char name[64] = "";

    if (reported < MSSTUN_HDR_LEN) {
        ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, -1, ENC_NA);
        expert_add_info(pinfo, ti, &ei_msstun_short_packet);
        col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", "Truncated STUN header");
        return reported;
    }

    m = wmem_new0(pinfo->pool, msstun_msg_t);
    m->tvb = tvb;
    m->pinfo = pinfo;
    m->depth = depth;
    m->parent = parent;
    m->over_tcp = over_tcp;
    m->mi_offset = m->fp_offset = m->data_offset = m->data_len = -1;
    m->type = tvb_get_ntohs(tvb, 0);
    m->length = tvb_get_ntohs(tvb, 2);
    m->format = msstun_detect_format(tvb, 0, pinfo);
    decode_type(m);

    total = MSSTUN_HDR_LEN + m->length;
    end = MIN(total, reported);
    ti = tree ? proto_tree_add_item(tree, proto_msstun, tvb, 0, end, ENC_NA) : NULL;
    m->ti = ti;
    st = ti ? proto_item_add_subtree(ti, ett_msstun) : NULL;
    m->tree = st;
    /* the names are for reading only: built by copies, one "%s" each (-V cost) */
    if (msstun_tree_visible(st)) {
        infobuf_t nb = { name, name + sizeof name - 1 };
        put_hex(&nb, m->type, 4);
        put(&nb, " (");
        put(&nb, msstun_method_name(m->method));
        put(&nb, " ");
        put(&nb, val_to_str_const(m->cls, msstun_class_names, "Unknown"));
        put(&nb, ")");
        *nb.p = '\0';
        /* ", Method Class" is the part in parentheses */
        nb.p[-1] = '\0';
        proto_item_append_text(ti, ", %s", name + 8);
        nb.p[-1] = ')';
    }

    tid_off = m->format == MSSTUN_FMT_RFC5389 ? 8 : 4;
    it = NULL;
    if (st) {
        if (*name)
            it = proto_tree_add_uint_format_value(st, hf_msstun_type, tvb, 0, 2, m->type, "%s", name);
        else
            it = proto_tree_add_uint(st, hf_msstun_type, tvb, 0, 2, m->type);
        m->type_item = it;
        tt = proto_item_add_subtree(it, ett_msstun_type);
        if (m->format == MSSTUN_FMT_MSTURN)
            proto_tree_add_uint(tt, hf_msstun_ms_msg_type, tvb, 0, 2, m->type);
        /* [MS-TURN] 2.2.1 fixed codes (0x0115 Data Indication...) are not class/method
         * encoded: their IETF bits (0x0115 = "Error Response 0x005") would contradict them */
        if (m->method < MSSTUN_M_MS_SEND) {
            proto_tree_add_uint(tt, hf_msstun_type_class, tvb, 0, 2, m->type);
            proto_tree_add_uint(tt, hf_msstun_type_method, tvb, 0, 2, m->type);
            proto_tree_add_uint(tt, hf_msstun_type_method_assignment, tvb, 0, 2, m->type);
        }
        it = proto_tree_add_uint(st, hf_msstun_length, tvb, 2, 2, m->length);
        if (m->format == MSSTUN_FMT_RFC5389)
            proto_tree_add_item(st, hf_msstun_cookie, tvb, 4, 4, ENC_NA);
        proto_tree_add_item(st, hf_msstun_id, tvb, tid_off, MSSTUN_HDR_LEN - tid_off, ENC_NA);
        proto_item_set_generated(proto_tree_add_uint(st, hf_msstun_network_version, tvb, 0, 0, m->format));
    }
    /* RFC 5389 6: attributes are padded, so the length is a multiple of 4 */
    if (m->format == MSSTUN_FMT_RFC5389 && (m->length & 3))
        msstun_msg_expert0(m, it, &ei_msstun_wrong_msglen);
    if (total > reported)
        msstun_msg_expert(m, it, &ei_msstun_short_packet,
                          "Message length %u goes past the end of the packet (%d bytes of attributes)",
                          m->length, reported - MSSTUN_HDR_LEN);

    if (m->length > 0) {
        proto_item *ai = proto_tree_add_item(st, hf_msstun_attributes, tvb, MSSTUN_HDR_LEN, end - MSSTUN_HDR_LEN, ENC_NA);
        att = proto_item_add_subtree(ai, ett_msstun_attributes);
        msstun_dissect_attributes(m, att, MSSTUN_HDR_LEN, end);
    }
    if (m->has_impl_version)
        m->ms_ice2 = TRUE;            /* [MS-ICE2] 2.2.2.2: in all its Binding messages */
    if (m->format == MSSTUN_FMT_MSTURN && (m->attr_count == 0 || tvb_get_ntohs(tvb, 20) != MSSTUN_A_MS_MAGIC_COOKIE))
        msstun_msg_expert(m, ti, &ei_msstun_magic_cookie_missing, "%s", "MS-TURN message does not start with MAGIC-COOKIE; an MS-TURN server ignores it ([MS-TURN] 3.1.10)");
    if (m->seen_mi)
        msstun_check_integrity(m);

    conv = msstun_conv_get(pinfo, TRUE);
    m->conv = conv;
    if (!PINFO_FD_VISITED(pinfo)) {
        if (m->format == MSSTUN_FMT_MSTURN && !conv->is_msturn) {
            conv->is_msturn = TRUE;
            conv->msturn_from = pinfo->num;
        }
        if (is_turn_method(m->method))
            conv->is_turn = TRUE;
    }
    msstun_track_transaction(m, conv);
    msstun_track_turn(m, conv);
    msstun_track_ice(m);
    msstun_diagnose(m, conv);
    msstun_path_message(m);
    tap_queue_packet(msstun_tap, pinfo, m);

    col_set_str(pinfo->cinfo, COL_PROTOCOL, protocol_name(m));
    if (pinfo->cinfo) {
        /* packet-scoped: an empty column (the common case) takes it uncopied */
        char *info = (char *)wmem_alloc(pinfo->pool, MSSTUN_INFO_LEN);
        const char *was;

        info_text(m, info, MSSTUN_INFO_LEN);
        if (depth > 0)
            col_append_str(pinfo->cinfo, COL_INFO, info);
        else if ((was = col_get_text(pinfo->cinfo, COL_INFO)) != NULL && !*was)
            col_set_str(pinfo->cinfo, COL_INFO, info);
        else
            col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", info);
    }

    if (m->data_offset >= 0 && m->data_len > 0) {
        tvbuff_t *pt = tvb_new_subset_length(tvb, m->data_offset + 4, m->data_len);
        msstun_handoff_payload_in(pt, pinfo, tree, depth, over_tcp, TRUE, m);
    }
    return end;
}
