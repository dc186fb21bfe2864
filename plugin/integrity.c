/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * integrity.c - FINGERPRINT (RFC 5389 15.5) and MESSAGE-INTEGRITY, and the
 * credentials needed to verify it.
 *
 * FINGERPRINT: CRC-32 of the message up to the attribute, with the header
 * length covering FINGERPRINT (which it does when FINGERPRINT is last, as it
 * must be), XOR 0x5354554E; wsutil's CRC. [MS-ICE2] agents in legacy mode
 * (libnice OC2007R2, after [MS-ICE2] 3.1.4.8.2) also send every check and
 * response a second time with the CRC taken over a table whose entry 0x5A is
 * 0x08bbe8ea instead of 0x8bbeb8ea (protocol.md f.5), until the peer shows
 * IMPLEMENTATION-VERSION: such a FINGERPRINT is good (variant 2), and the
 * second copy links to the first (msstun.att.crc32.legacy_copy_of).
 *
 * MESSAGE-INTEGRITY (0x0008) and MESSAGE-INTEGRITY-SHA256 (0x001C): HMAC over
 * the message from byte 0 up to the attribute. Three rules are in use
 * (protocol.md f.1-f.4), each tried where it applies and reported:
 *   1 RFC 5389/8489: header length adjusted to end at the MI attribute, no padding;
 *   2 RFC 3489 10.2.8 / [MS-TURN] (libnice OC2007): length as sent, input
 *     zero-padded to a multiple of 64 bytes;
 *   3 [MS-ICE2] IMPLEMENTATION-VERSION <= 2 (libnice OC2007R2): the same
 *     computation on a cookie-format message whose length also counts the
 *     FINGERPRINT that follows MI.
 * HMAC-SHA1 for a 20-byte 0x0008, HMAC-SHA256 for a 32-byte 0x0008 ([MS-TURN]
 * MS-VERSION >= 3) and for 0x001C (compared on its 16..32 bytes).
 *
 * Keys: short-term = the password (RFC 5389 15.4; OpaqueString is the
 * identity on ASCII, and no normalisation is attempted); long-term =
 * MD5(username ":" realm ":" password), SHA-256 of the same when
 * PASSWORD-ALGORITHM is 0x0002 (RFC 8489 14.12); a raw key in hex overrides.
 * Credentials come from the msstun_credentials UAT, the msstun.password
 * preference, and a=ice-ufrag / a=ice-pwd pairs learned from SDP in the
 * capture (a postdissector). An ICE request with USERNAME "A:B" is checked
 * with the password of ufrag A; its response (no USERNAME in RFC 5389) with
 * the keys of its request, whose USERNAME and REALM are remembered by
 * transaction ID. Only a key known to be the message's (a UAT row for its
 * USERNAME or REALM, USERHASH, SDP) can make it "bad"; the password to try
 * that does not fit leaves it unverified. The HMACs are computed only when a
 * tree, filter, expert or report wants the result.
 */
#include "msstun.h"

#include <epan/crc32-tvb.h>
#include <epan/proto_data.h>
#include <wsutil/crc32.h>
#include <wsutil/pint.h>
#include <epan/uat.h>
#include <wsutil/str_util.h>
#include <wsutil/wsgcrypt.h>

static int hf_msstun_att_crc32_legacy_copy_of = -1;
static expert_field ei_msstun_fp_legacy_copy = EI_INIT;

/* [MS-ICE2] legacy CRC-32: the standard table with entry 0x5A = 0x08bbe8ea
 * (protocol.md f.5). Made once, at registration. */
static guint32 legacy_crc_table[256];

static void
legacy_crc_table_init(void)
{
    for (guint i = 0; i < 256; i++)
        legacy_crc_table[i] = crc32_ccitt_table_lookup((guchar)i);
    legacy_crc_table[0x5A] = 0x08bbe8ea;
}

static guint32
legacy_crc(tvbuff_t *tvb, int len)
{
    const guint8 *p = tvb_get_ptr(tvb, 0, len);
    guint32 crc = 0xFFFFFFFF;

    for (int i = 0; i < len; i++)
        crc = legacy_crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* The legacy copies: an [MS-ICE2] message with the same transaction ID,
 * length, MESSAGE-INTEGRITY and ports as one a moment before (libnice sends
 * the two back to back; a retransmission comes 20 ms or more later). Paired
 * on the first pass, tree or not (with a tree from the FINGERPRINT check,
 * without one from msstun_check_integrity, as FINGERPRINT is not decoded
 * then); the pair is per-packet data. */
#define LEGACY_COPY_GAP_NS 10000000   /* 10 ms */
#define MSSTUN_MAX_LEGACY_SEEN 20000
#define PDATA_LEGACY_COPY 0x4C430000u  /* + the message's offset in the frame */

typedef struct {
    guint8   tid[12];
    guint8   mi[8];
    guint16  length;
    guint32  frame;
    nstime_t ts;
    guint32  ports;
} legacy_seen_t;

static wmem_map_t *legacy_seen;   /* hash of the transaction ID -> legacy_seen_t */

static void
legacy_copy_track(msstun_msg_t *m)
{
    tvbuff_t *tvb = m->tvb;
    guint32 key, ports;
    legacy_seen_t *e;
    guint8 tid[12], mi[8];
    nstime_t gap;

    if (m->format != MSSTUN_FMT_RFC5389 || !(m->ms_ice2 || m->has_impl_version) || m->mi_offset < 0 ||
        !tvb_bytes_exist(tvb, m->mi_offset + 4, 8))
        return;
    tvb_memcpy(tvb, tid, 8, 12);
    tvb_memcpy(tvb, mi, m->mi_offset + 4, 8);
    key = tvb_get_ntohl(tvb, 8) ^ tvb_get_ntohl(tvb, 12) ^ tvb_get_ntohl(tvb, 16);   /* the TID (4.6 renamed pntoh32) */
    ports = (guint32)m->pinfo->srcport << 16 | m->pinfo->destport;
    e = (legacy_seen_t *)wmem_map_lookup(legacy_seen, GUINT_TO_POINTER(key));
    if (e && memcmp(e->tid, tid, 12) == 0 && memcmp(e->mi, mi, 8) == 0 && e->length == m->length &&
        e->ports == ports) {
        nstime_delta(&gap, &m->pinfo->abs_ts, &e->ts);
        if (gap.secs == 0 && gap.nsecs >= 0 && gap.nsecs < LEGACY_COPY_GAP_NS) {
            p_add_proto_data(wmem_file_scope(), m->pinfo, proto_msstun, PDATA_LEGACY_COPY + tvb_raw_offset(tvb),
                             GUINT_TO_POINTER(e->frame));
            return;
        }
    }
    if (!e) {
        if (wmem_map_size(legacy_seen) >= MSSTUN_MAX_LEGACY_SEEN)
            return;
        e = wmem_new(wmem_file_scope(), legacy_seen_t);
        wmem_map_insert(legacy_seen, GUINT_TO_POINTER(key), e);
    }
    memcpy(e->tid, tid, 12);
    memcpy(e->mi, mi, 8);
    e->length = m->length;
    e->frame = m->pinfo->num;
    e->ts = m->pinfo->abs_ts;
    e->ports = ports;
}

void
msstun_check_fingerprint(msstun_msg_t *m, proto_tree *tree, int attr_off)
{
    tvbuff_t *tvb = m->tvb;
    int o = attr_off + 4;
    guint32 crc, sent, copy_of;
    gboolean last = attr_off + 8 == MSSTUN_HDR_LEN + m->length;
    guint8 variant = 1;
    gboolean wanted;

    /* (the FINGERPRINT is decoded only with a tree; msstun_check_integrity pairs the others) */
    if (last && !PINFO_FD_VISITED(m->pinfo))
        legacy_copy_track(m);
    /* shown, filtered on or listened to; else computed once, on the first pass,
     * because a message with a bad FINGERPRINT is dropped by its receiver and
     * the media-path model must know it whatever the view */
    wanted = msstun_want_expert(m, &ei_msstun_att_crc32_bad) ||
             (tree && (msstun_tree_visible(tree) || proto_field_is_referenced(tree, hf_msstun_att_crc32) ||
                       proto_field_is_referenced(tree, hf_msstun_att_crc32_status) ||
                       proto_field_is_referenced(tree, hf_msstun_att_crc32_variant) ||
                       proto_field_is_referenced(tree, hf_msstun_att_crc32_legacy_copy_of) ||
                       proto_field_is_referenced(tree, ei_msstun_fp_variant.hf) ||
                       proto_field_is_referenced(tree, ei_msstun_fp_legacy_copy.hf) ||
                       proto_field_is_referenced(tree, ei_msstun_fp_not_last.hf)));
    if (!wanted && PINFO_FD_VISITED(m->pinfo))
        return;
    sent = tvb_get_ntohl(tvb, o);
    crc = crc32_ccitt_tvb_offset(tvb, 0, attr_off) ^ MSSTUN_FP_XOR;
    if (!last)
        msstun_msg_problem(m, MSSTUN_V_WARNING, "FINGERPRINT is not the last attribute (RFC 5389 15.5)");
    if (!last && !wanted)
        return;
    if (!last) {
        /* not last: the length field does not cover it, so it cannot be verified as sent */
        proto_tree_add_checksum(tree, tvb, o, hf_msstun_att_crc32, hf_msstun_att_crc32_status,
                                &ei_msstun_att_crc32_bad, m->pinfo, 0, ENC_BIG_ENDIAN, PROTO_CHECKSUM_NO_FLAGS);
        proto_tree_add_expert(tree, m->pinfo, &ei_msstun_fp_not_last, tvb, o, 4);
        return;
    }
    copy_of = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), m->pinfo, proto_msstun,
                                                PDATA_LEGACY_COPY + tvb_raw_offset(tvb)));
    if (crc != sent && (legacy_crc(tvb, attr_off) ^ MSSTUN_FP_XOR) == sent) {
        crc = sent;
        variant = 2;
    }
    if (crc != sent)
        msstun_msg_problem(m, MSSTUN_V_FAILED, "Bad FINGERPRINT: the receiver drops the message");
    if (!wanted)
        return;
    proto_tree_add_checksum(tree, tvb, o, hf_msstun_att_crc32, hf_msstun_att_crc32_status,
                            &ei_msstun_att_crc32_bad, m->pinfo, crc, ENC_BIG_ENDIAN, PROTO_CHECKSUM_VERIFY);
    if (crc == sent) {
        proto_item *it = proto_tree_add_uint(tree, hf_msstun_att_crc32_variant, tvb, o, 4, variant);
        proto_item_set_generated(it);
        if (variant != 1)
            expert_add_info(m->pinfo, it, &ei_msstun_fp_variant);
        else
            proto_item_set_hidden(it);   /* the usual case: filterable, not worth a line */
        /* the second copy is the legacy one: its CRC fits the legacy table
         * (when no byte meets entry 0x5A the two copies are the same bytes) */
        if (copy_of && (variant == 2 || (legacy_crc(tvb, attr_off) ^ MSSTUN_FP_XOR) == sent)) {
            it = proto_tree_add_uint(tree, hf_msstun_att_crc32_legacy_copy_of, tvb, o, 4, copy_of);
            proto_item_set_generated(it);
            expert_add_info_format(m->pinfo, it, &ei_msstun_fp_legacy_copy,
                                   "Legacy [MS-ICE2] copy of frame %u: sent again with the legacy FINGERPRINT "
                                   "until the peer shows IMPLEMENTATION-VERSION; answered once", copy_of);
        }
    }
}

/* ---- Registration: fields, expert infos, UAT, preferences ---------------- */

static int hf_msstun_att_hmac_rule = -1;
static int hf_msstun_att_hmac_credential = -1;
static int hf_msstun_att_userhash_user = -1;
static expert_field ei_msstun_att_hmac_bad = EI_INIT;
static expert_field ei_msstun_att_hmac_length = EI_INIT;

enum { RULE_RFC5389 = 1, RULE_RFC3489 = 2, RULE_MSICE2_LEGACY = 3 };
static const value_string hmac_rule_vals[] = {
    { RULE_RFC5389, "RFC 5389/8489 (length adjusted to end at MESSAGE-INTEGRITY, no padding)" },
    { RULE_RFC3489, "RFC 3489/[MS-TURN] (length as sent, input zero-padded to 64 bytes)" },
    { RULE_MSICE2_LEGACY, "[MS-ICE2] legacy (length as sent incl. FINGERPRINT, input zero-padded to 64 bytes)" },
    { 0, NULL }
};

typedef struct {
    char   *username;
    char   *realm;      /* empty: short-term credential */
    char   *password;
    char   *key_hex;    /* optional raw key, overrides the derivation */
    guint8 *key;        /* key_hex parsed by the update callback */
    guint   key_len;
} msstun_cred_t;

static msstun_cred_t *msstun_creds;
static guint msstun_n_creds;
static const char *msstun_pref_password = "";
static msstun_bool_t msstun_pref_learn_sdp = TRUE;

/* ufrag -> pwd learned from SDP; transaction ID -> the request's identity (req_ident_t) */
static wmem_map_t *sdp_passwords;
static wmem_map_t *trans_idents;
#define MSSTUN_MAX_SDP_PASSWORDS 4096
#define MSSTUN_MAX_TRANS_KEYS    100000

UAT_CSTRING_CB_DEF(msstun_cred, username, msstun_cred_t)
UAT_CSTRING_CB_DEF(msstun_cred, realm, msstun_cred_t)
UAT_CSTRING_CB_DEF(msstun_cred, password, msstun_cred_t)
UAT_CSTRING_CB_DEF(msstun_cred, key_hex, msstun_cred_t)

/* "00:11 22-33aa" -> bytes; FALSE on anything else */
static gboolean
parse_key_hex(const char *s, guint8 **out, guint *out_len)
{
    GByteArray *ba = g_byte_array_new();
    int hi = -1;

    for (; s && *s; s++) {
        int v;
        if (*s == ':' || *s == '-' || *s == ' ' || *s == '\t')
            continue;
        v = g_ascii_xdigit_value(*s);
        if (v < 0) {
            g_byte_array_free(ba, TRUE);
            return FALSE;
        }
        if (hi < 0) {
            hi = v;
        } else {
            guint8 b = (guint8)(hi << 4 | v);
            g_byte_array_append(ba, &b, 1);
            hi = -1;
        }
    }
    if (hi >= 0) {
        g_byte_array_free(ba, TRUE);
        return FALSE;
    }
    *out_len = ba->len;
    *out = ba->len ? (guint8 *)g_memdup2(ba->data, ba->len) : NULL;
    g_byte_array_free(ba, TRUE);
    return TRUE;
}

static void *
msstun_cred_copy_cb(void *dest, const void *orig, size_t len _U_)
{
    msstun_cred_t *d = (msstun_cred_t *)dest;
    const msstun_cred_t *o = (const msstun_cred_t *)orig;
    d->username = g_strdup(o->username);
    d->realm = g_strdup(o->realm);
    d->password = g_strdup(o->password);
    d->key_hex = g_strdup(o->key_hex);
    d->key = o->key_len ? (guint8 *)g_memdup2(o->key, o->key_len) : NULL;
    d->key_len = o->key_len;
    return d;
}

static msstun_bool_t   /* uat_update_cb_t returns bool in 4.4+ */
msstun_cred_update_cb(void *r, char **err)
{
    msstun_cred_t *c = (msstun_cred_t *)r;
    char **fields[] = { &c->username, &c->realm, &c->password, &c->key_hex };

    for (guint i = 0; i < G_N_ELEMENTS(fields); i++)
        if (!*fields[i])
            *fields[i] = g_strdup("");
    g_free(c->key);
    c->key = NULL;
    c->key_len = 0;
    if (!parse_key_hex(c->key_hex, &c->key, &c->key_len)) {
        *err = g_strdup("key_hex must be an even number of hex digits (':', '-' and spaces allowed)");
        return FALSE;
    }
    return TRUE;
}

static void
msstun_cred_free_cb(void *r)
{
    msstun_cred_t *c = (msstun_cred_t *)r;
    g_free(c->username);
    g_free(c->realm);
    g_free(c->password);
    g_free(c->key_hex);
    g_free(c->key);
}

void
msstun_integrity_register(module_t *module, int proto)
{
    static hf_register_info hf[] = {
        { &hf_msstun_att_hmac_rule, { "MESSAGE-INTEGRITY Rule", "msstun.att.hmac.rule", FT_UINT8, BASE_DEC,
            VALS(hmac_rule_vals), 0, "Which HMAC input rule verified the MESSAGE-INTEGRITY", HFILL } },
        { &hf_msstun_att_hmac_credential, { "MESSAGE-INTEGRITY Credential", "msstun.att.hmac.credential", FT_STRING,
            BASE_NONE, NULL, 0, "Where the key that verified (or failed) came from; never the password", HFILL } },
        { &hf_msstun_att_userhash_user, { "Userhash User", "msstun.att.userhash.user", FT_STRING, BASE_NONE, NULL, 0,
            "Configured user whose SHA-256(username \":\" realm) equals USERHASH (RFC 8489 14.4)", HFILL } },
        { &hf_msstun_att_crc32_legacy_copy_of, { "Legacy copy of", "msstun.att.crc32.legacy_copy_of", FT_FRAMENUM,
            BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_DUP_ACK), 0,
            "[MS-ICE2] legacy mode: this message repeats the one in that frame with the legacy FINGERPRINT", HFILL } },
    };
    static ei_register_info ei[] = {
        { &ei_msstun_att_hmac_bad, { "msstun.att.hmac.bad", PI_CHECKSUM, PI_ERROR,
            "Bad MESSAGE-INTEGRITY", EXPFILL } },
        { &ei_msstun_att_hmac_length, { "msstun.att.hmac.bad_length", PI_MALFORMED, PI_ERROR,
            "MESSAGE-INTEGRITY length fits no HMAC (20 for SHA-1, 32 for SHA-256)", EXPFILL } },
        { &ei_msstun_fp_legacy_copy, { "msstun.att.crc32.legacy_copy", PI_SEQUENCE, PI_CHAT,
            "Legacy [MS-ICE2] copy of an earlier message", EXPFILL } },
    };
    static uat_field_t cred_fields[] = {
        UAT_FLD_CSTRING(msstun_cred, username, "Username",
            "USERNAME (long-term), or the ICE ufrag that owns the password (short-term); empty matches any"),
        UAT_FLD_CSTRING(msstun_cred, realm, "Realm", "REALM for a long-term credential; empty for short-term"),
        UAT_FLD_CSTRING(msstun_cred, password, "Password", "Password (used as is: no SASLprep)"),
        UAT_FLD_CSTRING(msstun_cred, key_hex, "Key (hex)", "Optional raw HMAC key in hex; overrides the derivation"),
        UAT_END_FIELDS
    };
    uat_t *uat;
    expert_module_t *expert;

    proto_register_field_array(proto, hf, array_length(hf));
    expert = expert_register_protocol(proto);
    expert_register_field_array(expert, ei, array_length(ei));
    for (size_t i = 0; i < array_length(ei); i++)
        msstun_path_expert_level(ei[i].ids, ei[i].eiinfo.severity, ei[i].eiinfo.summary);

    /* the name is the dialog's title; -o uat:msstun_credentials:... finds the table by its file name */
    uat = uat_new("MS-STUN/TURN/ICE Credentials (msstun plugin)", sizeof(msstun_cred_t), "msstun_credentials", TRUE,
                  &msstun_creds, &msstun_n_creds, UAT_AFFECTS_DISSECTION, "ChCustPreferencesSection",
                  msstun_cred_copy_cb, msstun_cred_update_cb, msstun_cred_free_cb, NULL, NULL, cred_fields);
    prefs_register_uat_preference(module, "credentials", "STUN/TURN/ICE credentials",
        "Credentials to verify MESSAGE-INTEGRITY: username (or ICE ufrag), realm (empty for short-term), "
        "password, optional raw key in hex", uat);
    /* a password preference: masked in the dialog, never written to the preferences file */
    prefs_register_password_preference(module, "password", "Password to try",
        "Tried when no credentials row matches a message: as a short-term password, or with the message's "
        "USERNAME and REALM as a long-term one. A message it does not fit stays unverified (it is not known "
        "to be that message's key). Never shown in the tree, never saved.", &msstun_pref_password);
    prefs_register_bool_preference(module, "learn_sdp", "Learn ICE passwords from SDP",
        "Use a=ice-ufrag / a=ice-pwd pairs seen in SDP earlier in the capture to verify ICE checks",
        &msstun_pref_learn_sdp);

    sdp_passwords = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), wmem_str_hash, g_str_equal);
    trans_idents = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), wmem_str_hash, g_str_equal);
    legacy_seen = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
    legacy_crc_table_init();
}

/* ---- SDP learning (postdissector) --------------------------------------- */

static int proto_sdp = -1;

static void
learn_pair(const char *ufrag, const char *pwd)
{
    const char *old;
    if (!*ufrag || !*pwd)
        return;
    old = (const char *)wmem_map_lookup(sdp_passwords, ufrag);
    if (old && strcmp(old, pwd) == 0)
        return;
    if (!old && wmem_map_size(sdp_passwords) >= MSSTUN_MAX_SDP_PASSWORDS)
        return;
    wmem_map_insert(sdp_passwords, wmem_strdup(wmem_file_scope(), ufrag), wmem_strdup(wmem_file_scope(), pwd));
}

/* The value of an "a=ice-...:" line starting at p, up to the end of line */
static char *
line_value(wmem_allocator_t *pool, const guint8 *p, const guint8 *end)
{
    const guint8 *e = p;
    while (e < end && *e != '\r' && *e != '\n')
        e++;
    return g_strstrip(wmem_strndup(pool, (const char *)p, e - p));
}

/* RFC 8839 5.4: a=ice-ufrag / a=ice-pwd, at session or media level. A pair is
 * the latest ufrag and pwd seen in one SDP, in order (media-level lines
 * follow and override the session-level ones). The text is read from the
 * frame's data sources (also reassembled or decrypted ones) of frames that
 * carry SDP, so no protocol tree has to be built for every frame. */
static void
learn_from_text(packet_info *pinfo, tvbuff_t *tvb)
{
    int len = tvb_captured_length(tvb);
    const guint8 *data, *p, *end;
    char *ufrag = NULL, *pwd = NULL;

    if (len < 12)
        return;
    data = tvb_get_ptr(tvb, 0, len);
    end = data + len;
    for (p = data; p + 12 <= end; p++) {
        p = (const guint8 *)memchr(p, 'a', end - p);
        if (!p || p + 12 > end)
            break;
        if ((p != data && p[-1] != '\n') || p[1] != '=')
            continue;
        if (g_ascii_strncasecmp((const char *)p + 2, "ice-ufrag:", 10) == 0)
            ufrag = line_value(pinfo->pool, p + 12, end);
        else if (g_ascii_strncasecmp((const char *)p + 2, "ice-pwd:", 8) == 0)
            pwd = line_value(pinfo->pool, p + 10, end);
        else
            continue;
        if (ufrag && pwd)
            learn_pair(ufrag, pwd);
    }
}

static int
dissect_msstun_sdp_learn(tvbuff_t *tvb _U_, packet_info *pinfo, proto_tree *tree _U_, void *data _U_)
{
    if (!msstun_pref_learn_sdp || PINFO_FD_VISITED(pinfo) || proto_sdp <= 0)
        return 0;
    /* every frame comes here: one lookup of the protocol id, not names */
    if (!wmem_list_find(pinfo->layers, GINT_TO_POINTER(proto_sdp)))
        return 0;
    for (GSList *src = pinfo->data_src; src; src = src->next)
        learn_from_text(pinfo, get_data_source_tvb((struct data_source *)src->data));
    return 0;
}

void
msstun_integrity_handoff(void)
{
    static gboolean done = FALSE;

    if (done)
        return;
    done = TRUE;
    proto_sdp = proto_get_id_by_filter_name("sdp");
    register_postdissector(create_dissector_handle(dissect_msstun_sdp_learn, proto_msstun));
}

/* ---- MESSAGE-INTEGRITY ------------------------------------------------- */

typedef struct {
    const guint8 *key;
    guint         len;
    const char   *source;   /* for the tree: never the password */
    gboolean      owned;    /* known to be this message's key: a mismatch is "bad" */
} msstun_key_t;

/* What a response needs to be keyed like its request (file scope, by TID) */
typedef struct {
    guint8  *user;
    int      user_len;
    char    *realm;
    guint16  pw_alg;
    guint8  *userhash;      /* 32 bytes, or NULL */
    guint32  frame;
} req_ident_t;

#define MAX_CANDIDATES 32
#define MAX_MI 4

typedef struct {
    msstun_msg_t *m;
    const guint8 *user;       /* raw USERNAME, or NULL */
    int           user_len;
    const char   *realm;      /* m->realm (REALM, or 0x0015 in [MS-TURN]) */
    guint16       pw_alg;     /* PASSWORD-ALGORITHM, 0 when absent */
    int           userhash_off;
    const guint8 *userhash;   /* the 32 bytes (this message's or its request's), or NULL */
    const char   *suffix;     /* appended to the sources of candidates made from the request */
    struct { int off; guint16 type, len; } mi[MAX_MI];
    int           n_mi;
    msstun_key_t  cand[MAX_CANDIDATES];
    int           n_cand;
} mi_ctx_t;

static void
add_candidate(mi_ctx_t *c, const guint8 *key, guint len, const char *source, gboolean owned)
{
    if (c->n_cand >= MAX_CANDIDATES)
        return;
    for (int i = 0; i < c->n_cand; i++)
        if (c->cand[i].len == len && memcmp(c->cand[i].key, key, len) == 0) {
            c->cand[i].owned |= owned;
            return;
        }
    c->cand[c->n_cand].key = key;
    c->cand[c->n_cand].len = len;
    c->cand[c->n_cand].source = c->suffix ? wmem_strconcat(c->m->pinfo->pool, source, c->suffix, NULL) : source;
    c->cand[c->n_cand].owned = owned;
    c->n_cand++;
}

/* long-term key: MD5 or (PASSWORD-ALGORITHM 0x0002) SHA-256 of user:realm:password */
static void
add_long_term(mi_ctx_t *c, const guint8 *user, guint user_len, const char *realm, const char *password,
              const char *source, gboolean owned)
{
    wmem_allocator_t *pool = c->m->pinfo->pool;
    GByteArray *in = g_byte_array_new();
    int algo = c->pw_alg == 2 ? GCRY_MD_SHA256 : GCRY_MD_MD5;
    guint dlen = gcry_md_get_algo_dlen(algo);
    guint8 *key = (guint8 *)wmem_alloc(pool, dlen);

    g_byte_array_append(in, user, user_len);
    g_byte_array_append(in, (const guint8 *)":", 1);
    g_byte_array_append(in, (const guint8 *)realm, (guint)strlen(realm));
    g_byte_array_append(in, (const guint8 *)":", 1);
    g_byte_array_append(in, (const guint8 *)password, (guint)strlen(password));
    gcry_md_hash_buffer(algo, key, in->data, in->len);
    g_byte_array_free(in, TRUE);
    add_candidate(c, key, dlen, source, owned);
}

static void
add_short_term(mi_ctx_t *c, const char *password, const char *source, gboolean owned)
{
    add_candidate(c, (const guint8 *)password, (guint)strlen(password), source, owned);
}

/* USERNAME "A:B" of an ICE check: A is the ufrag whose password keys it */
static gboolean
user_matches(const mi_ctx_t *c, const char *row_user)
{
    size_t n = strlen(row_user);
    if (!c->user || n == 0)
        return FALSE;
    if ((int)n == c->user_len && memcmp(c->user, row_user, n) == 0)
        return TRUE;
    return (int)n < c->user_len && memcmp(c->user, row_user, n) == 0 && c->user[n] == ':';
}

/* The attribute's own subtree (from the attribute loop), so the result sits
 * under the HMAC; the message tree when it is not there (no visible tree). */
static proto_tree *
attr_tree(msstun_msg_t *m, int off)
{
    guint start = tvb_raw_offset(m->tvb) + (guint)off;
    proto_node *n;

    if (!m->tree)
        return m->tree;
    for (n = ((proto_node *)m->tree)->first_child; n; n = n->next) {
        field_info *fi = PNODE_FINFO(n);
        if (!fi || !fi->hfinfo || fi->hfinfo->id != hf_msstun_attributes)
            continue;
        for (proto_node *a = n->first_child; a; a = a->next) {
            field_info *afi = PNODE_FINFO(a);
            if (afi && afi->ds_tvb == tvb_get_ds_tvb(m->tvb) && afi->start >= 0 && (guint)afi->start == start)
                return (proto_tree *)a;
        }
    }
    return m->tree;
}

/* RFC 8489 14.4: USERHASH = SHA-256(OpaqueString(username) ":" OpaqueString(realm)) */
static void
check_userhash(mi_ctx_t *c)
{
    msstun_msg_t *m = c->m;
    guint8 hash[32];

    if (!c->userhash || !c->realm)
        return;
    for (guint i = 0; i < msstun_n_creds; i++) {
        const msstun_cred_t *r = &msstun_creds[i];
        char *s;
        if (!*r->username || (*r->realm && strcmp(r->realm, c->realm) != 0))
            continue;
        s = wmem_strdup_printf(m->pinfo->pool, "%s:%s", r->username, c->realm);
        gcry_md_hash_buffer(GCRY_MD_SHA256, hash, s, strlen(s));
        if (memcmp(hash, c->userhash, 32) != 0)
            continue;
        if (c->userhash_off >= 0 && !c->suffix)
            proto_item_set_generated(proto_tree_add_string(attr_tree(m, c->userhash_off), hf_msstun_att_userhash_user,
                                                           m->tvb, c->userhash_off + 4, 32, r->username));
        if (r->key_len)
            add_candidate(c, r->key, r->key_len, wmem_strdup_printf(m->pinfo->pool, "UAT key for %s", r->username), TRUE);
        else
            add_long_term(c, (const guint8 *)r->username, (guint)strlen(r->username), c->realm, r->password,
                          wmem_strdup_printf(m->pinfo->pool, "UAT user %s (USERHASH)", r->username), TRUE);
        return;
    }
}

/* The keys for c's USERNAME / REALM / USERHASH. A row is this message's key
 * when it names its user or its realm; an empty row (any user, no realm) and
 * the password to try are only tried. */
static void
collect_for_identity(mi_ctx_t *c)
{
    msstun_msg_t *m = c->m;
    wmem_allocator_t *pool = m->pinfo->pool;
    int rows_before;

    check_userhash(c);
    rows_before = c->n_cand;
    for (guint i = 0; i < msstun_n_creds; i++) {
        const msstun_cred_t *r = &msstun_creds[i];
        const char *src;
        gboolean owned;
        if (!(user_matches(c, r->username) || (!*r->username && c->user)))
            continue;
        src = wmem_strdup_printf(pool, "UAT user %s", *r->username ? r->username : "(any)");
        owned = *r->username || (*r->realm && c->realm && strcmp(r->realm, c->realm) == 0);
        if (r->key_len)
            add_candidate(c, r->key, r->key_len, src, owned);
        else if (c->realm && (!*r->realm || strcmp(r->realm, c->realm) == 0))
            add_long_term(c, c->user, c->user_len, c->realm, r->password, src, owned);
        else if (!c->realm && *r->realm)
            add_long_term(c, c->user, c->user_len, r->realm, r->password, src, owned);
        else if (!c->realm)
            add_short_term(c, r->password, src, owned);
    }
    /* [MS-TURN]: the USERNAME may be an opaque token; match rows by realm */
    if (c->realm && c->n_cand == rows_before) {
        for (guint i = 0; i < msstun_n_creds; i++) {
            const msstun_cred_t *r = &msstun_creds[i];
            const char *src;
            if (strcmp(r->realm, c->realm) != 0)
                continue;
            src = wmem_strdup_printf(pool, "UAT realm %s user %s", r->realm, r->username);
            if (r->key_len) {
                add_candidate(c, r->key, r->key_len, src, TRUE);
                continue;
            }
            if (c->user)
                add_long_term(c, c->user, c->user_len, c->realm, r->password, src, TRUE);
            add_long_term(c, (const guint8 *)r->username, (guint)strlen(r->username), c->realm, r->password, src, TRUE);
        }
    }
    /* ICE: passwords learned from SDP, by the ufrag before ':' */
    if (c->user && wmem_map_size(sdp_passwords) > 0) {
        const guint8 *colon = (const guint8 *)memchr(c->user, ':', c->user_len);
        char *ufrag = wmem_strndup(pool, (const char *)c->user, colon ? (size_t)(colon - c->user) : (size_t)c->user_len);
        const char *pwd = (const char *)wmem_map_lookup(sdp_passwords, ufrag);
        if (pwd)
            add_short_term(c, pwd, wmem_strdup_printf(pool, "SDP a=ice-pwd of ufrag %s", ufrag), TRUE);
    }
}

static void
collect_candidates(mi_ctx_t *c)
{
    msstun_msg_t *m = c->m;
    wmem_allocator_t *pool = m->pinfo->pool;
    gboolean response = m->cls == MSSTUN_CLASS_SUCCESS || m->cls == MSSTUN_CLASS_ERROR;
    const req_ident_t *q = NULL;

    /* a response is keyed like its request */
    if (response && tvb_bytes_exist(m->tvb, 4, 16))
        q = (const req_ident_t *)wmem_map_lookup(trans_idents, tvb_bytes_to_str(pool, m->tvb, 4, 16));
    if (q) {
        mi_ctx_t own = *c;
        c->user = q->user;
        c->user_len = q->user_len;
        c->realm = q->realm ? q->realm : own.realm;
        c->pw_alg = q->pw_alg;
        c->userhash = q->userhash;
        c->suffix = wmem_strdup_printf(pool, " (from the request in frame %u)", q->frame);
        collect_for_identity(c);
        c->user = own.user;
        c->user_len = own.user_len;
        c->realm = own.realm;
        c->pw_alg = own.pw_alg;
        c->userhash = own.userhash;
        c->suffix = NULL;
        if (c->user && !(c->user_len == q->user_len && memcmp(c->user, q->user, c->user_len) == 0))
            collect_for_identity(c);
    } else {
        collect_for_identity(c);
    }
    if (c->n_cand == 0 && msstun_pref_password && *msstun_pref_password) {
        if (c->user && c->realm)
            add_long_term(c, c->user, c->user_len, c->realm, msstun_pref_password, "msstun.password (long-term)", FALSE);
        else
            add_short_term(c, msstun_pref_password, "msstun.password", FALSE);
    }
}

/* Walk the attributes for what the check needs: raw USERNAME, PASSWORD-ALGORITHM,
 * USERHASH and every MI. Bounded by the header length and the captured bytes. */
static void
scan_attributes(mi_ctx_t *c)
{
    msstun_msg_t *m = c->m;
    int end = MIN(MSSTUN_HDR_LEN + (int)m->length, (int)tvb_captured_length(m->tvb));
    int off = MSSTUN_HDR_LEN;
    gboolean padded = !m->unpadded;

    c->userhash_off = -1;
    while (off + 4 <= end) {
        guint16 type = tvb_get_ntohs(m->tvb, off), len = tvb_get_ntohs(m->tvb, off + 2);
        if (off + 4 + len > end)
            break;
        if (type == MSSTUN_A_USERNAME && !c->user) {
            c->user = (const guint8 *)tvb_memdup(m->pinfo->pool, m->tvb, off + 4, len);
            c->user_len = len;
        } else if (type == 0x001D && m->format == MSSTUN_FMT_RFC5389 && len >= 2 && !c->pw_alg) {
            c->pw_alg = tvb_get_ntohs(m->tvb, off + 4);
        } else if (type == 0x001E && m->format == MSSTUN_FMT_RFC5389 && len == 32 && c->userhash_off < 0) {
            c->userhash_off = off;
            c->userhash = (const guint8 *)tvb_memdup(m->pinfo->pool, m->tvb, off + 4, 32);
        } else if (((type == MSSTUN_A_MESSAGE_INTEGRITY && len >= 20 && len <= 32) ||
                    (type == MSSTUN_A_MI_SHA256 && len >= 16 && len <= 32)) && c->n_mi < MAX_MI) {
            c->mi[c->n_mi].off = off;
            c->mi[c->n_mi].type = type;
            c->mi[c->n_mi].len = len;
            c->n_mi++;
        }
        off += 4 + len + (padded ? MSSTUN_PAD4(len) : 0);
    }
}

/* First pass, every request with MESSAGE-INTEGRITY: its USERNAME, REALM,
 * PASSWORD-ALGORITHM and USERHASH, for its response. No HMAC here. */
static void
remember_request(mi_ctx_t *c)
{
    msstun_msg_t *m = c->m;
    wmem_allocator_t *fs = wmem_file_scope();
    req_ident_t *q;

    if (!tvb_bytes_exist(m->tvb, 4, 16) ||
        wmem_map_contains(trans_idents, tvb_bytes_to_str(m->pinfo->pool, m->tvb, 4, 16)))
        return;
    q = wmem_new0(fs, req_ident_t);
    if (c->user) {
        q->user = (guint8 *)wmem_memdup(fs, c->user, c->user_len);
        q->user_len = c->user_len;
    }
    q->realm = c->realm ? wmem_strdup(fs, c->realm) : NULL;
    q->pw_alg = c->pw_alg;
    q->userhash = c->userhash ? (guint8 *)wmem_memdup(fs, c->userhash, 32) : NULL;
    q->frame = m->pinfo->num;
    wmem_map_insert(trans_idents, tvb_bytes_to_str(fs, m->tvb, 4, 16), q);
}

/* HMAC of the message before the attribute at mi_off under one rule */
static gboolean
hmac_matches(mi_ctx_t *c, int rule, int algo, const msstun_key_t *k, int mi_off, int mi_len, const guint8 *want)
{
    msstun_msg_t *m = c->m;
    guint in_len = (guint)mi_off;
    guint8 *in;
    guint8 digest[32];
    static const guint8 zero_key = 0;
    const void *key = k->key;
    size_t key_len = k->len;

    if (rule != RULE_RFC5389)
        in_len = (in_len + 63) & ~63u;
    in = (guint8 *)wmem_alloc0(m->pinfo->pool, in_len);
    tvb_memcpy(m->tvb, in, 0, mi_off);
    if (rule == RULE_RFC5389) {
        int pad = m->unpadded ? 0 : MSSTUN_PAD4(mi_len);
        guint adj = (guint)(mi_off - MSSTUN_HDR_LEN + 4 + mi_len + pad);
        in[2] = (guint8)(adj >> 8);
        in[3] = (guint8)adj;
    }
    /* HMAC pads the key with zeros, so an empty key is the one-byte key 0 */
    if (key_len == 0) {
        key = &zero_key;
        key_len = 1;
    }
    if (ws_hmac_buffer(algo, digest, in, in_len, key, key_len) != 0)
        return FALSE;
    return memcmp(digest, want, mi_len) == 0;
}

static void
check_one_mi(mi_ctx_t *c, int idx)
{
    msstun_msg_t *m = c->m;
    int off = c->mi[idx].off, len = c->mi[idx].len;
    guint16 type = c->mi[idx].type;
    int rules[3], n_rules = 0, algo;
    guint8 want[32];
    proto_item *st, *it;
    int hit_cand = -1, hit_rule = 0, n_owned = 0;
    proto_tree *tree = attr_tree(m, off);

    if (type == MSSTUN_A_MI_SHA256) {
        algo = GCRY_MD_SHA256;
        rules[n_rules++] = RULE_RFC5389;
    } else {
        if (len != 20 && len != 32) {
            st = proto_tree_add_uint(tree, hf_msstun_att_hmac_status, m->tvb, off, 4 + len,
                                     PROTO_CHECKSUM_E_UNVERIFIED);
            proto_item_set_generated(st);
            msstun_msg_expert(m, st, &ei_msstun_att_hmac_length,
                                   "MESSAGE-INTEGRITY of %d bytes: neither HMAC-SHA1 (20) nor HMAC-SHA256 (32)", len);
            return;
        }
        algo = len == 32 ? GCRY_MD_SHA256 : GCRY_MD_SHA1;
        if (m->format == MSSTUN_FMT_RFC5389) {
            rules[n_rules++] = RULE_RFC5389;
            rules[n_rules++] = RULE_MSICE2_LEGACY;
        } else {
            rules[n_rules++] = RULE_RFC3489;
            rules[n_rules++] = RULE_RFC5389;
        }
    }
    tvb_memcpy(m->tvb, want, off + 4, len);
    for (int i = 0; i < c->n_cand && hit_cand < 0; i++)
        for (int r = 0; r < n_rules && hit_cand < 0; r++)
            if (hmac_matches(c, rules[r], algo, &c->cand[i], off, len, want)) {
                hit_cand = i;
                hit_rule = rules[r];
            }
    for (int i = 0; i < c->n_cand; i++)
        n_owned += c->cand[i].owned;

    if (c->n_cand == 0) {
        /* no key known: filterable (status 2), but a line saying so on every message is noise */
        st = proto_tree_add_uint(tree, hf_msstun_att_hmac_status, m->tvb, off, 4 + len, PROTO_CHECKSUM_E_UNVERIFIED);
        proto_item_set_hidden(st);
        return;
    }
    if (hit_cand >= 0) {
        st = proto_tree_add_uint(tree, hf_msstun_att_hmac_status, m->tvb, off, 4 + len, PROTO_CHECKSUM_E_GOOD);
        proto_item_set_generated(st);
        it = proto_tree_add_uint(tree, hf_msstun_att_hmac_rule, m->tvb, off, 4 + len, hit_rule);
        proto_item_set_generated(it);
        it = proto_tree_add_string(tree, hf_msstun_att_hmac_credential, m->tvb, off, 4 + len, c->cand[hit_cand].source);
        proto_item_set_generated(it);
    } else if (n_owned == 0) {
        /* only keys tried on the off chance (the password to try, a row for any user):
         * not fitting says nothing about the message */
        st = proto_tree_add_uint(tree, hf_msstun_att_hmac_status, m->tvb, off, 4 + len, PROTO_CHECKSUM_E_UNVERIFIED);
        proto_item_set_generated(st);
        it = proto_tree_add_string(tree, hf_msstun_att_hmac_credential, m->tvb, off, 4 + len, c->n_cand == 1 ?
                                   wmem_strdup_printf(m->pinfo->pool, "%s did not fit (not known to be this message's key)",
                                                      c->cand[0].source) :
                                   "no key fitted (none known to be this message's)");
        proto_item_set_generated(it);
    } else {
        st = proto_tree_add_uint(tree, hf_msstun_att_hmac_status, m->tvb, off, 4 + len, PROTO_CHECKSUM_E_BAD);
        proto_item_set_generated(st);
        it = proto_tree_add_string(tree, hf_msstun_att_hmac_credential, m->tvb, off, 4 + len,
                                   c->n_cand == 1 ? c->cand[0].source : "no configured key matched");
        proto_item_set_generated(it);
        msstun_msg_expert(m, st, &ei_msstun_att_hmac_bad,
                               "Bad %s (tried %d key%s)",
                               type == MSSTUN_A_MI_SHA256 ? "MESSAGE-INTEGRITY-SHA256" : "MESSAGE-INTEGRITY",
                               c->n_cand, plurality(c->n_cand, "", "s"));
    }
}

/* Does a tree, a filter, an expert listener or a report want the verdict?
 * (No report reads it; the HMACs are the expensive part.) */
static gboolean
mi_wanted(msstun_msg_t *m)
{
    proto_tree *t = m->tree;

    if (msstun_want_expert(m, &ei_msstun_att_hmac_bad))
        return TRUE;
    return t && (proto_field_is_referenced(t, hf_msstun_att_hmac_status) ||
                 proto_field_is_referenced(t, hf_msstun_att_hmac_rule) ||
                 proto_field_is_referenced(t, hf_msstun_att_hmac_credential) ||
                 proto_field_is_referenced(t, hf_msstun_att_userhash_user) ||
                 proto_field_is_referenced(t, ei_msstun_att_hmac_bad.hf) ||
                 proto_field_is_referenced(t, ei_msstun_att_hmac_length.hf));
}

void
msstun_check_integrity(msstun_msg_t *m)
{
    mi_ctx_t *c;
    gboolean no_keys = msstun_n_creds == 0 && wmem_map_size(sdp_passwords) == 0 &&
                       !(msstun_pref_password && *msstun_pref_password);
    gboolean wanted, remember;

    /* (the legacy copies are paired where FINGERPRINT is checked, tree or not) */
    /* Nothing to verify with (the common case): no candidate search, only the
     * hidden "unverified" status when a tree may want it. A MESSAGE-INTEGRITY
     * of an odd length still goes the long way, for its expert info. */
    if (no_keys && (!m->tree || m->mi_type == MSSTUN_A_MI_SHA256 || m->mi_len == 20 || m->mi_len == 32)) {
        if (m->tree && proto_field_is_referenced(m->tree, hf_msstun_att_hmac_status))
            proto_item_set_hidden(proto_tree_add_uint(attr_tree(m, m->mi_offset), hf_msstun_att_hmac_status, m->tvb,
                                                      m->mi_offset, 4 + m->mi_len, PROTO_CHECKSUM_E_UNVERIFIED));
        return;
    }
    wanted = mi_wanted(m);
    remember = !no_keys && !PINFO_FD_VISITED(m->pinfo) && m->cls == MSSTUN_CLASS_REQUEST &&
               wmem_map_size(trans_idents) < MSSTUN_MAX_TRANS_KEYS;
    if (!wanted && !remember)
        return;
    c = wmem_new0(m->pinfo->pool, mi_ctx_t);
    c->m = m;
    c->realm = m->realm;
    scan_attributes(c);
    if (c->n_mi == 0)
        return;
    if (remember)
        remember_request(c);
    if (!wanted)
        return;
    collect_candidates(c);
    for (int i = 0; i < c->n_mi; i++)
        check_one_mi(c, i);
}
