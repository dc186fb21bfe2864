/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * framing.c - the UDP and TCP entries, the heuristics, and every framing a
 * STUN message travels in:
 *   - raw STUN and TURN ChannelData (RFC 5389 7.2.2, RFC 8656 12.5: padded to
 *     4 on TCP, optionally on UDP), MS Multiplexed TURN 0xFF10 ([MS-TURN] 2.2.3)
 *   - RFC 4571 two-byte length (ICE-TCP, [MS-ICE2] 2.2.2), STUN or media
 *   - [MS-TURN] 2.1.4 four-byte header: 0x02 TURN control, 0x03 end-to-end data
 *   - the RFC 6062 data connection after ConnectionBind: the peer's bytes
 * Once a TCP connection is known to use a framing, every frame on it is
 * delimited with tcp_dissect_pdus; bytes that do not fit get an expert info
 * and the stream goes on.
 *
 * What is STUN is decided in one place, msstun_classify(), for every entry
 * (port, heuristic, conversation, TCP frames, TURN payloads): RFC 7983 /
 * RFC 9443 7 first-byte ranges, and a length that fits.
 */
#include "msstun.h"

#include <epan/dissectors/packet-tcp.h>

#define MSTURN_FRAME_CONTROL 0x02
#define MSTURN_FRAME_DATA    0x03

static const value_string framing_names[] = {
    { MSSTUN_FRAMING_RAW,     "none" },
    { MSSTUN_FRAMING_RFC4571, "RFC 4571" },
    { MSSTUN_FRAMING_MSTURN,  "MS-TURN 2.1.4" },
    { 0, NULL }
};

/* Several messages of one frame share the 5-tuple: remember the last lookup */
static struct {
    guint32 num, srcport, destport;
    port_type ptype;
    msstun_conv_t *conv;
} conv_cache;

void
msstun_conv_cache_reset(void)
{
    memset(&conv_cache, 0, sizeof conv_cache);
}

msstun_conv_t *
msstun_conv_get(packet_info *pinfo, gboolean create)
{
    conversation_t *c;
    msstun_conv_t *conv;

    if (conv_cache.conv && conv_cache.num == pinfo->num && conv_cache.srcport == pinfo->srcport &&
        conv_cache.destport == pinfo->destport && conv_cache.ptype == pinfo->ptype)
        return conv_cache.conv;
    c = create ? find_or_create_conversation(pinfo) : find_conversation_pinfo(pinfo, 0);
    if (!c)
        return NULL;
    conv = (msstun_conv_t *)conversation_get_proto_data(c, proto_msstun);
    if (!conv && create) {
        conv = wmem_new0(wmem_file_scope(), msstun_conv_t);
        conversation_add_proto_data(c, proto_msstun, conv);
    }
    if (conv) {
        conv_cache.num = pinfo->num;
        conv_cache.srcport = pinfo->srcport;
        conv_cache.destport = pinfo->destport;
        conv_cache.ptype = pinfo->ptype;
        conv_cache.conv = conv;
    }
    return conv;
}

/* ---- ChannelData and Multiplexed TURN ------------------------------------ */

/* RFC 8656 12 narrows channels to 0x4000-0x4FFF (first byte 64-79, RFC 7983
 * 7), but RFC 5766 servers still use 0x4000-0x7FFF (coturn 4.6.1 picks 0x7cf8) */
static gboolean
is_channel(guint16 ch)
{
    return (ch >= 0x4000 && ch <= 0x7FFF) || ch == MSSTUN_MUX_CHANNEL;
}

static int
channel_pdu_len(tvbuff_t *tvb, int offset, gboolean over_tcp)
{
    guint16 ch = tvb_get_ntohs(tvb, offset);
    guint16 len = tvb_get_ntohs(tvb, offset + 2);
    if (ch == MSSTUN_MUX_CHANNEL)
        return 4 + len;              /* [MS-TURN] 2.2.3: length counts session id + data */
    return 4 + len + (over_tcp ? MSSTUN_PAD4(len) : 0);
}

/* ---- Demultiplexing (RFC 7983 7, RFC 9443 7) ------------------------------- */

/* Classic RFC 3489 (and libnice's OC2007 mode) has no cookie and no marker:
 * accept it only when the length fills the datagram exactly, the method is
 * one we know and the attributes tile the message. */
static gboolean
looks_like_classic(tvbuff_t *tvb, int offset, int reported, gboolean strict)
{
    guint16 type, len, method;
    int off = offset + MSSTUN_HDR_LEN, end = offset + reported;

    if (reported < MSSTUN_HDR_LEN)
        return FALSE;
    type = tvb_get_ntohs(tvb, offset);
    len = tvb_get_ntohs(tvb, offset + 2);
    method = (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    if (MSSTUN_HDR_LEN + len != reported || (len & 3) || (type & 0xC000))
        return FALSE;
    if (method < MSSTUN_M_BINDING || method > MSSTUN_M_CONNECTION_ATTEMPT)
        return FALSE;
    if (strict && len == 0)
        return FALSE;
    while (off + 4 <= end) {
        guint16 alen = tvb_get_ntohs(tvb, off + 2);
        off += 4 + alen + MSSTUN_PAD4(alen);
    }
    return off == end;
}

static gboolean
conv_is_msturn(packet_info *pinfo)
{
    msstun_conv_t *conv = msstun_conv_get(pinfo, FALSE);
    return conv && conv->is_msturn && pinfo->num >= conv->msturn_from;
}

static gboolean
conv_is_turn(packet_info *pinfo)
{
    msstun_conv_t *conv = msstun_conv_get(pinfo, FALSE);
    return conv && conv->is_turn;
}

/* The first two bits 00 and a length are not enough: a STUN message has the
 * cookie and a length that is a multiple of 4 (RFC 5389 6), or the [MS-TURN]
 * MAGIC-COOKIE attribute first, or is on a 5-tuple known to speak MS-TURN, or
 * is classic STUN filling the datagram exactly; and it fits the bytes. */
static msstun_class_t
classify_stun(tvbuff_t *tvb, int offset, int avail, packet_info *pinfo, guint flags)
{
    gboolean cookie = avail >= 8 && tvb_bytes_exist(tvb, offset, 8) &&
                      tvb_get_ntohl(tvb, offset + 4) == MSSTUN_COOKIE;
    gboolean shown_broken = cookie && (flags & (MSSTUN_CL_PORT | MSSTUN_CL_CONV));
    guint16 len;
    int total;
    gboolean fits;

    if (avail < MSSTUN_HDR_LEN || !tvb_bytes_exist(tvb, offset, 4))
        return shown_broken ? MSSTUN_CLS_STUN_CUT : MSSTUN_CLS_OTHER;
    len = tvb_get_ntohs(tvb, offset + 2);
    total = MSSTUN_HDR_LEN + len;
    fits = (flags & MSSTUN_CL_STREAM) ? TRUE : (flags & MSSTUN_CL_PAYLOAD) ? total == avail : total <= avail;
    if (fits) {
        if (flags & MSSTUN_CL_STREAM)
            return MSSTUN_CLS_STUN;       /* the stream's framing was recognised and delimits it */
        if (cookie && (len & 3) == 0)
            return MSSTUN_CLS_STUN;
        if (len >= 8 && tvb_bytes_exist(tvb, offset + 20, 8) && tvb_get_ntohl(tvb, offset + 20) == 0x000F0004 &&
            tvb_get_ntohl(tvb, offset + 24) == MSSTUN_MS_COOKIE)
            return MSSTUN_CLS_STUN;
        if (conv_is_msturn(pinfo))
            return MSSTUN_CLS_STUN;
        if (!cookie && !(flags & MSSTUN_CL_PAYLOAD) &&
            looks_like_classic(tvb, offset, avail, (flags & MSSTUN_CL_HEUR) != 0))
            return MSSTUN_CLS_STUN;
    }
    /* the cookie and a length that does not fit: a broken STUN message, shown
     * as such where STUN is expected; anywhere else, someone else's bytes */
    return shown_broken ? MSSTUN_CLS_STUN_CUT : MSSTUN_CLS_OTHER;
}

msstun_class_t
msstun_classify(tvbuff_t *tvb, int offset, packet_info *pinfo, guint flags)
{
    int avail = tvb_reported_length_remaining(tvb, offset);
    guint8 b0;
    guint16 ch, len;

    if (avail < 1)
        return MSSTUN_CLS_OTHER;
    b0 = msstun_get_u8(tvb, offset);
    if (b0 <= 3)
        return classify_stun(tvb, offset, avail, pinfo, flags);
    /* 4-15 are unassigned in RFC 9443: vendor methods (type 0x0400 and up, e.g.
     * a messenger's 0x0800) live there, accepted with the cookie and a fitting length */
    if (b0 <= 15 && avail >= 8 && tvb_bytes_exist(tvb, offset, 8) && tvb_get_ntohl(tvb, offset + 4) == MSSTUN_COOKIE)
        return classify_stun(tvb, offset, avail, pinfo, flags);
    if (b0 >= 16 && b0 <= 19)
        return MSSTUN_CLS_ZRTP;
    if (b0 >= 20 && b0 <= 63)
        return MSSTUN_CLS_DTLS;
    if (b0 >= 128 && b0 <= 191) {
        /* RFC 5761 4: RTCP packet types 192-223 in the second byte */
        guint8 b1 = avail >= 2 ? msstun_get_u8(tvb, offset + 1) : 0;
        if (b1 >= 192 && b1 <= 223)
            return avail >= 8 ? MSSTUN_CLS_RTCP : MSSTUN_CLS_OTHER;
        return avail >= 12 ? MSSTUN_CLS_RTP : MSSTUN_CLS_OTHER;
    }
    if ((flags & MSSTUN_CL_PAYLOAD) || avail < 4 || (!(b0 >= 64 && b0 <= 127) && b0 != 0xFF))
        return MSSTUN_CLS_OTHER;
    ch = tvb_get_ntohs(tvb, offset);
    len = tvb_get_ntohs(tvb, offset + 2);
    if (ch == MSSTUN_MUX_CHANNEL) {
        /* [MS-TURN] 2.2.3: 8-byte session id, then the data; never padded */
        if (len >= 8 && ((flags & MSSTUN_CL_STREAM) || 4 + len == avail) &&
            ((flags & (MSSTUN_CL_PORT | MSSTUN_CL_STREAM)) || conv_is_msturn(pinfo) || conv_is_turn(pinfo)))
            return MSSTUN_CLS_CHANNEL;
        return MSSTUN_CLS_OTHER;
    }
    if (b0 == 0xFF)
        return MSSTUN_CLS_OTHER;
    /* 64-127 (RFC 9443 gives 80-127 to QUIC, but not on a TURN 5-tuple): see
     * is_channel(); padded to 4 over TCP, may be over UDP */
    if (!(flags & MSSTUN_CL_STREAM) && 4 + len != avail && 4 + len + MSSTUN_PAD4(len) != avail)
        return MSSTUN_CLS_OTHER;
    /* a TURN 5-tuple (or a TCP connection whose framing says so); on the
     * TURN port itself a ChannelData that fits is decoded as the built-in
     * does (a capture may start after the ChannelBind) */
    if ((flags & (MSSTUN_CL_PORT | MSSTUN_CL_STREAM)) || conv_is_turn(pinfo))
        return MSSTUN_CLS_CHANNEL;
    return MSSTUN_CLS_OTHER;
}

int
dissect_msstun_channel_data(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean over_tcp, int depth)
{
    int reported = tvb_reported_length(tvb);
    guint16 ch = tvb_get_ntohs(tvb, 0);
    guint16 len = tvb_get_ntohs(tvb, 2);
    gboolean mux = ch == MSSTUN_MUX_CHANNEL;
    int data_off = mux ? 12 : 4;
    int data_len = mux ? len - 8 : len;
    int pad, avail;
    proto_item *ti;
    proto_tree *ct;

    ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, -1, ENC_NA);
    ct = proto_item_add_subtree(ti, ett_msstun_channel);
    proto_item_append_text(ti, mux ? ", MS Multiplexed TURN" : ", ChannelData");
    proto_tree_add_uint(ct, hf_msstun_channel, tvb, 0, 2, ch);
    proto_tree_add_uint(ct, hf_msstun_length, tvb, 2, 2, len);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, mux ? "MS-TURN" : "TURN");
    if (mux) {
        if (len < 8) {
            expert_add_info_format(pinfo, ti, &ei_msstun_framing_length,
                                   "Multiplexed TURN length %u is shorter than its 8-byte session id", len);
            return reported;
        }
        proto_tree_add_item(ct, hf_msstun_mux_session_id, tvb, 4, 8, ENC_BIG_ENDIAN);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Multiplexed TURN session 0x%016" G_GINT64_MODIFIER "x, %d bytes",
                            tvb_get_ntoh64(tvb, 4), data_len);
    } else {
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "ChannelData 0x%04x, %u bytes", ch, len);
    }
    avail = reported - data_off;
    if (data_len > avail) {
        expert_add_info_format(pinfo, ti, &ei_msstun_framing_length,
                               "Channel data length %d goes past the end of the packet (%d bytes)", data_len, avail);
        data_len = MAX(avail, 0);
    }
    msstun_track_channel(pinfo, ct, ch, over_tcp);
    if (data_len > 0) {
        tvbuff_t *pt = tvb_new_subset_length(tvb, data_off, data_len);
        proto_tree_add_item(ct, hf_msstun_payload, tvb, data_off, data_len, ENC_NA);
        msstun_handoff_payload(pt, pinfo, tree, depth, over_tcp, TRUE);
    }
    pad = reported - data_off - data_len;
    if (!mux && pad > 0) {
        if (pad > 3 || (over_tcp && pad != MSSTUN_PAD4(len)))
            expert_add_info_format(pinfo, ti, &ei_msstun_trailing, "%d bytes after the channel data", pad);
        else
            proto_tree_add_uint(ct, hf_msstun_padding_ch, tvb, data_off + data_len, pad, pad);
    } else if (!mux && over_tcp && MSSTUN_PAD4(len) && pad == 0) {
        expert_add_info_format(pinfo, ti, &ei_msstun_att_padding,
                               "ChannelData over TCP must be padded to 4 bytes (RFC 8656 12.5)");
    }
    proto_item_set_len(ti, reported);
    return reported;
}

/* ---- UDP ----------------------------------------------------------------- */

/* How much a UDP datagram must prove before we call it STUN */
enum { UDP_BY_PORT, UDP_BY_CONVERSATION, UDP_BY_HEURISTIC };

static int
dissect_udp_common(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int mode)
{
    static const guint flags[] = { MSSTUN_CL_PORT, MSSTUN_CL_CONV, MSSTUN_CL_HEUR };
    int reported = tvb_reported_length(tvb);
    int used;

    switch (msstun_classify(tvb, 0, pinfo, flags[mode])) {
    case MSSTUN_CLS_STUN:
    case MSSTUN_CLS_STUN_CUT:
        col_clear(pinfo->cinfo, COL_INFO);
        used = dissect_msstun_message(tvb, pinfo, tree, FALSE, 0);
        if (used < reported)
            proto_tree_add_expert_format(tree, pinfo, &ei_msstun_trailing, tvb, used, reported - used,
                                         "%d bytes after the STUN message", reported - used);
        break;
    case MSSTUN_CLS_CHANNEL:
        col_clear(pinfo->cinfo, COL_INFO);
        dissect_msstun_channel_data(tvb, pinfo, tree, FALSE, 0);
        break;
    default:
        /* DTLS, RTP/RTCP, ZRTP, QUIC, anyone's bytes: UDP goes on with its
         * conversations, ports and heuristics, as without msstun */
        return 0;
    }
    if (mode != UDP_BY_CONVERSATION && !PINFO_FD_VISITED(pinfo)) {
        /* the 5-tuple is STUN's: its conversation comes first, before any
         * dissector a relayed DTLS-SRTP handshake set up on these addresses */
        msstun_conv_t *conv = msstun_conv_get(pinfo, TRUE);
        if (!conv->udp_claimed) {
            conv->udp_claimed = TRUE;
            conversation_set_dissector(find_or_create_conversation(pinfo), msstun_udp_conv_handle);
        }
    }
    return reported;
}

int
dissect_msstun_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return dissect_udp_common(tvb, pinfo, tree, UDP_BY_PORT);
}

/* For 5-tuples known to be STUN: ICE keep-alives and ChannelData carry no
 * marker, but DTLS and RTP share the 5-tuple and must pass through. */
int
dissect_msstun_udp_conv(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    int used = dissect_udp_common(tvb, pinfo, tree, UDP_BY_CONVERSATION);
    if (!used)     /* media on an ICE 5-tuple: the model asks whether the selected pair carried any */
        msstun_path_media(pinfo, msstun_conv_get(pinfo, FALSE));
    return used;
}

msstun_bool_t
dissect_msstun_heur_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return dissect_udp_common(tvb, pinfo, tree, UDP_BY_HEURISTIC) != 0;
}

/* ---- TCP framing detection ------------------------------------------------ */

static gboolean
stun_header_at(tvbuff_t *tvb, int offset, packet_info *pinfo)
{
    if (!tvb_bytes_exist(tvb, offset, 8) || (msstun_get_u8(tvb, offset) & 0xC0))
        return FALSE;
    if (tvb_get_ntohl(tvb, offset + 4) == MSSTUN_COOKIE)
        return (tvb_get_ntohs(tvb, offset + 2) & 3) == 0 ||
               (tvb_bytes_exist(tvb, offset + 20, 4) && tvb_get_ntohl(tvb, offset + 20) == 0x000F0004);
    if (tvb_bytes_exist(tvb, offset + 20, 8))
        return tvb_get_ntohl(tvb, offset + 20) == 0x000F0004 &&
               tvb_get_ntohl(tvb, offset + 24) == MSSTUN_MS_COOKIE;
    (void)pinfo;
    return FALSE;
}

/* [MS-TURN] 2.1.4 first: an RFC 4571 length of 0x02xx/0x03xx also starts
 * "02 00"/"03 00", so the inner header must agree with the frame length. */
static guint8
detect_tcp_framing(tvbuff_t *tvb, packet_info *pinfo, msstun_conv_t *conv)
{
    guint8 b0, b1;

    if (!tvb_bytes_exist(tvb, 0, 4))
        return MSSTUN_FRAMING_UNKNOWN;
    b0 = msstun_get_u8(tvb, 0);
    b1 = msstun_get_u8(tvb, 1);
    if (b1 == 0 && b0 == MSTURN_FRAME_CONTROL && stun_header_at(tvb, 4, pinfo) &&
        tvb_get_ntohs(tvb, 6) + MSSTUN_HDR_LEN == tvb_get_ntohs(tvb, 2))
        return MSSTUN_FRAMING_MSTURN;
    if (b1 == 0 && b0 == MSTURN_FRAME_DATA && conv->is_msturn)
        return MSSTUN_FRAMING_MSTURN;
    if (tvb_bytes_exist(tvb, 0, 6) && tvb_get_ntohs(tvb, 0) == MSSTUN_HDR_LEN + tvb_get_ntohs(tvb, 4) &&
        (stun_header_at(tvb, 2, pinfo) ||
         /* classic STUN (libnice OC2007 ICE-TCP): the two lengths must agree */
         (tvb_bytes_exist(tvb, 2, MSSTUN_HDR_LEN) &&
          looks_like_classic(tvb, 2, MSSTUN_HDR_LEN + tvb_get_ntohs(tvb, 4), TRUE))))
        return MSSTUN_FRAMING_RFC4571;
    if (stun_header_at(tvb, 0, pinfo))
        return MSSTUN_FRAMING_RAW;
    if (conv->is_turn && is_channel(tvb_get_ntohs(tvb, 0)))
        return MSSTUN_FRAMING_RAW;
    return MSSTUN_FRAMING_UNKNOWN;
}

/* ---- TCP PDU lengths and dissectors ---------------------------------------- */

static guint
raw_pdu_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset, void *data _U_)
{
    guint16 first = tvb_get_ntohs(tvb, offset);
    if ((first & 0xC000) == 0)
        return MSSTUN_HDR_LEN + tvb_get_ntohs(tvb, offset + 2);
    if (is_channel(first))
        return channel_pdu_len(tvb, offset, TRUE);
    /* not STUN, not ChannelData: give up on this segment, not on the stream */
    return tvb_reported_length_remaining(tvb, offset);
}

static guint
rfc4571_pdu_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset, void *data _U_)
{
    return 2 + tvb_get_ntohs(tvb, offset);
}

static guint
msturn_pdu_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset, void *data _U_)
{
    guint8 type = msstun_get_u8(tvb, offset);
    if ((type != MSTURN_FRAME_CONTROL && type != MSTURN_FRAME_DATA) || msstun_get_u8(tvb, offset + 1) != 0)
        return tvb_reported_length_remaining(tvb, offset);
    return 4 + tvb_get_ntohs(tvb, offset + 2);
}

static void
bad_framing(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint8 framing)
{
    proto_item *ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, -1, ENC_NA);
    proto_item_append_text(ti, ", unrecognised bytes");
    expert_add_info_format(pinfo, ti, &ei_msstun_framing_bad,
                           "%d bytes do not fit the connection's framing (%s)", tvb_reported_length(tvb),
                           val_to_str_const(framing, framing_names, "unknown"));
    proto_tree_add_item(proto_item_add_subtree(ti, ett_msstun_framing), hf_msstun_payload, tvb, 0, -1, ENC_NA);
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", "Unrecognised TCP payload");
}

/* STUN or ChannelData, self-delimiting (also what RFC 4571 and MS-TURN
 * frames carry) */
static void
dissect_inner(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint8 framing)
{
    int len = tvb_reported_length(tvb);
    int used;

    switch (len < 4 ? MSSTUN_CLS_OTHER : msstun_classify(tvb, 0, pinfo, MSSTUN_CL_STREAM)) {
    case MSSTUN_CLS_STUN:
        used = dissect_msstun_message(tvb, pinfo, tree, TRUE, 0);
        if (used < len)
            proto_tree_add_expert_format(tree, pinfo, &ei_msstun_trailing, tvb, used, len - used,
                                         "%d bytes after the STUN message", len - used);
        return;
    case MSSTUN_CLS_CHANNEL:
        dissect_msstun_channel_data(tvb, pinfo, tree, TRUE, 0);
        return;
    default:
        break;
    }
    if (framing == MSSTUN_FRAMING_RFC4571 || len < 4)
        /* ICE-TCP: media shares the connection with the checks */
        msstun_handoff_payload(tvb, pinfo, tree, 0, TRUE, TRUE);
    else
        bad_framing(tvb, pinfo, tree, framing);
}

static int
raw_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    msstun_conv_t *conv = (msstun_conv_t *)data;
    guint16 first = tvb_get_ntohs(tvb, 0);

    if ((first & 0xC000) == 0 || is_channel(first)) {
        dissect_inner(tvb, pinfo, tree, MSSTUN_FRAMING_RAW);
    } else if (conv->data_from && pinfo->num + 1 >= conv->data_from) {
        /* RFC 6062: peer data right behind the ConnectionBind success */
        msstun_rfc6062_data_item(tvb, pinfo, tree, conv);
        msstun_handoff_payload(tvb, pinfo, tree, 0, TRUE, FALSE);
    } else {
        bad_framing(tvb, pinfo, tree, MSSTUN_FRAMING_RAW);
    }
    return tvb_reported_length(tvb);
}

static void
add_frame_header(tvbuff_t *tvb, packet_info *pinfo _U_, proto_tree *tree, guint8 framing)
{
    proto_item *ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, framing == MSSTUN_FRAMING_MSTURN ? 4 : 2, ENC_NA);
    proto_tree *ft = proto_item_add_subtree(ti, ett_msstun_framing);

    proto_item_set_text(ti, "%s framing (msstun plugin)", val_to_str_const(framing, framing_names, "unknown"));
    if (framing == MSSTUN_FRAMING_MSTURN) {
        proto_tree_add_item(ft, hf_msstun_msturn_frame_type, tvb, 0, 1, ENC_BIG_ENDIAN);
        proto_tree_add_item(ft, hf_msstun_msturn_frame_reserved, tvb, 1, 1, ENC_BIG_ENDIAN);
        proto_tree_add_item(ft, hf_msstun_tcp_frame_length, tvb, 2, 2, ENC_BIG_ENDIAN);
    } else {
        proto_tree_add_item(ft, hf_msstun_tcp_frame_length, tvb, 0, 2, ENC_BIG_ENDIAN);
    }
}

static int
rfc4571_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    add_frame_header(tvb, pinfo, tree, MSSTUN_FRAMING_RFC4571);
    dissect_inner(tvb_new_subset_remaining(tvb, 2), pinfo, tree, MSSTUN_FRAMING_RFC4571);
    return tvb_reported_length(tvb);
}

static int
msturn_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint8 type = msstun_get_u8(tvb, 0);
    tvbuff_t *inner;

    if ((type != MSTURN_FRAME_CONTROL && type != MSTURN_FRAME_DATA) || tvb_reported_length(tvb) < 4 ||
        msstun_get_u8(tvb, 1) != 0) {
        bad_framing(tvb, pinfo, tree, MSSTUN_FRAMING_MSTURN);
        return tvb_reported_length(tvb);
    }
    add_frame_header(tvb, pinfo, tree, MSSTUN_FRAMING_MSTURN);
    inner = tvb_new_subset_remaining(tvb, 4);
    if (type == MSTURN_FRAME_CONTROL) {
        dissect_inner(inner, pinfo, tree, MSSTUN_FRAMING_MSTURN);
    } else {
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "MS-TURN");
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "End-to-end data, %d bytes", tvb_reported_length(inner));
        msstun_handoff_payload(inner, pinfo, tree, 0, TRUE, TRUE);
    }
    return tvb_reported_length(tvb);
}

/* ---- TCP entries ------------------------------------------------------------ */

static int
dissect_tcp_common(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, gboolean heuristic)
{
    msstun_conv_t *conv = msstun_conv_get(pinfo, TRUE);
    guint8 framing = MSSTUN_FRAMING_UNKNOWN;

    /* RFC 6062 4.3: after ConnectionBind succeeds the connection is the peer's */
    if (conv->data_from && pinfo->num >= conv->data_from) {
        col_clear(pinfo->cinfo, COL_INFO);
        return msstun_rfc6062_data(tvb, pinfo, tree, conv);
    }
    if (conv->framing && pinfo->num >= conv->framing_from)
        framing = conv->framing;
    if (framing == MSSTUN_FRAMING_UNKNOWN) {
        if (PINFO_FD_VISITED(pinfo) && conv->framing)
            return 0;      /* before the first frame we recognised */
        framing = detect_tcp_framing(tvb, pinfo, conv);
        if (framing == MSSTUN_FRAMING_UNKNOWN) {
            /* on our port, too few bytes to tell yet: ask TCP for more */
            if (!heuristic && msstun_pref_desegment && pinfo->can_desegment &&
                tvb_captured_length(tvb) < 32 && (msstun_get_u8(tvb, 0) & 0xC0) == 0) {
                pinfo->desegment_offset = 0;
                pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
                return tvb_captured_length(tvb);
            }
            return 0;
        }
        if (!PINFO_FD_VISITED(pinfo)) {
            conv->framing = framing;
            conv->framing_from = pinfo->num;
        }
    }
    if (heuristic)
        conversation_set_dissector(find_or_create_conversation(pinfo), msstun_tcp_handle);
    col_clear(pinfo->cinfo, COL_INFO);
    switch (framing) {
    case MSSTUN_FRAMING_RFC4571:
        tcp_dissect_pdus(tvb, pinfo, tree, msstun_pref_desegment, 2, rfc4571_pdu_len, rfc4571_pdu, conv);
        break;
    case MSSTUN_FRAMING_MSTURN:
        tcp_dissect_pdus(tvb, pinfo, tree, msstun_pref_desegment, 4, msturn_pdu_len, msturn_pdu, conv);
        break;
    default:
        tcp_dissect_pdus(tvb, pinfo, tree, msstun_pref_desegment, 4, raw_pdu_len, raw_pdu, conv);
        break;
    }
    return tvb_captured_length(tvb);
}

int
dissect_msstun_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return dissect_tcp_common(tvb, pinfo, tree, FALSE);
}

msstun_bool_t
dissect_msstun_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return dissect_tcp_common(tvb, pinfo, tree, TRUE) > 0;
}

/* RFC 6062 data connection: RFC 4571-framed STUN (MS-ICE2 checks, as Cisco
 * Meeting Server and Skype for Business send them) is decoded as such; any
 * other stream goes to the next dissector. */
int
msstun_rfc6062_data_pdus(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv)
{
    if (conv->data_framing == MSSTUN_FRAMING_UNKNOWN || pinfo->num < conv->data_framing_from) {
        guint8 f = MSSTUN_FRAMING_UNKNOWN;
        if (stun_header_at(tvb, 2, pinfo) && tvb_get_ntohs(tvb, 0) == MSSTUN_HDR_LEN + tvb_get_ntohs(tvb, 4))
            f = MSSTUN_FRAMING_RFC4571;
        else if (stun_header_at(tvb, 0, pinfo))
            f = MSSTUN_FRAMING_RAW;
        if (f == MSSTUN_FRAMING_UNKNOWN || (PINFO_FD_VISITED(pinfo) && conv->data_framing && pinfo->num < conv->data_framing_from))
            return 0;
        if (!PINFO_FD_VISITED(pinfo) && !conv->data_framing) {
            conv->data_framing = f;
            conv->data_framing_from = pinfo->num;
        }
    }
    if (conv->data_framing == MSSTUN_FRAMING_RFC4571)
        tcp_dissect_pdus(tvb, pinfo, tree, msstun_pref_desegment, 2, rfc4571_pdu_len, rfc4571_pdu, conv);
    else
        tcp_dissect_pdus(tvb, pinfo, tree, msstun_pref_desegment, 4, raw_pdu_len, raw_pdu, conv);
    return tvb_captured_length(tvb);
}

