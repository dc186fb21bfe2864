/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * attrs.c - the attribute loop and the typed decoders the table refers to.
 *
 * One loop walks a message (RFC 5389 15, [MS-TURN] 2.2.2): it checks every
 * length against the row before decoding (so no decoder reads past its value:
 * every fixed offset a decoder reads is below the row's min_len), and raises
 * expert info for ordering problems. Decoders only record facts in msstun_msg_t;
 * header.c writes the Info column from them at the end.
 */
#include "msstun.h"

#include <epan/to_str.h>
#include <epan/exceptions.h>
#include <epan/show_exception.h>
#include <wsutil/pint.h>

#define ATTR_HDR_LEN 4
#define MSSTUN_MAX_ATTRS_SHOWN 512

/* ---- Addresses ---------------------------------------------------------- */

static const value_string family_vals[] = {
    { 0x01, "IPv4" }, { 0x02, "IPv6" }, { 0, NULL }
};

/* "192.0.2.1:3478" or "[2001:db8::1]:3478", without printf: the Info column
 * and the ICE keys format endpoints for every frame */
void
msstun_endpoint_buf(const msstun_endpoint_t *ep, char *buf, size_t size)
{
    size_t n = 0;
    char port[8];

    if (size < 8) {
        buf[0] = '\0';
        return;
    }
    if (ep->addr.type == AT_IPv6)
        buf[n++] = '[';
    address_to_str_buf(&ep->addr, buf + n, (int)(size - n - 8));
    n += strlen(buf + n);
    if (ep->addr.type == AT_IPv6)
        buf[n++] = ']';
    buf[n++] = ':';
    msstun_u32_to_str_buf(ep->port, port, sizeof port);
    g_strlcpy(buf + n, port, size - n);
}

const char *
msstun_endpoint_str(packet_info *pinfo, const msstun_endpoint_t *ep)
{
    char *buf = (char *)wmem_alloc(pinfo->pool, MAX_ADDR_STR_LEN + 8);
    msstun_endpoint_buf(ep, buf, MAX_ADDR_STR_LEN + 8);
    return buf;
}

/* RFC 5389 15.1/15.2, [MS-TURN] 2.2.2.1/2.2.2.16, on the message tvb at o
 * (length checked against the table already). XOR key: header bytes 4..19,
 * which is cookie+TID for RFC 5389 and the 128-bit TID for MS-TURN ([MS-TURN]
 * 2.2.2.16 XORs with the transaction ID, not with a constant). */
static void
dissect_address(msstun_msg_t *m, const msstun_attr_def_t *def, tvbuff_t *tvb, int o, int len,
                proto_tree *tree, proto_item *ai, gboolean xored)
{
    guint8 family = msstun_get_u8(tvb, o + 1);
    int alen = family == 1 ? 4 : family == 2 ? 16 : 0;
    msstun_endpoint_t *ep = &m->ep[def->slot];
    guint8 raw[16];
    guint16 port;

    if (tree) {
        proto_tree_add_item(tree, hf_msstun_att_reserved, tvb, o + 0, 1, ENC_NA);
        proto_tree_add_item(tree, hf_msstun_att_family, tvb, o + 1, 1, ENC_BIG_ENDIAN);
    }
    if (alen == 0) {
        /* the port does not depend on the family: show it, then the rest as bytes */
        msstun_msg_expert(m, ai, &ei_msstun_att_bad_family,
                               "Unknown address family 0x%02x", family);
        if (xored) {
            proto_tree_add_item(tree, hf_msstun_att_port_xord, tvb, o + 2, 2, ENC_NA);
            proto_item_set_generated(proto_tree_add_uint(tree, hf_msstun_att_port, tvb, o + 2, 2,
                                                         tvb_get_ntohs(tvb, o + 2) ^ tvb_get_ntohs(tvb, 4)));
        } else {
            proto_tree_add_item(tree, hf_msstun_att_port, tvb, o + 2, 2, ENC_BIG_ENDIAN);
        }
        if (len > 4)
            proto_tree_add_item(tree, hf_msstun_value, tvb, o + 4, len - 4, ENC_NA);
        return;
    }
    if (len != 4 + alen) {
        msstun_msg_expert(m, ai, &ei_msstun_att_bad_length,
                               "%s: length %d does not match family %s (%d)", def->name, len,
                               family == 1 ? "IPv4" : "IPv6", 4 + alen);
        if (len < 4 + alen)
            return;
    }
    port = tvb_get_ntohs(tvb, o + 2);
    tvb_memcpy(tvb, raw, o + 4, alen);
    if (xored) {
        guint8 key[16];
        tvb_memcpy(tvb, key, 4, 16);
        port ^= (guint16)((key[0] << 8) | key[1]);
        for (int i = 0; i < alen; i++)
            raw[i] ^= key[i];
    }
    ep->valid = TRUE;
    ep->port = port;
    alloc_address_wmem(m->pinfo->pool, &ep->addr, alen == 4 ? AT_IPv4 : AT_IPv6, alen, raw);
    if (!tree)
        return;
    if (xored) {
        proto_item *gi;
        proto_tree_add_item(tree, hf_msstun_att_port_xord, tvb, o + 2, 2, ENC_NA);
        gi = proto_tree_add_uint(tree, hf_msstun_att_port, tvb, o + 2, 2, port);
        proto_item_set_generated(gi);
        proto_tree_add_item(tree, alen == 4 ? hf_msstun_att_ipv4_xord : hf_msstun_att_ipv6_xord, tvb, o + 4, alen, ENC_NA);
        if (alen == 4) {
            ws_in4_addr v4;
            memcpy(&v4, raw, 4);
            gi = proto_tree_add_ipv4(tree, hf_msstun_att_ipv4, tvb, o + 4, 4, v4);
        } else
            gi = proto_tree_add_ipv6(tree, hf_msstun_att_ipv6, tvb, o + 4, 16, (const ws_in6_addr *)raw);
        proto_item_set_generated(gi);
    } else {
        proto_tree_add_item(tree, hf_msstun_att_port, tvb, o + 2, 2, ENC_BIG_ENDIAN);
        proto_tree_add_item(tree, alen == 4 ? hf_msstun_att_ipv4 : hf_msstun_att_ipv6, tvb, o + 4, alen,
                            alen == 4 ? ENC_BIG_ENDIAN : ENC_NA);
    }
    proto_item_append_text(ai, ": %s", msstun_endpoint_str(m->pinfo, ep));
}

/* ---- Custom decoders (referenced from attr_table.c) ---------------------- */
/* Each decoder reads the message tvb at the value's offset o, for len bytes:
 * the table's min_len covers every fixed offset a decoder reads, and variable
 * ones loop on len (attrs.c, decode_value). */
#define DECODER(name) \
    void name(msstun_msg_t *m, const msstun_attr_def_t *def, tvbuff_t *tvb, int o, int len, proto_tree *tree, proto_item *ai); \
    void name(msstun_msg_t *m _U_, const msstun_attr_def_t *def _U_, tvbuff_t *tvb _U_, int o _U_, int len _U_, proto_tree *tree _U_, proto_item *ai _U_)

/* A string the Info column or a tracker reads. The tree item only when a
 * shown tree or a filter wants it: UTF-8 conversion through the tree costs
 * several times a copy, and STUN's strings are nearly always printable ASCII,
 * which UTF-8 decoding would return unchanged. */
static const char *
add_string(tvbuff_t *tvb, int o, int len, proto_tree *tree, int hf, packet_info *pinfo, proto_item *ai)
{
    const guint8 *s = NULL, *p;

    if (proto_field_is_referenced(tree, hf)) {
        proto_tree_add_item_ret_string(tree, hf, tvb, o, len, ENC_UTF_8 | ENC_NA, pinfo->pool, &s);
        if (s && ai)
            proto_item_append_text(ai, ": %s", (const char *)s);
        return (const char *)s;
    }
    p = tvb_get_ptr(tvb, o, len);
    for (int i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7E)
            return (const char *)tvb_get_string_enc(pinfo->pool, tvb, o, len, ENC_UTF_8 | ENC_NA);
    return wmem_strndup(pinfo->pool, (const char *)p, len);
}

DECODER(msstun_dec_change_request)
{
    proto_tree_add_item(tree, hf_msstun_att_change_ip, tvb, o + 2, 2, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_change_port, tvb, o + 2, 2, ENC_BIG_ENDIAN);
}

/* RFC 5389: UTF-8. RFC 3489 and [MS-TURN]: opaque (MS-TURN carries a binary
 * [MS-AVEDGEA] token), so show text only when it is text. */
DECODER(msstun_dec_username)
{
    if (m->format == MSSTUN_FMT_RFC5389 || tvb_utf_8_isprint(tvb, o, len))
        m->username = add_string(tvb, o, len, tree, hf_msstun_att_username, m->pinfo, ai);
    else
        proto_tree_add_item(tree, hf_msstun_att_username_opaque, tvb, o, len, ENC_NA);
}

DECODER(msstun_dec_integrity)
{
    if (m->seen_mi) {
        /* a second MI, e.g. MI-SHA256 after MI: RFC 8489 14.6 allows both */
    }
    m->seen_mi = TRUE;
    m->mi_offset = o - ATTR_HDR_LEN;
    m->mi_len = len;
    m->mi_type = def->type;
    proto_tree_add_item(tree, (def->type == MSSTUN_A_MI_SHA256 || len == 32) ? hf_msstun_att_hmac_sha256
                                                                            : hf_msstun_att_hmac,
                        tvb, o, len, ENC_NA);
    if (def->type == MSSTUN_A_MI_SHA256)
        proto_item_set_hidden(proto_tree_add_item(tree, hf_msstun_value, tvb, o, len, ENC_NA));
}

DECODER(msstun_dec_error_code)
{
    guint8 cls = msstun_get_u8(tvb, o + 2) & 0x07;
    guint8 num = msstun_get_u8(tvb, o + 3);
    guint16 code = cls * 100 + num;
    proto_item *gi;
    const char *name;

    proto_tree_add_item(tree, hf_msstun_att_reserved, tvb, o, 2, ENC_NA);
    proto_tree_add_item(tree, hf_msstun_att_error_class, tvb, o + 2, 1, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_error, tvb, o + 3, 1, ENC_BIG_ENDIAN);
    gi = proto_tree_add_uint(tree, hf_msstun_att_error_code, tvb, o + 2, 2, code);
    proto_item_set_generated(gi);
    m->error_code = code;
    name = try_val_to_str(code, msstun_error_names);
    proto_item_append_text(ai, ": %u (%s)", code, name ? name : "Unknown");
    if (len > 4) {
        const guint8 *s = NULL;
        proto_tree_add_item_ret_string(tree, hf_msstun_att_error_reason, tvb, o + 4, len - 4,
                                       ENC_UTF_8 | ENC_NA, m->pinfo->pool, &s);
        m->error_reason = (const char *)s;
        if (s)
            proto_item_append_text(ai, " %s", (const char *)s);
    }
    if (cls < 3 || cls > 6 || num > 99)
        msstun_msg_expert(m, ai, &ei_msstun_att_value,
                               "ERROR-CODE class %u number %u is out of range (class 3-6, number 0-99)", cls, num);
}

DECODER(msstun_dec_unknown_attrs)
{
    for (int off = 0; off + 2 <= len; off += 2) {
        guint16 t = tvb_get_ntohs(tvb, o + off);
        proto_item *it = proto_tree_add_item(tree, hf_msstun_att_unknown, tvb, o + off, 2, ENC_BIG_ENDIAN);
        if (!m->has_unknown_attr) {
            m->has_unknown_attr = TRUE;
            m->unknown_attr = t;
        }
        (void)it;
    }
    if (len & 1)
        msstun_msg_expert0(m, ai, &ei_msstun_att_bad_length);
}

DECODER(msstun_dec_channel_number)
{
    guint16 ch = tvb_get_ntohs(tvb, o);
    proto_tree_add_item(tree, hf_msstun_att_channelnum, tvb, o, 2, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_reserved, tvb, o + 2, 2, ENC_NA);
    m->has_channel = TRUE;
    m->channel = ch;
    proto_item_append_text(ai, ": 0x%04x", ch);
    /* RFC 8656 12: 0x4000-0x4FFF; RFC 5766 allowed up to 0x7FFF. Said once, on
     * the binding, not on every ChannelData frame that uses the channel. */
    if (ch < 0x4000 || ch > 0x7FFF)
        msstun_msg_expert(m, ai, &ei_msstun_att_value,
                               "Channel number 0x%04x is outside 0x4000-0x7FFF", ch);
    else if (ch >= 0x5000)
        msstun_msg_expert0(m, ai, &ei_msstun_channel_reserved);
}

/* [MS-TURN] 2.2.2.8: value 0x72C64BC6, first attribute of every message */
DECODER(msstun_dec_magic_cookie)
{
    guint32 v = tvb_get_ntohl(tvb, o);
    proto_tree_add_item(tree, hf_msstun_att_magic_cookie, tvb, o, 4, ENC_BIG_ENDIAN);
    if (v != MSSTUN_MS_COOKIE)
        msstun_msg_expert(m, ai, &ei_msstun_magic_cookie_value,
                               "MAGIC-COOKIE is 0x%08x, [MS-TURN] 2.2.2.8 requires 0x72c64bc6", v);
    if (m->attr_count != 1)
        msstun_msg_expert0(m, ai, &ei_msstun_magic_cookie_not_first);
}

DECODER(msstun_dec_data)
{
    m->data_offset = o - ATTR_HDR_LEN;
    m->data_len = len;
    proto_tree_add_item(tree, hf_msstun_att_data, tvb, o, len, ENC_NA);
    if (len)
        proto_item_set_hidden(proto_tree_add_item(tree, hf_msstun_value, tvb, o, len, ENC_NA));
    proto_item_append_text(ai, ": %d bytes", len);
    /* the payload is handed on by header.c once the whole message is shown */
}

DECODER(msstun_dec_address_family)
{
    proto_tree_add_item(tree, hf_msstun_att_family, tvb, o, 1, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_reserved, tvb, o + 1, 3, ENC_NA);
    proto_item_append_text(ai, ": %s", val_to_str_const(msstun_get_u8(tvb, o), family_vals, "Unknown"));
}

DECODER(msstun_dec_even_port)
{
    proto_tree_add_item(tree, hf_msstun_att_reserve_next, tvb, o, 1, ENC_BIG_ENDIAN);
}

static const value_string transport_vals[] = { { 17, "UDP" }, { 6, "TCP" }, { 0, NULL } };

DECODER(msstun_dec_transport)
{
    m->has_transport = TRUE;
    m->transport = msstun_get_u8(tvb, o);
    proto_tree_add_item(tree, hf_msstun_att_transp, tvb, o, 1, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_reserved, tvb, o + 1, 3, ENC_NA);
    proto_item_append_text(ai, ": %s", val_to_str_const(m->transport, transport_vals, "Unknown"));
}

/* RFC 8489 14.11/14.12: one algorithm, or a list of them */
DECODER(msstun_dec_pw_alg)
{
    int off = 0;
    while (off + 4 <= len) {
        guint16 plen = tvb_get_ntohs(tvb, o + off + 2);
        proto_tree_add_item(tree, hf_msstun_att_pw_alg, tvb, o + off, 2, ENC_BIG_ENDIAN);
        proto_tree_add_item(tree, hf_msstun_att_pw_alg_len, tvb, o + off + 2, 2, ENC_BIG_ENDIAN);
        off += 4;
        if (plen > len - off) {
            msstun_msg_expert0(m, ai, &ei_msstun_att_bad_length);
            return;
        }
        if (plen)
            proto_tree_add_item(tree, hf_msstun_att_pw_alg_data, tvb, o + off, plen, ENC_NA);
        off += (plen + MSSTUN_PAD4(plen));
    }
}

/* RFC 5780 7.6: the built-in shows the length as stun.att.padding */
DECODER(msstun_dec_padding_attr)
{
    proto_tree_add_uint(tree, hf_msstun_att_padding, tvb, o, len, len);
    if (len)
        proto_tree_add_item(tree, hf_msstun_value, tvb, o, len, ENC_NA);
}

DECODER(msstun_dec_userhash)
{
    proto_tree_add_item(tree, hf_msstun_att_userhash, tvb, o, 32, ENC_NA);
    proto_item_set_hidden(proto_tree_add_item(tree, hf_msstun_value, tvb, o, 32, ENC_NA));
}

DECODER(msstun_dec_use_candidate)
{
    m->use_candidate = TRUE;
}

DECODER(msstun_dec_response_port)
{
    proto_tree_add_item(tree, hf_msstun_att_response_port, tvb, o, 2, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_reserved, tvb, o + 2, 2, ENC_NA);
}

DECODER(msstun_dec_connection_id)
{
    m->has_connection_id = TRUE;
    m->connection_id = tvb_get_ntohl(tvb, o);
    proto_tree_add_item(tree, hf_msstun_att_connection_id, tvb, o, 4, ENC_BIG_ENDIAN);
    proto_item_set_hidden(proto_tree_add_item(tree, hf_msstun_value, tvb, o, 4, ENC_NA));   /* the built-in's stun.value */
    proto_item_append_text(ai, ": 0x%08x", m->connection_id);
}

/* RFC 8656 18.12: Family (8) Reserved (13) Class (3) Number (8) Reason */
DECODER(msstun_dec_address_error)
{
    guint16 code = (msstun_get_u8(tvb, o + 2) & 0x07) * 100 + msstun_get_u8(tvb, o + 3);
    proto_tree_add_item(tree, hf_msstun_att_address_error_family, tvb, o, 1, ENC_BIG_ENDIAN);
    proto_tree_add_uint(tree, hf_msstun_att_address_error_code, tvb, o + 2, 2, code);
    if (len > 4)
        proto_tree_add_item(tree, hf_msstun_att_address_error_reason, tvb, o + 4, len - 4, ENC_UTF_8 | ENC_NA);
    proto_item_append_text(ai, ": %u", code);
}

/* RFC 8656 18.13: Reserved (16) | ICMP Type (7) | ICMP Code (9) | Error Data (32).
 * (The built-in reads type and code at bytes 0/1; the RFC diagram does not.) */
DECODER(msstun_dec_icmp)
{
    guint16 tc = tvb_get_ntohs(tvb, o + 2);
    proto_tree_add_uint(tree, hf_msstun_att_icmp_type, tvb, o + 2, 1, tc >> 9);
    proto_tree_add_uint(tree, hf_msstun_att_icmp_code, tvb, o + 2, 2, tc & 0x1FF);
    proto_tree_add_item(tree, hf_msstun_att_icmp_data, tvb, o + 4, 4, ENC_BIG_ENDIAN);
}

DECODER(msstun_dec_software)
{
    add_string(tvb, o, len, tree, hf_msstun_att_software, m->pinfo, ai);
}

DECODER(msstun_dec_ttc)
{
    proto_tree_add_item(tree, hf_msstun_att_ttc_req, tvb, o + 2, 1, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_ttc_resp, tvb, o + 3, 1, ENC_BIG_ENDIAN);
}

DECODER(msstun_dec_fingerprint)
{
    m->seen_fp = TRUE;
    m->fp_offset = o - ATTR_HDR_LEN;
    msstun_check_fingerprint(m, tree, o - ATTR_HDR_LEN);
}

DECODER(msstun_dec_ice_role)
{
    m->ice_role = def->type == MSSTUN_A_ICE_CONTROLLING ? 1 : 2;
    m->tie_breaker = tvb_get_ntoh64(tvb, o);
    proto_tree_add_item(tree, hf_msstun_att_tie_breaker, tvb, o, 8, ENC_NA);
}

/* [MS-TURN] 2.2.2.21: Connection ID (20 bytes) + Sequence Number (32 bits).
 * Teams also sends the sequence number alone (4 bytes, protocol.md f.5): a
 * deviation on working calls, so a note; any other length is malformed. */
DECODER(msstun_dec_ms_sequence)
{
    int seq_off = len - 4;

    if (len != 4 && len != 24) {
        msstun_msg_expert(m, ai, &ei_msstun_att_bad_length,
                               "MS-SEQUENCE-NUMBER: length %d, expected 24 (or 4, as Teams sends it)", len);
        proto_tree_add_item(tree, hf_msstun_value, tvb, o, len, ENC_NA);
        return;
    }
    if (len == 24)
        proto_tree_add_item(tree, hf_msstun_att_ms_connection_id, tvb, o, 20, ENC_NA);
    else
        msstun_msg_expert(m, ai, &ei_msstun_att_ms_deviation,
                               "MS-SEQUENCE-NUMBER of 4 bytes: the sequence number without the 20-byte "
                               "Connection ID of [MS-TURN] 2.2.2.21 (as Teams sends it)");
    proto_tree_add_item(tree, hf_msstun_att_ms_sequence_number, tvb, o + seq_off, 4, ENC_BIG_ENDIAN);
    proto_item_append_text(ai, ": %u", tvb_get_ntohl(tvb, o + seq_off));
}

/* Microsoft attributes whose layout no spec gives (0x8006, 0x8033, 0x8036,
 * App ID 0x8037, Secure Tag 0x8039): the bytes, and a 4-byte value as a
 * number too (Teams sends App ID 2, 0x8036 1, 0x8006 1) */
DECODER(msstun_dec_ms_opaque)
{
    if (len == 0)
        return;
    proto_tree_add_item(tree, def->type == 0x8006 ? hf_msstun_att_unknown8006 : hf_msstun_value, tvb, o, len, ENC_NA);
    if (len == 4) {
        guint32 v = tvb_get_ntohl(tvb, o);
        proto_item_set_generated(proto_tree_add_uint(tree, hf_msstun_att_ms_value32, tvb, o, 4, v));
        proto_item_append_text(ai, ": %u", v);
    }
}

/* [MS-ICE2] 2.2.2.1: the foundation, zero-padded to 4 inside the value */
DECODER(msstun_dec_candidate_id)
{
    int slen = 0;
    while (slen < len && msstun_get_u8(tvb, o + slen) != 0)
        slen++;
    m->ms_ice2 = TRUE;
    if (slen)
        add_string(tvb, o, slen, tree, hf_msstun_att_ms_foundation, m->pinfo, ai);
}

/* [MS-TURN] 2.2.2.22: stream type 1-4, quality 0-1; Teams sends quality 2
 * on working calls (protocol.md f.5): a note, not an error */
DECODER(msstun_dec_service_quality)
{
    guint16 stream = tvb_get_ntohs(tvb, o), quality = tvb_get_ntohs(tvb, o + 2);

    proto_tree_add_item(tree, hf_msstun_att_ms_stream_type, tvb, o, 2, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_ms_service_quality, tvb, o + 2, 2, ENC_BIG_ENDIAN);
    if (stream < 1 || stream > 4 || quality > 1)
        msstun_msg_expert(m, ai, &ei_msstun_att_ms_deviation,
                               "MS-SERVICE-QUALITY stream type %u, quality %u: [MS-TURN] 2.2.2.22 defines "
                               "stream types 1-4 and qualities 0-1", stream, quality);
}

DECODER(msstun_dec_bw_acm)
{
    proto_tree_add_item(tree, hf_msstun_att_reserved, tvb, o, 2, ENC_NA);
    proto_tree_add_item(tree, hf_msstun_att_bandwidth_acm_type, tvb, o + 2, 2, ENC_BIG_ENDIAN);
}

/* [MS-TURNBWM] 2.2.3: the diagram starts with Minimum Send Bandwidth; we
 * follow the spec order MinSend, MaxSend, MinRecv, MaxRecv (the built-in
 * reads MaxSend first). tests/ says which source each value follows. */
DECODER(msstun_dec_bw_amount)
{
    proto_tree_add_item(tree, hf_msstun_att_bw_misb, tvb, o, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_bw_masb, tvb, o + 4, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_bw_mirb, tvb, o + 8, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_bw_marb, tvb, o + 12, 4, ENC_BIG_ENDIAN);
}

DECODER(msstun_dec_site_response)
{
    proto_tree_add_item(tree, hf_msstun_att_address_rp_valid, tvb, o, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_address_rp_pstn, tvb, o, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_address_rp_reserved, tvb, o, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_address_rp_masb, tvb, o + 4, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_address_rp_marb, tvb, o + 8, 4, ENC_BIG_ENDIAN);
}

DECODER(msstun_dec_location_profile)
{
    proto_tree_add_item(tree, hf_msstun_att_lp_peer_location, tvb, o, 1, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_lp_self_location, tvb, o + 1, 1, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_lp_federation, tvb, o + 2, 1, ENC_BIG_ENDIAN);
}

DECODER(msstun_dec_goog_network)
{
    proto_tree_add_item(tree, hf_msstun_att_google_network_id, tvb, o, 2, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_msstun_att_google_network_cost, tvb, o + 2, 2, ENC_BIG_ENDIAN);
}

/* ---- The loop ------------------------------------------------------------ */

static void
decode_value(msstun_msg_t *m, const msstun_attr_def_t *def, int val_off, int len, proto_tree *at, proto_item *ai)
{
    tvbuff_t *tvb = m->tvb;
    int o = val_off + ATTR_HDR_LEN;

    /* every encoding reads the message tvb at a length the table checked */
    switch (def->enc) {
    case MSSTUN_ENC_NONE:
        break;
    case MSSTUN_ENC_BYTES:
        if (len)
            proto_tree_add_item(at, *def->hf, tvb, o, len, ENC_NA);
        break;
    case MSSTUN_ENC_STRING:
        /* a fact by its presence only (NONCE) is not copied unless the tree wants its text */
        if (def->has >= 0)
            *(gboolean *)((guint8 *)m + def->has) = TRUE;
        if (def->fact >= 0 || proto_field_is_referenced(at, *def->hf)) {
            const char *str = add_string(tvb, o, len, at, *def->hf, m->pinfo, ai);
            if (def->fact >= 0)
                *(const char **)((guint8 *)m + def->fact) = str;
        }
        break;
    case MSSTUN_ENC_U32:
        if (def->fact >= 0) {
            guint32 v = tvb_get_ntohl(tvb, o);
            *(guint32 *)((guint8 *)m + def->fact) = v;
            *(gboolean *)((guint8 *)m + def->has) = TRUE;
            if (ai)
                proto_item_append_text(ai, ": %u", v);
        }
        proto_tree_add_item(at, *def->hf, tvb, o, len, ENC_BIG_ENDIAN);
        break;
    case MSSTUN_ENC_U64:
        proto_tree_add_item(at, *def->hf, tvb, o, len, ENC_BIG_ENDIAN);
        break;
    case MSSTUN_ENC_ADDR:
    case MSSTUN_ENC_XADDR:
        dissect_address(m, def, tvb, o, len, at, ai, def->enc == MSSTUN_ENC_XADDR);
        break;
    case MSSTUN_ENC_CUSTOM:
        /* The table's lengths keep every decoder inside its value (no
         * sub-tvb per attribute: it cost more than most decoders). A value
         * the snap length cut throws BoundsError like any short capture. */
        def->decode(m, def, tvb, o, len, at, ai);
        break;
    }
}

static gboolean
is_fact(const msstun_attr_def_t *def)
{
    return (def->flags & MSSTUN_AF_FACT) ||
           ((def->enc == MSSTUN_ENC_ADDR || def->enc == MSSTUN_ENC_XADDR) && def->slot != MSSTUN_ADDR_OTHER);
}

/* No tree (tshark summary, the GUI's first pass): only what the Info column
 * and the trackers need; the checks that only feed expert infos wait for a tree. */
static void
attributes_facts(msstun_msg_t *m, int offset, int end, gboolean padded)
{
    tvbuff_t *tvb = m->tvb;

    while (end - offset >= ATTR_HDR_LEN && m->attr_count < MSSTUN_MAX_ATTRS_SHOWN) {
        guint32 hdr = tvb_get_ntohl(tvb, offset);
        guint16 type = (guint16)(hdr >> 16), len = (guint16)hdr;
        const msstun_attr_def_t *def;

        if (len > end - offset - ATTR_HDR_LEN)
            return;
        m->attr_count++;
        def = msstun_attr_lookup(type, m->format);
        if (def && len >= def->min_len && len <= def->max_len && is_fact(def)) {
            decode_value(m, def, offset, len, NULL, NULL);
        } else if (type == MSSTUN_A_FINGERPRINT && len == 4 &&
                   (!PINFO_FD_VISITED(m->pinfo) || msstun_want_expert(m, NULL))) {
            /* its receiver drops a message with a bad one: the media-path model must know */
            msstun_check_fingerprint(m, NULL, offset);
        }
        offset += ATTR_HDR_LEN + len + (padded ? MSSTUN_PAD4(len) : 0);
    }
}

/* Do the attributes from offset fill the message exactly, read with or without padding? */
static gboolean
attributes_tile(tvbuff_t *tvb, int offset, int end, gboolean padded)
{
    int n = 0;

    while (end - offset >= ATTR_HDR_LEN && n++ < MSSTUN_MAX_ATTRS_SHOWN) {
        int len = tvb_get_ntohs(tvb, offset + 2);
        if (len > end - offset - ATTR_HDR_LEN)
            return FALSE;
        offset += ATTR_HDR_LEN + len + (padded ? MSSTUN_PAD4(len) : 0);
    }
    return offset == end;
}

/* [MS-TURN] never pads. A vendor method (type 0x0800 and up: methods 0x200+,
 * none IANA-assigned) whose attributes do not tile padded but do unpadded is
 * a dialect without padding (a messenger's 0x0800/0x0801): read it that way
 * rather than walk into the middle of values. Everything else is padded. */
static gboolean
attributes_padded(msstun_msg_t *m, int offset, int end)
{
    if (m->format == MSSTUN_FMT_MSTURN)
        return FALSE;
    m->vendor = m->method >= 0x200 && m->method < 0x1000;
    /* (a message the snap length cut cannot be judged: padded, as before) */
    if (!m->vendor || (int)tvb_captured_length(m->tvb) < end || attributes_tile(m->tvb, offset, end, TRUE))
        return TRUE;
    return !attributes_tile(m->tvb, offset, end, FALSE);
}

void
msstun_dissect_attributes(msstun_msg_t *m, proto_tree *tree, int offset, int end)
{
    tvbuff_t *tvb = m->tvb;
    gboolean padded = attributes_padded(m, offset, end);
    gboolean want_type, want_bits, want_len, want_pad;

    m->unpadded = !padded;
    if (m->unpadded && m->vendor && tree)
        proto_tree_add_expert_format(tree, m->pinfo, &ei_msstun_vendor_unpadded, tvb, offset, end - offset,
                                     "Vendor method 0x%03x: attributes read without padding (they tile the "
                                     "message only that way)", m->method);
    if (!tree) {
        attributes_facts(m, offset, end, padded);
        return;
    }
    /* A shown tree wants every item; a tree built for a filter only the ones
     * it names (Wireshark would fake the others): asked once per message
     * instead of inside four calls per attribute. */
    want_type = proto_field_is_referenced(tree, hf_msstun_att_type) || proto_field_is_referenced(tree, hf_msstun_att_type_ms);
    want_bits = proto_field_is_referenced(tree, hf_msstun_att_type_comprehension) ||
                proto_field_is_referenced(tree, hf_msstun_att_type_assignment);
    want_len = proto_field_is_referenced(tree, hf_msstun_att_length);
    want_pad = proto_field_is_referenced(tree, hf_msstun_att_padding);
    while (offset < end) {
        proto_item *ai;
        proto_tree *at;

        /* a 64 KB message can hold 16,000 empty attributes: show a bounded number */
        if (m->attr_count == MSSTUN_MAX_ATTRS_SHOWN) {
            proto_tree_add_expert_format(tree, m->pinfo, &ei_msstun_att_too_many, tvb, offset, end - offset,
                                         "More than %d attributes: the remaining %d bytes are not decoded",
                                         MSSTUN_MAX_ATTRS_SHOWN, end - offset);
            msstun_msg_problem(m, MSSTUN_V_WARNING, "more attributes than are decoded");
            return;
        }
        const msstun_attr_def_t *def;
        guint32 hdr;
        guint16 type, len;
        int avail, pad;

        if (end - offset < ATTR_HDR_LEN) {
            proto_tree_add_expert_format(tree, m->pinfo, &ei_msstun_att_truncated, tvb, offset, end - offset,
                                         "Truncated attribute header (%d bytes)", end - offset);
            msstun_msg_problem(m, MSSTUN_V_FAILED, "truncated attribute header");
            return;
        }
        hdr = tvb_get_ntohl(tvb, offset);
        type = (guint16)(hdr >> 16);
        len = (guint16)hdr;
        avail = end - offset - ATTR_HDR_LEN;
        pad = padded ? MSSTUN_PAD4(len) : 0;
        def = msstun_attr_lookup(type, m->format);
        m->attr_count++;

        /* The attribute's own line is msstun.attribute (the built-in's stun.attribute,
         * the type again), labelled with its name as in the built-in; the type code
         * is on the line below. add_uint with the values read above: add_item would
         * read and check the same bytes again for each of these five items. */
        ai = proto_tree_add_uint_format(tree, m->format == MSSTUN_FMT_MSTURN ? hf_msstun_attribute_ms : hf_msstun_attribute,
                                        tvb, offset, ATTR_HDR_LEN + MIN(len + pad, avail), type, "%s",
                                        def ? def->name : "Unknown attribute");
        at = proto_item_add_subtree(ai, ett_msstun_att);
        if (want_type)
            proto_tree_add_uint(at, m->format == MSSTUN_FMT_MSTURN ? hf_msstun_att_type_ms : hf_msstun_att_type,
                                tvb, offset, 2, type);
        /* The type's two top bits are filterable (the built-in's fields) but
         * not printed: they restate the type code above, and two lines per
         * attribute were a third of a -V print (bench/README.md). */
        if (want_bits) {
            proto_item_set_hidden(proto_tree_add_uint(at, hf_msstun_att_type_comprehension, tvb, offset, 2, type));
            proto_item_set_hidden(proto_tree_add_uint(at, hf_msstun_att_type_assignment, tvb, offset, 2, type));
        }
        if (want_len)
            proto_tree_add_uint(at, hf_msstun_att_length, tvb, offset + 2, 2, len);

        /* RFC 5389 15.4/15.5: only FINGERPRINT may follow MESSAGE-INTEGRITY
         * (RFC 8489 adds MESSAGE-INTEGRITY-SHA256), nothing follows FINGERPRINT */
        if (m->seen_fp)
            msstun_msg_expert0(m, ai, &ei_msstun_att_after_fp);
        else if (m->seen_mi && type != MSSTUN_A_FINGERPRINT && type != MSSTUN_A_MI_SHA256)
            msstun_msg_expert0(m, ai, &ei_msstun_att_after_mi);

        if (len > avail) {
            msstun_msg_expert(m, ai, &ei_msstun_att_overrun,
                                   "Attribute length %u goes past the end of the message (%d bytes left)",
                                   len, avail);
            if (avail > 0)
                proto_tree_add_item(at, hf_msstun_value, tvb, offset + ATTR_HDR_LEN, avail, ENC_NA);
            return;
        }
        if (!def) {
            if (len)
                proto_tree_add_item(at, hf_msstun_value, tvb, offset + ATTR_HDR_LEN, len, ENC_NA);
            /* in a vendor message the vendor defines its attributes: not a fault */
            if (type < 0x8000 && m->vendor)
                msstun_msg_expert(m, ai, &ei_msstun_unknown_attribute_vendor,
                                       "Attribute 0x%04x of vendor method 0x%03x (not IANA-registered)",
                                       type, m->method);
            else if (type < 0x8000)
                msstun_msg_expert(m, ai, &ei_msstun_unknown_attribute,
                                       "Unknown comprehension-required attribute 0x%04x", type);
        } else if (len < def->min_len || len > def->max_len) {
            msstun_msg_expert(m, ai, len > def->max_len ? &ei_msstun_long_attribute : &ei_msstun_att_bad_length,
                                   "%s: length %u, expected %u..%u", def->name, len, def->min_len, def->max_len);
            if (len)
                proto_tree_add_item(at, hf_msstun_value, tvb, offset + ATTR_HDR_LEN, len, ENC_NA);
        } else if (def->hf && !is_fact(def) && !msstun_tree_visible(tree) && !proto_field_is_referenced(tree, *def->hf)) {
            /* a filter-only tree (tshark -Y, coloring) that does not ask for this value */
        } else {
            decode_value(m, def, offset, len, at, ai);
        }

        if (pad) {
            if (pad > avail - len) {
                msstun_msg_expert(m, ai, &ei_msstun_att_padding,
                                       "Attribute padding missing: %d bytes needed, %d left", pad, avail - len);
                return;
            }
            if (want_pad)
                proto_tree_add_uint(at, hf_msstun_att_padding, tvb, offset + ATTR_HDR_LEN + len, pad, pad);
        }
        offset += ATTR_HDR_LEN + len + pad;
    }
}

/* ---- Payload hand-off ---------------------------------------------------- */

/* RTCP that is clear fills its bytes with whole packets (RFC 3550 6.1);
 * SRTCP (RFC 3711 3.4) adds the E flag and index and an authentication tag
 * behind the compound packet, and encrypts all but its first header. */
static gboolean
rtcp_tiles(tvbuff_t *tvb)
{
    int len = tvb_reported_length(tvb), off = 0;

    while (off + 4 <= len) {
        guint8 b0 = msstun_get_u8(tvb, off), pt = msstun_get_u8(tvb, off + 1);
        if ((b0 >> 6) != 2 || pt < 192 || pt > 223)
            return FALSE;
        off += 4 * (tvb_get_ntohs(tvb, off + 2) + 1);
    }
    return off == len;
}

/* An RTP conversation set up for this flow (DTLS-SRTP by the DTLS
 * dissector, SDP, ...): the RTP and RTCP dissectors know from it whether the
 * media is SRTP, with the key RTP itself uses to find it. */
static gboolean
media_setup_known(packet_info *pinfo)
{
    static int proto_rtp_id = -2;
    conversation_t *c;

    if (proto_rtp_id == -2)
        proto_rtp_id = proto_get_id_by_filter_name("rtp");
    if (proto_rtp_id < 0)
        return FALSE;
    c = find_conversation(pinfo->num, &pinfo->net_dst, &pinfo->net_src, CONVERSATION_UDP, pinfo->destport,
                          pinfo->srcport, NO_ADDR_B);
    if (c && conversation_get_proto_data(c, proto_rtp_id))
        return TRUE;
    c = find_conversation(pinfo->num, &pinfo->net_src, &pinfo->net_dst, CONVERSATION_UDP, pinfo->srcport,
                          pinfo->destport, NO_ADDR_B);
    return c && conversation_get_proto_data(c, proto_rtp_id);
}

/* Media carried by TCP (TURN over TCP, ICE-TCP) still keys its DTLS-SRTP
 * setup as UDP: the DTLS dissector registers SRTP for UDP only. Let RTP,
 * RTCP and DTLS see the port type they key on, and put it back whatever
 * they throw. */
static void
call_media(dissector_handle_t h, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    port_type saved = pinfo->ptype;

    if (saved == PT_UDP) {
        call_dissector(h, tvb, pinfo, tree);
        return;
    }
    pinfo->ptype = PT_UDP;
    TRY {
        call_dissector(h, tvb, pinfo, tree);
    }
    CATCH_NONFATAL_ERRORS {
        pinfo->ptype = saved;
        show_exception(tvb, pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
    pinfo->ptype = saved;
}

/* A payload dissector that starts with its own separator after our " | "
 * (DTLS appends its records with ", ") would read "... | , Client Hello". */
static void
tidy_payload_info(packet_info *pinfo, size_t mark)
{
    const char *text = pinfo->cinfo ? col_get_text(pinfo->cinfo, COL_INFO) : NULL;
    char *head, *rest;

    if (!text || strncmp(text + MIN(mark, strlen(text)), " | , ", 5) != 0)
        return;
    head = wmem_strndup(pinfo->pool, text, mark + 3);
    rest = wmem_strdup(pinfo->pool, text + mark + 5);
    col_clear_fence(pinfo->cinfo, COL_INFO);
    col_add_str(pinfo->cinfo, COL_INFO, head);
    col_set_fence(pinfo->cinfo, COL_INFO);
    col_append_str(pinfo->cinfo, COL_INFO, rest);
}

void
msstun_handoff_payload(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int depth,
                       gboolean over_tcp, gboolean datagram)
{
    msstun_handoff_payload_in(tvb, pinfo, tree, depth, over_tcp, datagram, NULL);
}

/* Relayed bytes (DATA, ChannelData, MS-TURN end-to-end data, ICE-TCP frames,
 * RFC 6062 peer data): STUN first (ICE checks through TURN), then registered
 * heuristics, then RFC 7983's first-byte demultiplexing (DTLS, RTP/RTCP,
 * ZRTP), then data. SRTCP that no setup in the capture announced is not
 * parsed as clear RTCP. */
void
msstun_handoff_payload_in(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int depth,
                          gboolean over_tcp, gboolean datagram, const msstun_msg_t *parent)
{
    static dissector_handle_t zrtp_handle;
    int len = tvb_reported_length(tvb);
    heur_dtbl_entry_t *hdtbl_entry;
    dissector_handle_t next = NULL;
    msstun_class_t cls;
    const char *info;
    size_t mark;

    if (len == 0)
        return;
    /* keep our Info text; what the payload's dissector writes follows it */
    info = pinfo->cinfo ? col_get_text(pinfo->cinfo, COL_INFO) : NULL;
    mark = info ? strlen(info) : 0;
    col_append_sep_str(pinfo->cinfo, COL_INFO, " | ", "");
    col_set_fence(pinfo->cinfo, COL_INFO);
    cls = msstun_classify(tvb, 0, pinfo, MSSTUN_CL_PAYLOAD);
    if (depth < 4 && cls == MSSTUN_CLS_STUN) {
        dissect_msstun_message_in(tvb, pinfo, tree, over_tcp, depth + 1, parent);
        return;
    }
    msstun_path_media(pinfo, msstun_conv_get(pinfo, FALSE));
    if (dissector_try_heuristic(msstun_heur_subdissectors, tvb, pinfo, tree, &hdtbl_entry, NULL)) {
        tidy_payload_info(pinfo, mark);
        return;
    }
    if (datagram && msstun_pref_rfc7983_demux) {
        switch (cls) {
        case MSSTUN_CLS_DTLS:
            next = len >= 13 ? msstun_dtls_handle : NULL;
            break;
        case MSSTUN_CLS_RTP:
            next = msstun_rtp_handle;
            break;
        case MSSTUN_CLS_RTCP:
            next = media_setup_known(pinfo) || rtcp_tiles(tvb) ? msstun_rtcp_handle : NULL;
            if (!next)
                col_append_str(pinfo->cinfo, COL_INFO, "SRTCP (no setup in the capture), ");
            break;
        case MSSTUN_CLS_ZRTP:
            if (!zrtp_handle)
                zrtp_handle = find_dissector("zrtp");
            next = len >= 12 && tvb_memeql(tvb, 4, (const guint8 *)"ZRTP", 4) == 0 ? zrtp_handle : NULL;
            break;
        default:
            break;
        }
    }
    if (next) {
        call_media(next, tvb, pinfo, tree);
        tidy_payload_info(pinfo, mark);
    } else {
        col_append_fstr(pinfo->cinfo, COL_INFO, "%d bytes of data", len);
        call_dissector(msstun_data_handle, tvb, pinfo, tree);
    }
}
