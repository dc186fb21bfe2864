/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tls.c - STUN/TURN inside TLS and DTLS, and the [MS-TURN] 2.1.1
 * "pseudo-TLS" handshake.
 *
 * TLS / DTLS (RFC 8656 3.1, RFC 7443, RFC 6062 over TLS): Wireshark's TLS
 * and DTLS dissectors decrypt the records (with a key log) and hand the
 * plaintext to one application dissector per session, chosen by ALPN, by
 * the tls.port / dtls.port tables or by a heuristic. msstun registers in all
 * three; the plaintext then goes through the same TCP (TLS) or UDP (DTLS)
 * entries as in the clear, so framing, reassembly (TLS reassembles for
 * tcp_dissect_pdus), ChannelData padding, tracking, integrity and diagnosis
 * are the same. ALPN "stun.turn" is also claimed by the built-in turnchannel
 * dissector: plugins register after the built-ins, so msstun's entry wins.
 *
 * Pseudo-TLS ([MS-TURN] 2.1.1): Lync / Skype for Business clients and edge
 * servers on TCP 443 exchange a fixed, TLS-looking handshake - the client a
 * ClientHello (a TLS record, or an SSLv2-style CLIENT-HELLO), the server one
 * handshake record with a ServerHello (and ServerHelloDone) - and nothing is
 * encrypted after it: the connection then carries [MS-TURN] 2.1.4 frames.
 * A ClientHello without extensions is the candidate; the server's answer
 * decides: a record holding only ServerHello [+ ServerHelloDone] makes it
 * pseudo-TLS, anything else hands the connection (back) to TLS, which gets
 * every frame of it on a second pass. On TCP 443 msstun stands in front of
 * TLS's port entry; on other ports it is a heuristic.
 */
#include "msstun.h"

#include <epan/dissectors/packet-tcp.h>
#include <epan/dissectors/packet-tls-utils.h>

#define PTLS_HTTPS_PORT 443

/* Forms of the two hellos (msstun.pseudotls.form) */
enum {
    PTLS_FORM_NONE = 0,
    PTLS_FORM_MSOC_CLIENT,    /* TLS 1.0 record, length 0x2d, ClientHello, no extensions */
    PTLS_FORM_SSLV2_CLIENT,   /* SSLv2-style CLIENT-HELLO, 80 46 01 03 01 ... */
    PTLS_FORM_OTHER_CLIENT,   /* another extension-less ClientHello record */
    PTLS_FORM_MSOC_SERVER,    /* one record of 0x4e: ServerHello + ServerHelloDone */
    PTLS_FORM_HELLO_SERVER,   /* one record holding a ServerHello only */
    PTLS_FORM_OTHER_SERVER    /* ServerHello + ServerHelloDone of another length */
};

static const value_string ptls_form_vals[] = {
    { PTLS_FORM_MSOC_CLIENT,  "MSOC: TLS 1.0 ClientHello record of 0x2d bytes" },
    { PTLS_FORM_SSLV2_CLIENT, "SSLv2-style CLIENT-HELLO" },
    { PTLS_FORM_OTHER_CLIENT, "TLS ClientHello record without extensions" },
    { PTLS_FORM_MSOC_SERVER,  "MSOC: ServerHello + ServerHelloDone in one record of 0x4e bytes" },
    { PTLS_FORM_HELLO_SERVER, "ServerHello only, one record" },
    { PTLS_FORM_OTHER_SERVER, "ServerHello + ServerHelloDone in one record" },
    { 0, NULL }
};

static const value_string ptls_content_vals[] = { { 22, "Handshake" }, { 0, NULL } };

static const value_string ptls_hs_vals[] = {
    { 1, "ClientHello" }, { 2, "ServerHello" }, { 14, "ServerHelloDone" }, { 0, NULL }
};

enum { PTLS_UNKNOWN = 0, PTLS_PSEUDO, PTLS_TLS };

/* One TCP connection that started with a pseudo-TLS-shaped ClientHello */
typedef struct {
    guint8   verdict;            /* PTLS_* */
    guint8   client_form, server_form;
    address  client;
    guint32  client_port;
    guint32  client_hello_in, server_hello_in;
    guint32  client_hello_len, server_hello_len;
} ptls_conv_t;

static msstun_bool_t pref_pseudotls = TRUE;
static wmem_map_t *ptls_convs;    /* conversation_t * -> ptls_conv_t * */

static dissector_handle_t msstun_tls_app_handle, msstun_dtls_app_handle, ptls_handle, ptls_443_handle;
static dissector_handle_t tls_handle, dtls_handle, next_443_handle;
static dissector_handle_t alpn_tls_handle[2], alpn_dtls_handle[2];
static int proto_alpn_tls = -1, proto_alpn_dtls = -1;
/* who had an ALPN id before msstun (the built-in turnchannel has "stun.turn") */
static dissector_handle_t prev_alpn_tls[2], prev_alpn_dtls[2];
static const char *const alpn_ids[2] = { "stun.turn", "stun.nat-discovery" };

static int hf_ptls_form = -1, hf_ptls_content_type = -1, hf_ptls_version = -1, hf_ptls_length = -1,
    hf_ptls_hs_type = -1, hf_ptls_hs_length = -1, hf_ptls_random = -1, hf_ptls_session_id = -1,
    hf_ptls_cipher_suite = -1, hf_ptls_peer_in = -1, hf_ptls_sslv2_cs_len = -1,
    hf_ptls_sslv2_sid_len = -1, hf_ptls_sslv2_chal_len = -1, hf_ptls_sslv2_cipher = -1,
    hf_ptls_sslv2_challenge = -1;
static gint ett_ptls = -1, ett_ptls_hs = -1;
static expert_field ei_ptls_lengthless = EI_INIT;

/* ---- shapes ---------------------------------------------------------------- */

/* A TLS ClientHello record at offset 0 holding exactly one ClientHello
 * without extensions. Returns its form and sets *len to the record's size;
 * *len > captured bytes means: more bytes needed. */
static guint8
client_hello_form(tvbuff_t *tvb, int *len)
{
    int avail = tvb_captured_length(tvb), off, rlen, n;
    guint8 b0;

    if (avail < 5)
        return PTLS_FORM_NONE;
    b0 = msstun_get_u8(tvb, 0);
    if (b0 == 0x16 && msstun_get_u8(tvb, 1) == 3 && msstun_get_u8(tvb, 2) <= 3) {
        rlen = tvb_get_ntohs(tvb, 3);
        /* client_version + random + sid len + 2 cipher bytes + suites + methods */
        if (rlen < 4 + 2 + 32 + 1 + 2 + 2 + 1 + 1 || rlen > 512)
            return PTLS_FORM_NONE;
        *len = 5 + rlen;
        if (avail < 9)
            return PTLS_FORM_OTHER_CLIENT;
        if (msstun_get_u8(tvb, 5) != 1 || tvb_get_ntoh24(tvb, 6) + 4 != (guint32)rlen)
            return PTLS_FORM_NONE;
        if (avail < *len)
            return PTLS_FORM_OTHER_CLIENT;     /* caller asks for the rest */
        if (msstun_get_u8(tvb, 9) != 3)
            return PTLS_FORM_NONE;
        off = 11 + 32;
        n = msstun_get_u8(tvb, off);          /* session id */
        if (n > 32)
            return PTLS_FORM_NONE;
        off += 1 + n;
        if (off + 2 > *len)
            return PTLS_FORM_NONE;
        n = tvb_get_ntohs(tvb, off);          /* cipher suites */
        if (n < 2 || (n & 1))
            return PTLS_FORM_NONE;
        off += 2 + n;
        if (off + 1 > *len)
            return PTLS_FORM_NONE;
        n = msstun_get_u8(tvb, off);          /* compression methods */
        off += 1 + n;
        /* no extensions: every real TLS 1.2/1.3 client sends some */
        if (n < 1 || off != *len)
            return PTLS_FORM_NONE;
        return rlen == 0x2d ? PTLS_FORM_MSOC_CLIENT : PTLS_FORM_OTHER_CLIENT;
    }
    /* SSLv2-style CLIENT-HELLO: 2-byte header with the top bit set, msg type 1,
     * version 3.x, then cipher-spec, session-id and challenge lengths */
    if ((b0 & 0x80) && avail >= 11 && msstun_get_u8(tvb, 2) == 1 && msstun_get_u8(tvb, 3) == 3 &&
        msstun_get_u8(tvb, 4) <= 3) {
        int cs = tvb_get_ntohs(tvb, 5), sid = tvb_get_ntohs(tvb, 7), chal = tvb_get_ntohs(tvb, 9);
        rlen = ((b0 & 0x7F) << 8) | msstun_get_u8(tvb, 1);
        if (cs == 0 || cs % 3 || (sid != 0 && sid != 16) || chal < 16 || chal > 32 ||
            9 + cs + sid + chal != rlen)
            return PTLS_FORM_NONE;
        *len = 2 + rlen;
        return PTLS_FORM_SSLV2_CLIENT;
    }
    return PTLS_FORM_NONE;
}

/* The server's answer: one handshake record holding a ServerHello, or a
 * ServerHello and an empty ServerHelloDone, and nothing else. */
static guint8
server_hello_form(tvbuff_t *tvb, int *len)
{
    int avail = tvb_captured_length(tvb), rlen, hlen;

    if (avail < 9 || msstun_get_u8(tvb, 0) != 0x16 || msstun_get_u8(tvb, 1) != 3 || msstun_get_u8(tvb, 2) > 3)
        return PTLS_FORM_NONE;
    rlen = tvb_get_ntohs(tvb, 3);
    *len = 5 + rlen;
    if (msstun_get_u8(tvb, 5) != 2)
        return PTLS_FORM_NONE;
    hlen = (int)tvb_get_ntoh24(tvb, 6);
    if (hlen < 38 || hlen + 4 > rlen)
        return PTLS_FORM_NONE;
    if (avail < *len)
        return PTLS_FORM_OTHER_SERVER;        /* caller asks for the rest */
    if (hlen + 4 == rlen)
        return PTLS_FORM_HELLO_SERVER;
    if (hlen + 8 == rlen && tvb_get_ntohl(tvb, 5 + 4 + hlen) == 0x0E000000)
        return rlen == 0x4e ? PTLS_FORM_MSOC_SERVER : PTLS_FORM_OTHER_SERVER;
    return PTLS_FORM_NONE;
}

/* ---- state ---------------------------------------------------------------- */

static ptls_conv_t *
ptls_conv_get(packet_info *pinfo)
{
    conversation_t *c = find_conversation_pinfo(pinfo, 0);
    return c ? (ptls_conv_t *)wmem_map_lookup(ptls_convs, c) : NULL;
}

static ptls_conv_t *
ptls_conv_new(packet_info *pinfo)
{
    conversation_t *c = find_or_create_conversation(pinfo);
    ptls_conv_t *pc = wmem_new0(wmem_file_scope(), ptls_conv_t);

    copy_address_wmem(wmem_file_scope(), &pc->client, &pinfo->src);
    pc->client_port = pinfo->srcport;
    wmem_map_insert(ptls_convs, c, pc);
    return pc;
}

static gboolean
from_client(const ptls_conv_t *pc, packet_info *pinfo)
{
    return pinfo->srcport == pc->client_port && addresses_equal(&pinfo->src, &pc->client);
}

/* ---- the pseudo-TLS dissector ---------------------------------------------- */

static void
add_record_header(proto_tree *t, tvbuff_t *tvb)
{
    proto_tree_add_item(t, hf_ptls_content_type, tvb, 0, 1, ENC_BIG_ENDIAN);
    proto_tree_add_item(t, hf_ptls_version, tvb, 1, 2, ENC_BIG_ENDIAN);
    proto_tree_add_item(t, hf_ptls_length, tvb, 3, 2, ENC_BIG_ENDIAN);
}

static void
show_hello(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const ptls_conv_t *pc, gboolean client, int len)
{
    guint8 form = client ? pc->client_form : pc->server_form;
    guint32 peer = client ? pc->server_hello_in : pc->client_hello_in;
    proto_item *ti, *fi;
    proto_tree *t, *ht;
    int off;

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "MS-TURN");
    col_clear(pinfo->cinfo, COL_INFO);
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "[MS-TURN] pseudo-TLS %s hello (%s)",
                        client ? "client" : "server",
                        form == PTLS_FORM_MSOC_CLIENT || form == PTLS_FORM_MSOC_SERVER ? "MSOC form" :
                        form == PTLS_FORM_SSLV2_CLIENT ? "SSLv2 form" :
                        form == PTLS_FORM_HELLO_SERVER ? "ServerHello-only form" : "other form");
    col_set_fence(pinfo->cinfo, COL_INFO);
    ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, len, ENC_NA);
    proto_item_append_text(ti, ", [MS-TURN] pseudo-TLS handshake, %s hello", client ? "client" : "server");
    t = proto_item_add_subtree(ti, ett_ptls);
    fi = proto_tree_add_uint(t, hf_ptls_form, tvb, 0, len, form);
    proto_item_set_generated(fi);
    if (peer) {
        fi = proto_tree_add_uint(t, hf_ptls_peer_in, tvb, 0, 0, peer);
        proto_item_set_generated(fi);
    }
    if (form == PTLS_FORM_SSLV2_CLIENT) {
        int cs = tvb_get_ntohs(tvb, 5), sid = tvb_get_ntohs(tvb, 7);
        proto_tree_add_uint(t, hf_ptls_length, tvb, 0, 2, tvb_get_ntohs(tvb, 0) & 0x7FFF);
        proto_tree_add_item(t, hf_ptls_hs_type, tvb, 2, 1, ENC_BIG_ENDIAN);
        proto_tree_add_item(t, hf_ptls_version, tvb, 3, 2, ENC_BIG_ENDIAN);
        proto_tree_add_item(t, hf_ptls_sslv2_cs_len, tvb, 5, 2, ENC_BIG_ENDIAN);
        proto_tree_add_item(t, hf_ptls_sslv2_sid_len, tvb, 7, 2, ENC_BIG_ENDIAN);
        proto_tree_add_item(t, hf_ptls_sslv2_chal_len, tvb, 9, 2, ENC_BIG_ENDIAN);
        for (off = 11; off + 3 <= 11 + cs; off += 3)
            proto_tree_add_item(t, hf_ptls_sslv2_cipher, tvb, off, 3, ENC_BIG_ENDIAN);
        proto_tree_add_item(t, hf_ptls_sslv2_challenge, tvb, 11 + cs + sid, len - (11 + cs + sid), ENC_NA);
        return;
    }
    add_record_header(t, tvb);
    for (off = 5; off + 4 <= len;) {
        guint8 type = msstun_get_u8(tvb, off);
        int hlen = (int)tvb_get_ntoh24(tvb, off + 1);
        int end = MIN(off + 4 + hlen, len);
        proto_item *hi = proto_tree_add_item(t, hf_ptls_hs_type, tvb, off, 1, ENC_BIG_ENDIAN);
        ht = proto_item_add_subtree(hi, ett_ptls_hs);
        proto_item_set_len(hi, end - off);
        proto_tree_add_item(ht, hf_ptls_hs_length, tvb, off + 1, 3, ENC_BIG_ENDIAN);
        if ((type == 1 || type == 2) && off + 4 + 2 + 32 + 1 <= end) {
            int sid;
            proto_tree_add_item(ht, hf_ptls_version, tvb, off + 4, 2, ENC_BIG_ENDIAN);
            proto_tree_add_item(ht, hf_ptls_random, tvb, off + 6, 32, ENC_NA);
            sid = msstun_get_u8(tvb, off + 38);
            if (sid && off + 39 + sid <= end)
                proto_tree_add_item(ht, hf_ptls_session_id, tvb, off + 39, sid, ENC_NA);
            if (off + 39 + sid + 2 <= end) {
                int co = off + 39 + sid;
                if (type == 1) {        /* list of suites */
                    int n = tvb_get_ntohs(tvb, co), i;
                    for (i = 0; i + 2 <= n && co + 2 + i + 2 <= end; i += 2)
                        proto_tree_add_item(ht, hf_ptls_cipher_suite, tvb, co + 2 + i, 2, ENC_BIG_ENDIAN);
                } else {
                    proto_tree_add_item(ht, hf_ptls_cipher_suite, tvb, co, 2, ENC_BIG_ENDIAN);
                }
            }
        }
        off = end;
    }
}

static int dissect_ptls_stream(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);

/* Hands bytes after the handshake (in the same segment) to the [MS-TURN]
 * framing; TCP's reassembly offsets are those of the whole segment. */
static int
dissect_after_hello(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int hello_len, void *data)
{
    tvbuff_t *rest;
    int used;

    if (tvb_reported_length(tvb) <= (guint)hello_len)
        return tvb_captured_length(tvb);
    rest = tvb_new_subset_remaining(tvb, hello_len);
    used = dissect_ptls_stream(rest, pinfo, tree, data);
    if (pinfo->desegment_len)
        pinfo->desegment_offset += hello_len;
    return used > 0 ? hello_len + used : (int)tvb_captured_length(tvb);
}

/* libnice (0.1.21, OC2007 TURN over TCP) writes the 2.1.4 type and reserved
 * bytes and then the STUN message, without the length field, and marks its
 * own Allocate as end-to-end data (0x03). Recognised by the STUN header
 * right after the two bytes. */
static gboolean
lengthless_frame_at(tvbuff_t *tvb, int o)
{
    guint8 b0 = msstun_get_u8(tvb, o);

    if ((b0 != 2 && b0 != 3) || msstun_get_u8(tvb, o + 1) != 0 || !tvb_bytes_exist(tvb, o + 2, 28))
        return FALSE;
    if (tvb_get_ntohs(tvb, o + 2) == MSSTUN_HDR_LEN + tvb_get_ntohs(tvb, o + 6))
        return FALSE;     /* a proper 2.1.4 frame with STUN inside */
    if (msstun_get_u8(tvb, o + 2) & 0xC0)
        return FALSE;
    return tvb_get_ntohl(tvb, o + 6) == MSSTUN_COOKIE ||
           (tvb_get_ntohl(tvb, o + 22) == 0x000F0004 && tvb_get_ntohl(tvb, o + 26) == MSSTUN_MS_COOKIE);
}

static guint
ptls_pdu_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset, void *data _U_)
{
    guint8 b0 = msstun_get_u8(tvb, offset);

    if (lengthless_frame_at(tvb, offset))
        return 2 + MSSTUN_HDR_LEN + tvb_get_ntohs(tvb, offset + 4);
    if ((b0 == 2 || b0 == 3) && msstun_get_u8(tvb, offset + 1) == 0)
        return 4 + tvb_get_ntohs(tvb, offset + 2);
    return tvb_reported_length_remaining(tvb, offset);
}

static int
ptls_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    int len = tvb_reported_length(tvb);

    if (lengthless_frame_at(tvb, 0)) {
        proto_item *ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, 2, ENC_NA);
        proto_tree *ft = proto_item_add_subtree(ti, ett_ptls);
        proto_item_append_text(ti, ", [MS-TURN] 2.1.4 framing without a length field");
        proto_tree_add_item(ft, hf_msstun_msturn_frame_type, tvb, 0, 1, ENC_BIG_ENDIAN);
        proto_tree_add_item(ft, hf_msstun_msturn_frame_reserved, tvb, 1, 1, ENC_BIG_ENDIAN);
        expert_add_info_format(pinfo, ti, &ei_ptls_lengthless,
            "[MS-TURN] 2.1.4 frame without its length field: the STUN message follows the type byte%s",
            msstun_get_u8(tvb, 0) == 3 ? " (and is marked as end-to-end data, 0x03)" : "");
        dissect_msstun_message(tvb_new_subset_remaining(tvb, 2), pinfo, tree, TRUE, 0);
        return len;
    }
    return dissect_msstun_tcp(tvb, pinfo, tree, data);
}

/* After the handshake: [MS-TURN] 2.1.4 frames, decoded by framing.c; the
 * length-less frames of libnice are split here. */
static int
dissect_ptls_stream(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    col_clear(pinfo->cinfo, COL_INFO);
    tcp_dissect_pdus(tvb, pinfo, tree, msstun_pref_desegment, 2, ptls_pdu_len, ptls_pdu, data);
    return tvb_captured_length(tvb);
}

static int
need_more(packet_info *pinfo, int have, int want)
{
    if (!pinfo->can_desegment || !msstun_pref_desegment)
        return 0;
    pinfo->desegment_offset = 0;
    pinfo->desegment_len = want - have;
    return have;
}

static int
dissect_pseudotls(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    ptls_conv_t *pc = ptls_conv_get(pinfo);
    int len = 0, have = tvb_captured_length(tvb);
    gboolean client;
    guint8 form;

    if (!pc)
        return 0;
    if (pc->verdict == PTLS_TLS)
        return call_dissector_with_data(tls_handle, tvb, pinfo, tree, data);
    client = from_client(pc, pinfo);
    if (client && pinfo->num == pc->client_hello_in) {
        form = client_hello_form(tvb, &len);
        if (form != PTLS_FORM_NONE && len <= have) {
            show_hello(tvb, pinfo, tree, pc, TRUE, len);
            return dissect_after_hello(tvb, pinfo, tree, len, data);
        }
    } else if (!client && (pc->server_hello_in == 0 || pinfo->num == pc->server_hello_in)) {
        form = server_hello_form(tvb, &len);
        if (form != PTLS_FORM_NONE && len > have)
            return need_more(pinfo, have, len);
        if (!PINFO_FD_VISITED(pinfo) && pc->server_hello_in == 0) {
            if (form == PTLS_FORM_NONE) {
                /* a real TLS server: the connection is TLS (all of it, on a second pass) */
                pc->verdict = PTLS_TLS;
                conversation_set_dissector(find_or_create_conversation(pinfo), tls_handle);
                return call_dissector_with_data(tls_handle, tvb, pinfo, tree, data);
            }
            pc->verdict = PTLS_PSEUDO;
            pc->server_form = form;
            pc->server_hello_in = pinfo->num;
            pc->server_hello_len = len;
        }
        if (form != PTLS_FORM_NONE) {
            show_hello(tvb, pinfo, tree, pc, FALSE, len);
            return dissect_after_hello(tvb, pinfo, tree, len, data);
        }
    }
    if (pc->verdict == PTLS_UNKNOWN && !PINFO_FD_VISITED(pinfo)) {
        /* the client went on before the server answered: still undecided */
        if (client_hello_form(tvb, &len) == PTLS_FORM_NONE && (msstun_get_u8(tvb, 0) & 0xFC) == 0x14) {
            pc->verdict = PTLS_TLS;
            conversation_set_dissector(find_or_create_conversation(pinfo), tls_handle);
            return call_dissector_with_data(tls_handle, tvb, pinfo, tree, data);
        }
    }
    return dissect_ptls_stream(tvb, pinfo, tree, data);
}

/* First payload of a connection: is it a pseudo-TLS client hello? Sets up
 * the connection's state and conversation dissector when it is. */
static int
try_client_hello(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data, gboolean *need)
{
    int len = 0, have = tvb_captured_length(tvb);
    guint8 form = client_hello_form(tvb, &len);
    ptls_conv_t *pc;

    if (form == PTLS_FORM_NONE)
        return 0;
    if (len > have) {
        /* split hello: only the port entry asks TCP for the rest */
        if (need) {
            *need = TRUE;
            return need_more(pinfo, have, len);
        }
        return 0;
    }
    pc = ptls_conv_new(pinfo);
    pc->client_form = form;
    pc->client_hello_in = pinfo->num;
    pc->client_hello_len = len;
    conversation_set_dissector(find_or_create_conversation(pinfo), ptls_handle);
    return call_dissector_with_data(ptls_handle, tvb, pinfo, tree, data);
}

/* a 2.1.4 TURN control frame holding a STUN message that fills it */
static gboolean
msturn_control_frame_at_start(tvbuff_t *tvb, packet_info *pinfo)
{
    int flen;

    if (tvb_captured_length(tvb) < 4 + MSSTUN_HDR_LEN || msstun_get_u8(tvb, 0) != 2 || msstun_get_u8(tvb, 1) != 0)
        return FALSE;
    flen = tvb_get_ntohs(tvb, 2);
    return flen == MSSTUN_HDR_LEN + tvb_get_ntohs(tvb, 6) && msstun_looks_like_stun(tvb, 4, flen, pinfo, TRUE);
}

static gboolean
msstun_enabled(void)
{
    return proto_is_protocol_enabled(find_protocol_by_id(proto_msstun));
}

/* TCP 443: in front of TLS's port entry. Not msstun's protocol, so that
 * disabling msstun leaves HTTPS to TLS. */
static int
dissect_ptls_443(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (pref_pseudotls && msstun_enabled() && !PINFO_FD_VISITED(pinfo) && !ptls_conv_get(pinfo)) {
        gboolean need = FALSE;
        int r = try_client_hello(tvb, pinfo, tree, data, &need);
        if (r > 0 || need)
            return r;
        if (msturn_control_frame_at_start(tvb, pinfo)) {
            /* the capture began after the handshake: [MS-TURN] 2.1.4 from here */
            ptls_conv_t *pc = ptls_conv_new(pinfo);
            pc->verdict = PTLS_PSEUDO;
            pc->server_hello_in = G_MAXUINT32;      /* no hello to wait for */
            conversation_set_dissector(find_or_create_conversation(pinfo), ptls_handle);
            return call_dissector_with_data(ptls_handle, tvb, pinfo, tree, data);
        }
        /* HTTPS (or anything else): TLS for the whole connection */
        conversation_set_dissector(find_or_create_conversation(pinfo), next_443_handle);
    }
    return call_dissector_with_data(next_443_handle, tvb, pinfo, tree, data);
}

static msstun_bool_t
dissect_ptls_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!pref_pseudotls || PINFO_FD_VISITED(pinfo) || ptls_conv_get(pinfo))
        return FALSE;
    return try_client_hello(tvb, pinfo, tree, data, NULL) > 0;
}

/* ---- TLS and DTLS application data ------------------------------------------- */

static int
dissect_msstun_tls_app(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_msstun_tcp(tvb, pinfo, tree, data);
}

static int
dissect_msstun_dtls_app(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissect_msstun_udp(tvb, pinfo, tree, data);
}

/* ALPN entries: the first record of a session picks the session's
 * application dissector, msstun's while msstun is enabled, else the one the
 * id had before (so --disable-protocol msstun gives the built-in view). */
static int
dissect_alpn(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data, gboolean dtls, int id)
{
    dissector_handle_t h = dtls ? msstun_dtls_app_handle : msstun_tls_app_handle;

    if (!msstun_enabled()) {
        h = dtls ? prev_alpn_dtls[id] : prev_alpn_tls[id];
        if (!h)
            return 0;
    }
    tls_set_appdata_dissector(dtls ? dtls_handle : tls_handle, pinfo, h);
    return call_dissector_with_data(h, tvb, pinfo, tree, data);
}

#define ALPN_ENTRY(fn, dtls, id) \
    static int fn(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data) \
    { return dissect_alpn(tvb, pinfo, tree, data, dtls, id); }
ALPN_ENTRY(dissect_alpn_tls_turn, FALSE, 0)
ALPN_ENTRY(dissect_alpn_tls_disc, FALSE, 1)
ALPN_ENTRY(dissect_alpn_dtls_turn, TRUE, 0)
ALPN_ENTRY(dissect_alpn_dtls_disc, TRUE, 1)

/* STUN at the start of the decrypted stream: raw, RFC 4571 or [MS-TURN] 2.1.4 framed */
static gboolean
stream_starts_with_stun(tvbuff_t *tvb, packet_info *pinfo)
{
    int avail = tvb_reported_length(tvb);

    if (msstun_looks_like_stun(tvb, 0, avail, pinfo, FALSE))
        return TRUE;
    /* a first record shorter than a STUN header (a message split across
     * records): type bits, a length that is a multiple of 4 and as much of
     * the magic cookie as is there; the TCP entry then asks TLS for the rest */
    if (avail >= 6 && avail < MSSTUN_HDR_LEN && tvb_captured_length(tvb) == (guint)avail &&
        !(msstun_get_u8(tvb, 0) & 0xC0) && !(tvb_get_ntohs(tvb, 2) & 3)) {
        static const guint8 cookie[4] = { 0x21, 0x12, 0xA4, 0x42 };
        int i;
        for (i = 4; i < MIN(avail, 8); i++)
            if (msstun_get_u8(tvb, i) != cookie[i - 4])
                return FALSE;
        return TRUE;
    }
    if (avail >= 2 + MSSTUN_HDR_LEN && tvb_get_ntohs(tvb, 0) >= MSSTUN_HDR_LEN &&
        msstun_looks_like_stun(tvb, 2, tvb_get_ntohs(tvb, 0), pinfo, TRUE))
        return TRUE;
    if (avail >= 4 + MSSTUN_HDR_LEN && msstun_get_u8(tvb, 0) == 0x02 && msstun_get_u8(tvb, 1) == 0 &&
        tvb_get_ntohs(tvb, 2) >= MSSTUN_HDR_LEN && msstun_looks_like_stun(tvb, 4, tvb_get_ntohs(tvb, 2), pinfo, TRUE))
        return TRUE;
    return FALSE;
}

/* The TLS session is ours from here on (no conversation dissector: TCP's
 * conversation belongs to TLS) */
static msstun_bool_t
dissect_msstun_tls_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!stream_starts_with_stun(tvb, pinfo))
        return FALSE;
    tls_set_appdata_dissector(tls_handle, pinfo, msstun_tls_app_handle);
    return dissect_msstun_tcp(tvb, pinfo, tree, NULL) > 0;
}

static msstun_bool_t
dissect_msstun_dtls_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!msstun_looks_like_stun(tvb, 0, tvb_reported_length(tvb), pinfo, TRUE))
        return FALSE;
    tls_set_appdata_dissector(dtls_handle, pinfo, msstun_dtls_app_handle);
    return dissect_msstun_udp(tvb, pinfo, tree, NULL) > 0;
}

/* ---- registration ------------------------------------------------------------- */

void
msstun_tls_register(module_t *module, int proto)
{
    static hf_register_info hf[] = {
        { &hf_ptls_form, { "Pseudo-TLS form", "msstun.pseudotls.form", FT_UINT8, BASE_DEC,
            VALS(ptls_form_vals), 0, "Which shape of the [MS-TURN] 2.1.1 pseudo-TLS hello this is", HFILL } },
        { &hf_ptls_content_type, { "Record content type", "msstun.pseudotls.content_type", FT_UINT8, BASE_DEC,
            VALS(ptls_content_vals), 0, NULL, HFILL } },
        { &hf_ptls_version, { "Version", "msstun.pseudotls.version", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL } },
        { &hf_ptls_length, { "Record length", "msstun.pseudotls.length", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ptls_hs_type, { "Handshake message", "msstun.pseudotls.handshake_type", FT_UINT8, BASE_DEC,
            VALS(ptls_hs_vals), 0, NULL, HFILL } },
        { &hf_ptls_hs_length, { "Handshake length", "msstun.pseudotls.handshake_length", FT_UINT24, BASE_DEC,
            NULL, 0, NULL, HFILL } },
        { &hf_ptls_random, { "Random", "msstun.pseudotls.random", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_ptls_session_id, { "Session ID", "msstun.pseudotls.session_id", FT_BYTES, BASE_NONE,
            NULL, 0, NULL, HFILL } },
        { &hf_ptls_cipher_suite, { "Cipher suite", "msstun.pseudotls.cipher_suite", FT_UINT16, BASE_HEX,
            NULL, 0, "Nothing is encrypted after a pseudo-TLS handshake, whatever suite it names", HFILL } },
        { &hf_ptls_peer_in, { "Other hello in", "msstun.pseudotls.peer_in", FT_FRAMENUM, BASE_NONE,
            NULL, 0, "The frame with the other side's pseudo-TLS hello", HFILL } },
        { &hf_ptls_sslv2_cs_len, { "Cipher spec length", "msstun.pseudotls.sslv2.cipher_spec_length", FT_UINT16,
            BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ptls_sslv2_sid_len, { "Session ID length", "msstun.pseudotls.sslv2.session_id_length", FT_UINT16,
            BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ptls_sslv2_chal_len, { "Challenge length", "msstun.pseudotls.sslv2.challenge_length", FT_UINT16,
            BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_ptls_sslv2_cipher, { "Cipher spec", "msstun.pseudotls.sslv2.cipher_spec", FT_UINT24, BASE_HEX,
            NULL, 0, NULL, HFILL } },
        { &hf_ptls_sslv2_challenge, { "Challenge", "msstun.pseudotls.sslv2.challenge", FT_BYTES, BASE_NONE,
            NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = { &ett_ptls, &ett_ptls_hs };
    static ei_register_info ei[] = {
        /* a note: libnice 0.1.21 sends such frames; whether the exchange failed is the diagnosis' to say */
        { &ei_ptls_lengthless, { "msstun.pseudotls.frame_without_length", PI_MALFORMED, PI_NOTE,
            "[MS-TURN] 2.1.4 frame without its length field", EXPFILL } },
    };
    expert_module_t *expert;

    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto);
    expert_register_field_array(expert, ei, array_length(ei));

    prefs_register_bool_preference(module, "pseudotls", "Detect [MS-TURN] pseudo-TLS",
        "Recognise the [MS-TURN] 2.1.1 pseudo-TLS handshake (Lync / Skype for Business on TCP 443 and, by "
        "heuristic, on other ports) and decode the rest of the connection as [MS-TURN] 2.1.4 framing. "
        "Off: such connections are left to TLS.", &pref_pseudotls);

    msstun_tls_app_handle = register_dissector("msstun-tls", dissect_msstun_tls_app, proto);
    msstun_dtls_app_handle = register_dissector("msstun-dtls", dissect_msstun_dtls_app, proto);
    ptls_handle = register_dissector("msstun-pseudotls", dissect_pseudotls, proto);
    ptls_443_handle = create_dissector_handle_with_name_and_description(dissect_ptls_443, -1,
        "msstun-tcp443", "TLS, or [MS-TURN] pseudo-TLS (msstun)");
    ptls_convs = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
}

void
msstun_tls_handoff(void)
{
    static gboolean done = FALSE;
    dissector_table_t tcp_port;
    int i;

    if (done)
        return;
    done = TRUE;
    tls_handle = find_dissector("tls");
    dtls_handle = find_dissector("dtls");

    /* RFC 7443 ALPN ids; takes "stun.turn" over from turnchannel. The entry
     * handles belong to a helper protocol of TLS: they run while msstun is
     * disabled too (and then pick the old owner), and TLS shows their name. */
    proto_alpn_tls = proto_register_protocol_in_name_only("MS-STUN/TURN/ICE (msstun plugin)", "MSSTUN",
        "msstun.tls_alpn", proto_get_id_by_filter_name("tls"), FT_PROTOCOL);
    proto_alpn_dtls = proto_register_protocol_in_name_only("MS-STUN/TURN/ICE (msstun plugin)", "MSSTUN",
        "msstun.dtls_alpn", proto_get_id_by_filter_name("dtls"), FT_PROTOCOL);
    alpn_tls_handle[0] = create_dissector_handle(dissect_alpn_tls_turn, proto_alpn_tls);
    alpn_tls_handle[1] = create_dissector_handle(dissect_alpn_tls_disc, proto_alpn_tls);
    alpn_dtls_handle[0] = create_dissector_handle(dissect_alpn_dtls_turn, proto_alpn_dtls);
    alpn_dtls_handle[1] = create_dissector_handle(dissect_alpn_dtls_disc, proto_alpn_dtls);
    for (i = 0; i < 2; i++) {
        prev_alpn_tls[i] = dissector_get_string_handle(find_dissector_table("tls.alpn"), alpn_ids[i]);
        prev_alpn_dtls[i] = dissector_get_string_handle(find_dissector_table("dtls.alpn"), alpn_ids[i]);
        dissector_add_string("tls.alpn", alpn_ids[i], alpn_tls_handle[i]);
        dissector_add_string("dtls.alpn", alpn_ids[i], alpn_dtls_handle[i]);
    }
    /* RFC 8656 3.1: TURN over TLS / DTLS on 5349 (preferences msstun.tls.port, msstun.dtls.port) */
    dissector_add_uint_range_with_preference("tls.port", "5349", msstun_tls_app_handle);
    dissector_add_uint_range_with_preference("dtls.port", "5349", msstun_dtls_app_handle);

    heur_dissector_add("tls", dissect_msstun_tls_heur, "MS-STUN/TURN over TLS", "msstun_tls", proto_msstun,
                       HEURISTIC_ENABLE);
    heur_dissector_add("dtls", dissect_msstun_dtls_heur, "MS-STUN/TURN over DTLS", "msstun_dtls", proto_msstun,
                       HEURISTIC_ENABLE);

    /* [MS-TURN] 2.1.1: 443 goes through the pseudo-TLS check before TLS */
    tcp_port = find_dissector_table("tcp.port");
    next_443_handle = dissector_get_uint_handle(tcp_port, PTLS_HTTPS_PORT);
    if (!next_443_handle)
        next_443_handle = tls_handle;
    if (next_443_handle && tls_handle)
        dissector_add_uint("tcp.port", PTLS_HTTPS_PORT, ptls_443_handle);
    heur_dissector_add("tcp", dissect_ptls_heur, "[MS-TURN] pseudo-TLS over TCP", "msstun_pseudotls",
                       proto_msstun, HEURISTIC_ENABLE);
}
