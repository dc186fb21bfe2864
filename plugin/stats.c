/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * stats.c - the "msstun" tap, a stats_tree of message counts (Statistics menu
 * and tshark -z msstun,tree), and the plain-words reports
 * tshark -z msstun,diag (all), msstun,alloc, msstun,conns, msstun,ice:
 * per TURN allocation, RFC 6062 connection and ICE session, the steps the
 * media path went through and the first one that failed.
 */
#include "msstun.h"

#include <stdio.h>
#include <epan/tap.h>
#include <epan/stats_tree.h>
#include <epan/stat_tap_ui.h>
#include <epan/to_str.h>

int msstun_tap = -1;
static int msstun_expert_tap = 0;
static int msstun_hf_ws_expert = -1;

/* Expert text is worth formatting when someone will read it: a tree that is
 * shown (GUI, -V, PDML), a filter that names this expert or _ws.expert, or a
 * listener on the expert tap (tshark -z expert). A summary run or a filter
 * tree for another field would format it for nothing. */
gboolean
msstun_want_expert(const msstun_msg_t *m, expert_field *ei)
{
    if (msstun_expert_tap <= 0) {
        /* both exist once dissection starts, not yet at hand-off */
        msstun_expert_tap = find_tap_id("expert");
        msstun_hf_ws_expert = proto_registrar_get_id_byname("_ws.expert");
        if (msstun_expert_tap <= 0)
            return TRUE;
    }
    if (have_tap_listener(msstun_expert_tap))
        return TRUE;
    if (!m->tree)
        return FALSE;
    return msstun_tree_visible(m->tree) || (ei && proto_field_is_referenced(m->tree, ei->hf)) ||
           (msstun_hf_ws_expert > 0 && proto_field_is_referenced(m->tree, msstun_hf_ws_expert));
}

/* ---- stats_tree: counts -------------------------------------------------- */

static int st_node_msgs = -1, st_node_errors = -1, st_node_formats = -1;

static void
msstun_stats_tree_init(stats_tree *st)
{
    st_node_msgs = stats_tree_create_node(st, "Messages by type", 0, STAT_DT_INT, TRUE);
    st_node_errors = stats_tree_create_node(st, "Error responses by code", 0, STAT_DT_INT, TRUE);
    st_node_formats = stats_tree_create_node(st, "Header formats", 0, STAT_DT_INT, TRUE);
}

static tap_packet_status
msstun_stats_tree_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *p,
                         tap_flags_t flags _U_)
{
    const msstun_msg_t *m = (const msstun_msg_t *)p;
    char name[96];

    tick_stat_node(st, "Messages by type", 0, TRUE);
    snprintf(name, sizeof name, "%s %s", msstun_method_name(m->method),
             val_to_str_const(m->cls, msstun_class_names, "Unknown"));
    tick_stat_node(st, name, st_node_msgs, FALSE);
    if (m->cls == MSSTUN_CLASS_ERROR) {
        tick_stat_node(st, "Error responses by code", 0, TRUE);
        snprintf(name, sizeof name, "%u %s", m->error_code, val_to_str_const(m->error_code, msstun_error_names, "Unknown"));
        tick_stat_node(st, name, st_node_errors, FALSE);
    }
    tick_stat_node(st, "Header formats", 0, TRUE);
    tick_stat_node(st, val_to_str_const(m->format, msstun_network_version_vals, "Unknown"), st_node_formats, FALSE);
    return TAP_PACKET_REDRAW;
}

/* ---- Reports --------------------------------------------------------------- */

enum { REPORT_ALLOC = 1, REPORT_CONNS = 2, REPORT_ICE = 4, REPORT_ALL = 7 };

typedef struct {
    guint sections;
} msstun_report_t;

static const char *
ep_str(const msstun_endpoint_t *ep)
{
    static char buf[4][80];
    static int i;
    char a[64];

    if (!ep->valid)
        return "?";
    i = (i + 1) & 3;
    address_to_str_buf(&ep->addr, a, sizeof a);
    snprintf(buf[i], sizeof buf[i], ep->addr.type == AT_IPv6 ? "[%s]:%u" : "%s:%u", a, ep->port);
    return buf[i];
}

static const char *
error_str(guint16 code)
{
    static char buf[80];
    snprintf(buf, sizeof buf, "%u %s", code, val_to_str_const(code, msstun_error_names, "Unknown"));
    return buf;
}

static gboolean
alloc_expired(const msstun_alloc_t *a)
{
    nstime_t end = a->last_refresh_time;
    if (!a->success_in || a->deleted_in || a->lifetime == 0)
        return FALSE;
    end.secs += a->lifetime;
    return nstime_cmp(&end, &msstun_last_time) < 0;
}

static void
report_allocations(void)
{
    wmem_array_t *list = msstun_allocations();
    guint n = list ? wmem_array_get_count(list) : 0;

    printf("TURN allocations: %u\n", n);
    for (guint i = 0; i < n; i++) {
        const msstun_alloc_t *a = *(msstun_alloc_t **)wmem_array_index(list, i);
        printf("  allocation %u: client %s -> server %s over %s%s, %s relay\n", a->id, ep_str(&a->client),
               ep_str(&a->server), a->over_tcp ? "TCP" : "UDP", a->msturn ? " ([MS-TURN])" : "",
               a->transport == 6 ? "TCP" : "UDP");
        printf("    steps: Allocate in frame %u", a->requested_in);
        if (a->auth_challenges)
            printf(", 401 challenge x%u", a->auth_challenges);
        if (a->success_in)
            printf(", allocated in frame %u: relayed %s, reflexive %s, lifetime %u s", a->success_in,
                   ep_str(&a->relayed), ep_str(&a->reflexive), a->lifetime);
        printf("\n");
        if (a->success_in)
            printf("    use: %u refreshes, %u permissions, %u channels, %u TCP connections, %u relayed frames%s\n",
                   a->refreshes, a->permissions, a->channels, a->tcp_connections, a->relayed_frames,
                   a->active_dest_in ? ", active destination set" : "");
        printf("    verdict: ");
        if (a->failed_in)
            printf("FAILED at Allocate: %s (frame %u)\n", error_str(a->last_error), a->failed_in);
        else if (!a->success_in && a->auth_failures)
            printf("FAILED: wrong credentials, 401 after credentials were sent (frame %u)\n", a->last_error_in);
        else if (!a->success_in && a->last_error_in)
            printf("FAILED: last answer %s (frame %u)\n", error_str(a->last_error), a->last_error_in);
        else if (!a->success_in)
            printf("FAILED: no success response to Allocate\n");
        else if (a->refresh_failures)
            printf("WARNING: %u refreshes failed, last error %s (frame %u)\n", a->refresh_failures,
                   error_str(a->last_error), a->last_error_in);
        else if (a->deleted_in)
            printf("OK, released by the client in frame %u\n", a->deleted_in);
        else if (alloc_expired(a))
            printf("EXPIRED: the lifetime ran out without a refresh\n");
        else
            printf("OK\n");
    }
}

static void
report_connections(void)
{
    wmem_array_t *list = msstun_tcp_connections();
    guint n = list ? wmem_array_get_count(list) : 0;

    printf("RFC 6062 TCP connections: %u\n", n);
    for (guint i = 0; i < n; i++) {
        const msstun_tcp_conn_t *c = *(msstun_tcp_conn_t **)wmem_array_index(list, i);
        printf("  connection 0x%08x: peer %s", c->connection_id, ep_str(&c->peer));
        if (c->alloc)
            printf(", allocation %u", c->alloc->id);
        printf("\n    steps:");
        if (c->announced_in)
            printf(" announced in frame %u,", c->announced_in);
        if (c->bound_in)
            printf(" ConnectionBind in frame %u,", c->bound_in);
        if (c->bind_ok_in)
            printf(" bound in frame %u,", c->bind_ok_in);
        printf(" %u peer data frames\n    verdict: ", c->data_frames);
        if (c->bind_error_in)
            printf("FAILED: ConnectionBind got %s (frame %u)\n", error_str(c->bind_error), c->bind_error_in);
        else if (!c->announced_in)
            printf("FAILED: ConnectionBind claims a CONNECTION-ID nobody announced (frame %u)\n", c->bound_in);
        else if (!c->bound_in)
            printf("FAILED: the client never bound the connection (no ConnectionBind)\n");
        else if (!c->bind_ok_in)
            printf("FAILED: ConnectionBind got no success response (frame %u)\n", c->bound_in);
        else if (!c->data_frames)
            printf("WARNING: bound, but no peer data seen\n");
        else
            printf("OK\n");
    }
}

static void
report_ice(void)
{
    wmem_array_t *list = msstun_ice_pairs();
    guint n = list ? wmem_array_get_count(list) : 0;
    GHashTable *done = g_hash_table_new(g_str_hash, g_str_equal);

    printf("ICE candidate pairs: %u\n", n);
    for (guint i = 0; i < n; i++) {
        const msstun_ice_pair_t *s = *(msstun_ice_pair_t **)wmem_array_index(list, i);
        const msstun_ice_pair_t *both = NULL, *oneway = NULL;
        guint oneway_dir = 0;

        if (g_hash_table_contains(done, s->ufrags))
            continue;
        g_hash_table_add(done, (gpointer)s->ufrags);
        printf("  ICE session %s%s\n", s->ufrags, s->ms_ice2 ? " (MS-ICE2)" : "");
        for (guint j = i; j < n; j++) {
            const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(list, j);
            if (strcmp(p->ufrags, s->ufrags) != 0)
                continue;
            printf("    pair %u %s %s <-> %s%s\n", p->id, p->tcp ? "TCP" : "UDP", ep_str(&p->ep[0]), ep_str(&p->ep[1]),
                   p->relayed ? " (relayed)" : "");
            for (int d = 0; d < 2; d++) {
                const msstun_ice_dir_t *x = &p->dir[d];
                printf("      %s -> %s: %u checks (%u retransmitted), %u answered, %u failed%s%s%s\n",
                       ep_str(&p->ep[d]), ep_str(&p->ep[1 - d]), x->checks, x->retransmissions, x->answered,
                       x->failed, x->nominated ? ", nominated" : "",
                       x->role == 1 ? ", controlling" : x->role == 2 ? ", controlled" : "",
                       x->keepalives ? ", keep-alives" : "");
            }
            if (p->dir[0].answered && p->dir[1].answered) {
                if (!both)
                    both = p;
            } else if ((p->dir[0].answered || p->dir[1].answered) && !oneway) {
                oneway = p;
                oneway_dir = p->dir[0].answered ? 1 : 0;
            }
        }
        printf("    verdict: ");
        if (both)
            printf("OK: pair %u works in both directions\n", both->id);
        else if (oneway)
            printf("FAILED: pair %u works one way only; checks %s -> %s got no success response\n", oneway->id,
                   ep_str(&oneway->ep[oneway_dir]), ep_str(&oneway->ep[1 - oneway_dir]));
        else
            printf("FAILED: no check succeeded on any pair\n");
    }
    g_hash_table_destroy(done);
}

static tap_packet_status
report_packet(void *tapdata _U_, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *data _U_,
              tap_flags_t flags _U_)
{
    return TAP_PACKET_DONT_REDRAW;
}

static void
report_draw(void *tapdata)
{
    const msstun_report_t *r = (const msstun_report_t *)tapdata;

    printf("\n===================================================================\n");
    printf("msstun diagnosis\n");
    printf("===================================================================\n");
    if (r->sections & REPORT_ALLOC)
        report_allocations();
    if (r->sections & REPORT_CONNS)
        report_connections();
    if (r->sections & REPORT_ICE)
        report_ice();
    printf("===================================================================\n");
}

static MSSTUN_TAP_INIT_RET
report_init(const char *opt_arg, void *userdata)
{
    msstun_report_t *r = g_new0(msstun_report_t, 1);
    GString *err;

    r->sections = GPOINTER_TO_UINT(userdata);
    (void)opt_arg;
    err = register_tap_listener("msstun", r, NULL, TL_REQUIRES_NOTHING, NULL, report_packet, report_draw, NULL);
    if (err) {
        fprintf(stderr, "msstun: %s\n", err->str);
        g_string_free(err, TRUE);
        g_free(r);
        MSSTUN_TAP_INIT_RETURN(false);
    }
    MSSTUN_TAP_INIT_RETURN(true);
}

static stat_tap_ui report_uis[] = {
    { REGISTER_STAT_GROUP_GENERIC, NULL, "msstun,diag", report_init, 0, NULL },
    { REGISTER_STAT_GROUP_GENERIC, NULL, "msstun,alloc", report_init, 0, NULL },
    { REGISTER_STAT_GROUP_GENERIC, NULL, "msstun,conns", report_init, 0, NULL },
    { REGISTER_STAT_GROUP_GENERIC, NULL, "msstun,ice", report_init, 0, NULL },
};

void
msstun_register_stats(void)
{
    static const guint sections[] = { REPORT_ALL, REPORT_ALLOC, REPORT_CONNS, REPORT_ICE };

    stats_tree_register_plugin("msstun", "msstun", "MS-STUN/TURN/ICE/Messages", 0,
                               msstun_stats_tree_packet, msstun_stats_tree_init, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(report_uis); i++)
        register_stat_tap_ui(&report_uis[i], GUINT_TO_POINTER(sections[i]));
}
