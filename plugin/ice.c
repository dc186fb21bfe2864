/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * ice.c - ICE candidate pairs (RFC 8445 7.2, [MS-ICE2] 3.1.4): Binding
 * requests grouped by the session's ufrags and the two transport endpoints,
 * with per-direction results. A check works only when it succeeds in each
 * direction; the second pass says which direction did not.
 *
 * Checks relayed through TURN (STUN inside DATA) use the peer address from
 * the enclosing Send/Data indication and the allocation's relayed address.
 */
#include "msstun.h"

#include <epan/to_str.h>

#define MSSTUN_MAX_PAIRS 20000

static wmem_map_t *msstun_pairs;          /* key string -> msstun_ice_pair_t */
static wmem_map_t *msstun_pairs_by_ep;    /* endpoints only -> last pair (keep-alives) */
static wmem_map_t *msstun_sessions;       /* ufrags -> msstun_ice_session_t */
static guint32 msstun_n_sessions;
static wmem_array_t *msstun_pair_list;
static msstun_cap_t pair_cap = { 0, "ICE candidate pairs" };

static guint pair_key_hash(gconstpointer k);
static gboolean pair_key_equal(gconstpointer a, gconstpointer b);

void
msstun_ice_init(void)
{
    msstun_pairs = wmem_map_new(wmem_file_scope(), pair_key_hash, pair_key_equal);
    msstun_pairs_by_ep = wmem_map_new(wmem_file_scope(), pair_key_hash, pair_key_equal);
    msstun_sessions = wmem_map_new(wmem_file_scope(), wmem_str_hash, g_str_equal);
    msstun_pair_list = wmem_array_new(wmem_file_scope(), sizeof(msstun_ice_pair_t *));
    msstun_n_sessions = 0;
    msstun_cap_reset(&pair_cap);
}

wmem_array_t *msstun_ice_pairs(void) { return msstun_pair_list; }

/* The two ends of the check this message belongs to */
static void
message_endpoints(const msstun_msg_t *m, msstun_endpoint_t *src, msstun_endpoint_t *dst, gboolean *relayed)
{
    packet_info *pinfo = m->pinfo;
    const msstun_msg_t *p = m->parent;

    src->addr = pinfo->src; src->port = (guint16)pinfo->srcport; src->valid = TRUE;
    dst->addr = pinfo->dst; dst->port = (guint16)pinfo->destport; dst->valid = TRUE;
    *relayed = FALSE;
    if (p && p->ep[MSSTUN_ADDR_PEER].valid) {
        gboolean to_peer = p->method == MSSTUN_M_SEND || p->method == MSSTUN_M_MS_SEND;
        const msstun_alloc_t *a = p->alloc;
        *relayed = TRUE;
        if (to_peer) {
            if (a && a->relayed.valid)
                *src = a->relayed;
            *dst = p->ep[MSSTUN_ADDR_PEER];
        } else {
            *src = p->ep[MSSTUN_ADDR_PEER];
            if (a && a->relayed.valid)
                *dst = a->relayed;
        }
    } else if (!p && m->over_tcp && msstun_rfc6062_relay_endpoints(pinfo, m->conv, src, dst)) {
        *relayed = TRUE;
    }
}

static int
endpoint_cmp(const msstun_endpoint_t *a, const msstun_endpoint_t *b)
{
    int c = cmp_address(&a->addr, &b->addr);
    return c ? c : (int)a->port - (int)b->port;
}

/* "A:B" -> "A/B" with the two ufrags sorted, so both directions share it */
static char *
session_key(wmem_allocator_t *scope, const char *username)
{
    const char *colon = strchr(username, ':');
    size_t la, lb;
    const char *a = username, *b;
    char *k;

    if (!colon)
        return wmem_strdup(scope, username);
    la = colon - username;
    b = colon + 1;
    lb = strlen(b);
    if (strncmp(a, b, MIN(la, lb)) > 0 || (strncmp(a, b, MIN(la, lb)) == 0 && la > lb)) {
        const char *t = a; size_t lt = la;
        a = b; la = lb; b = t; lb = lt;
    }
    k = (char *)wmem_alloc(scope, la + lb + 2);
    memcpy(k, a, la);
    k[la] = '/';
    memcpy(k + la + 1, b, lb);
    k[la + lb + 1] = '\0';
    return k;
}

/* Binary key: the two endpoints (sorted), TCP or not, and the session */
typedef struct {
    guint8  addr[2][16];
    guint16 port[2];
    guint8  alen, tcp;
    const char *ufrags;        /* NULL in msstun_pairs_by_ep */
} pair_key_t;

static guint
pair_key_hash(gconstpointer k)
{
    const pair_key_t *pk = (const pair_key_t *)k;
    guint h = pk->ufrags ? wmem_str_hash(pk->ufrags) : 0;
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < pk->alen; i++)
            h = h * 31 + pk->addr[s][i];
        h = h * 31 + pk->port[s];
    }
    return h ^ pk->tcp;
}

static gboolean
pair_key_equal(gconstpointer a, gconstpointer b)
{
    const pair_key_t *x = (const pair_key_t *)a, *y = (const pair_key_t *)b;
    if (x->alen != y->alen || x->tcp != y->tcp || x->port[0] != y->port[0] || x->port[1] != y->port[1] ||
        memcmp(x->addr, y->addr, sizeof x->addr) != 0)
        return FALSE;
    if (!x->ufrags || !y->ufrags)
        return x->ufrags == y->ufrags;
    return strcmp(x->ufrags, y->ufrags) == 0;
}

static void
copy_ep(msstun_endpoint_t *dst, const msstun_endpoint_t *src)
{
    copy_address_wmem(wmem_file_scope(), &dst->addr, &src->addr);
    dst->port = src->port;
    dst->valid = TRUE;
}

static void
fill_key(pair_key_t *key, const msstun_endpoint_t *lo, const msstun_endpoint_t *hi, gboolean tcp)
{
    memset(key, 0, sizeof *key);
    key->alen = (guint8)MIN(lo->addr.len, 16);
    memcpy(key->addr[0], lo->addr.data, key->alen);
    memcpy(key->addr[1], hi->addr.data, key->alen);
    key->port[0] = lo->port;
    key->port[1] = hi->port;
    key->tcp = (guint8)tcp;
}

/* The pair whose last check used this frame's two endpoints (media after it) */
msstun_ice_pair_t *
msstun_ice_pair_of_frame(packet_info *pinfo, gboolean tcp)
{
    msstun_endpoint_t src, dst;
    pair_key_t key;

    if (!msstun_pairs_by_ep || wmem_map_size(msstun_pairs_by_ep) == 0 || pinfo->src.len != pinfo->dst.len)
        return NULL;
    src.addr = pinfo->src; src.port = (guint16)pinfo->srcport; src.valid = TRUE;
    dst.addr = pinfo->dst; dst.port = (guint16)pinfo->destport; dst.valid = TRUE;
    if (endpoint_cmp(&src, &dst) <= 0)
        fill_key(&key, &src, &dst, tcp);
    else
        fill_key(&key, &dst, &src, tcp);
    return (msstun_ice_pair_t *)wmem_map_lookup(msstun_pairs_by_ep, &key);
}

/* The session a check belongs to. [MS-ICE] OC2007 checks (RFC 3489 header,
 * MESSAGE-INTEGRITY) carry a binary USERNAME made of per-candidate
 * credentials: such checks of a capture share one session. */
static const char oc2007_session[] = "[MS-ICE] OC2007";

static const char *
check_user(const msstun_msg_t *m)
{
    if (m->username)
        return m->username;
    if (m->format == MSSTUN_FMT_RFC3489 && m->method == MSSTUN_M_BINDING && m->seen_mi)
        return oc2007_session;
    return NULL;
}

static msstun_ice_pair_t *
find_pair(msstun_msg_t *m, gboolean create, guint8 *dir)
{
    packet_info *pinfo = m->pinfo;
    msstun_endpoint_t src, dst;
    const msstun_endpoint_t *lo, *hi;
    gboolean relayed;
    pair_key_t key, *kp;
    msstun_ice_pair_t *pr;

    message_endpoints(m, &src, &dst, &relayed);
    if (endpoint_cmp(&src, &dst) <= 0) { lo = &src; hi = &dst; *dir = 0; }
    else { lo = &dst; hi = &src; *dir = 1; }
    if (hi->addr.len != lo->addr.len)
        return NULL;
    fill_key(&key, lo, hi, m->over_tcp);
    if (!check_user(m))
        return (msstun_ice_pair_t *)wmem_map_lookup(msstun_pairs_by_ep, &key);
    key.ufrags = session_key(pinfo->pool, check_user(m));
    pr = (msstun_ice_pair_t *)wmem_map_lookup(msstun_pairs, &key);
    if (pr || !create)
        return pr;
    if (wmem_array_get_count(msstun_pair_list) >= MSSTUN_MAX_PAIRS) {
        msstun_cap_hit(&pair_cap, m);
        return NULL;
    }
    pr = wmem_new0(wmem_file_scope(), msstun_ice_pair_t);
    pr->id = wmem_array_get_count(msstun_pair_list) + 1;
    pr->ufrags = wmem_strdup(wmem_file_scope(), key.ufrags);
    copy_ep(&pr->ep[0], lo);
    copy_ep(&pr->ep[1], hi);
    pr->tcp = m->over_tcp;
    pr->relayed = relayed;
    pr->carrier = m->conv;
    pr->session = (msstun_ice_session_t *)wmem_map_lookup(msstun_sessions, pr->ufrags);
    if (!pr->session) {
        msstun_ice_session_t *se = wmem_new0(wmem_file_scope(), msstun_ice_session_t);
        se->id = ++msstun_n_sessions;
        se->ufrags = pr->ufrags;
        se->pairs = wmem_array_new(wmem_file_scope(), sizeof(msstun_ice_pair_t *));
        se->el = msstun_path_element(MSSTUN_EL_ICE_SESSION, se, NULL);
        wmem_map_insert(msstun_sessions, pr->ufrags, se);
        pr->session = se;
    }
    wmem_array_append_one(pr->session->pairs, pr);
    pr->el = msstun_path_element(MSSTUN_EL_ICE_PAIR, pr, pr->session->el);
    kp = (pair_key_t *)wmem_memdup(wmem_file_scope(), &key, sizeof key);
    kp->ufrags = pr->ufrags;
    wmem_map_insert(msstun_pairs, kp, pr);
    kp = (pair_key_t *)wmem_memdup(wmem_file_scope(), &key, sizeof key);
    kp->ufrags = NULL;
    wmem_map_insert(msstun_pairs_by_ep, kp, pr);
    wmem_array_append_one(msstun_pair_list, pr);
    return pr;
}

/* First pass: count what this message adds to its pair */
static msstun_ice_pair_t *
update_pair(msstun_msg_t *m)
{
    msstun_trans_t *t = m->trans;
    msstun_ice_pair_t *pr;
    msstun_ice_dir_t *d;
    guint8 dir;

    if (m->cls == MSSTUN_CLASS_REQUEST) {
        /* a connectivity check, not a plain STUN query (RFC 8445 7.1) */
        const char *user = check_user(m);
        if (!user || !(m->has_priority || m->ice_role || m->ms_ice2 || strchr(user, ':') || user == oc2007_session))
            return NULL;
        pr = find_pair(m, TRUE, &dir);
        if (!pr)
            return NULL;
        d = &pr->dir[dir];
        pr->ms_ice2 |= m->ms_ice2;
        pr->session->ms_ice2 |= m->ms_ice2;
        if (t && t->req_frame == m->pinfo->num) {
            t->pair = pr;
            t->pair_dir = dir;
            d->checks++;
            if (!d->first_check_in)
                d->first_check_in = m->pinfo->num;
            d->last_check_in = m->pinfo->num;
        } else {
            d->retransmissions++;
        }
        if (m->ice_role) {
            d->role = m->ice_role;
            d->tie_breaker = m->tie_breaker;
        }
        return pr;
    }
    if (m->cls == MSSTUN_CLASS_INDICATION) {
        pr = find_pair(m, FALSE, &dir);
        if (pr)
            pr->dir[dir].keepalives++;
        return pr;
    }
    if (!t || !t->pair || t->rsp_frame != m->pinfo->num)
        return t ? t->pair : NULL;
    pr = t->pair;
    d = &pr->dir[t->pair_dir];
    if (m->cls == MSSTUN_CLASS_SUCCESS) {
        d->answered++;
        if (!d->first_success_in)
            d->first_success_in = m->pinfo->num;
        if (t->req_use_candidate && !d->nominated++)
            d->nominated_in = m->pinfo->num;
        pr->session->successes++;
    } else {
        d->failed++;
        d->last_error = m->error_code;
        if (!d->first_error_in)
            d->first_error_in = m->pinfo->num;
        if (m->error_code == 487)
            d->role_conflicts++;
    }
    return pr;
}

static void
add_pair_tree(msstun_msg_t *m, msstun_ice_pair_t *pr, guint8 dir)
{
    const msstun_ice_dir_t *d = &pr->dir[dir], *r = &pr->dir[1 - dir];
    proto_item *ti;
    proto_tree *it;

    if (!m->tree)
        return;

    /* one line says it all: the counts are in its text and, for filters, hidden
     * fields (-V does not print them again); expanded, the frames to click.
     * A tree built only for a filter gets the fields without the text. */
    if (!msstun_tree_visible(m->tree)) {
        ti = proto_tree_add_uint(m->tree, hf_msstun_ice_pair, m->tvb, 0, 0, pr->id);
    } else {
        /* built by copies, one "%s" (printed on every Binding message with -V) */
        char text[3 * MAX_ADDR_STR_LEN + 160], num[12];
        size_t n = 0;
#define PUT(str) (n += g_strlcpy(text + n, (str), n < sizeof text ? sizeof text - n : 0), n = MIN(n, sizeof text - 1))
#define PUTU(v) (msstun_u32_to_str_buf((v), num, sizeof num), PUT(num))
        PUT("ICE candidate pair "); PUTU(pr->id); PUT(" ("); PUT(pr->ufrags); PUT(" ");
        msstun_endpoint_buf(&pr->ep[0], text + n, sizeof text - n); n += strlen(text + n);
        PUT(" <-> ");
        msstun_endpoint_buf(&pr->ep[1], text + n, sizeof text - n); n += strlen(text + n);
        PUT("): this way "); PUTU(d->answered); PUT("/"); PUTU(d->checks);
        PUT(" answered, other way "); PUTU(r->answered); PUT("/"); PUTU(r->checks);
        if (d->nominated + r->nominated)
            PUT(", nominated");
#undef PUT
#undef PUTU
        ti = proto_tree_add_uint_format(m->tree, hf_msstun_ice_pair, m->tvb, 0, 0, pr->id, "%s", text);
    }
    proto_item_set_generated(ti);
    it = proto_item_add_subtree(ti, ett_msstun_ice);
    proto_item_set_hidden(proto_tree_add_uint(it, hf_msstun_ice_dir_checks, m->tvb, 0, 0, d->checks));
    proto_item_set_hidden(proto_tree_add_uint(it, hf_msstun_ice_dir_answered, m->tvb, 0, 0, d->answered));
    if (d->first_success_in)
        proto_item_set_generated(proto_tree_add_uint(it, hf_msstun_ice_answered_in, m->tvb, 0, 0, d->first_success_in));
    proto_item_set_hidden(proto_tree_add_uint(it, hf_msstun_ice_dir_failed, m->tvb, 0, 0, d->failed));
    proto_item_set_hidden(proto_tree_add_uint(it, hf_msstun_ice_rev_checks, m->tvb, 0, 0, r->checks));
    proto_item_set_hidden(proto_tree_add_uint(it, hf_msstun_ice_rev_answered, m->tvb, 0, 0, r->answered));
    if (r->first_success_in)
        proto_item_set_generated(proto_tree_add_uint(it, hf_msstun_ice_rev_answered_in, m->tvb, 0, 0, r->first_success_in));
    proto_item_set_hidden(proto_tree_add_uint(it, hf_msstun_ice_nominated, m->tvb, 0, 0, d->nominated + r->nominated));
    if (d->nominated_in || r->nominated_in)
        proto_item_set_generated(proto_tree_add_uint(it, hf_msstun_ice_nominated_in, m->tvb, 0, 0,
                                                     d->nominated_in ? d->nominated_in : r->nominated_in));
}

void
msstun_track_ice(msstun_msg_t *m)
{
    msstun_ice_pair_t *pr = NULL;
    guint8 dir = 0;

    if (m->method != MSSTUN_M_BINDING)
        return;
    msstun_cap_show(&pair_cap, m);
    if (!PINFO_FD_VISITED(m->pinfo)) {
        pr = update_pair(m);
    } else if (m->cls == MSSTUN_CLASS_REQUEST || m->cls == MSSTUN_CLASS_INDICATION) {
        pr = find_pair(m, FALSE, &dir);
    } else if (m->trans) {
        pr = m->trans->pair;
    }
    if (!pr)
        return;
    if (m->cls != MSSTUN_CLASS_INDICATION)
        m->el = pr->el;
    if (m->cls == MSSTUN_CLASS_REQUEST || m->cls == MSSTUN_CLASS_INDICATION)
        find_pair(m, FALSE, &dir);
    else if (m->trans)
        dir = m->trans->pair_dir;
    add_pair_tree(m, pr, dir);
}
