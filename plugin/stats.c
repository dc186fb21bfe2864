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
#include <wsutil/json_dumper.h>

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

/* ---- Reports: views of the media-path model ---------------------------------- */

enum { REPORT_BINDING = 1, REPORT_ALLOC = 2, REPORT_CONNS = 4, REPORT_ICE = 8, REPORT_ALL = 15,
       REPORT_VERDICT = 16, REPORT_JSON = 32 };

typedef struct {
    guint sections;
} msstun_report_t;

static const char *
ep_str(const msstun_endpoint_t *ep)
{
    static char buf[4][80];
    static int i;

    if (!ep->valid)
        return "?";
    i = (i + 1) & 3;
    msstun_endpoint_buf(ep, buf[i], sizeof buf[i]);
    return buf[i];
}

static const char *
error_str(guint16 code)
{
    static char buf[80];
    snprintf(buf, sizeof buf, "%u %s", code, val_to_str_const(code, msstun_error_names, "Unknown"));
    return buf;
}

static const char *
verdict_name(guint8 v)
{
    return val_to_str_const(v, msstun_verdict_vals, "?");
}

/* the cause, without the element's own name in front */
static const char *
cause_what(const msstun_element_t *el)
{
    const msstun_event_t *ev = el->cause;
    return ev->owner == el ? ev->text + ev->what : ev->text;
}

static void
print_verdict(const msstun_element_t *el, const char *indent, const char *ok_text)
{
    if (!el) {
        printf("%sverdict: %s\n", indent, ok_text ? ok_text : "OK");
        return;
    }
    if (el->verdict == MSSTUN_V_OK)
        printf("%sverdict: %s\n", indent, ok_text ? ok_text : "OK");
    else
        printf("%sverdict: %s: %s%s\n", indent, verdict_name(el->verdict), cause_what(el),
               el->softened ? " (another path carried the media)" : "");
}

/* the element's other problems, when it has more than its cause */
static void
print_problems(const msstun_element_t *el, const char *indent)
{
    wmem_array_t *lists[2] = { el->events, el->final_events };
    guint shown = 0;

    for (int l = 0; l < 2; l++) {
        guint n = lists[l] ? wmem_array_get_count(lists[l]) : 0;
        for (guint i = 0; i < n; i++) {
            const msstun_event_t *ev = *(msstun_event_t **)wmem_array_index(lists[l], i);
            if (ev == el->cause || ev->level == MSSTUN_V_OK)
                continue;
            if (!shown++)
                printf("%salso:\n", indent);
            printf("%s  %s: %s\n", indent, verdict_name(ev->level), ev->text + ev->what);
        }
    }
    if (el->dropped)
        printf("%s  (%u more messages with problems not listed)\n", indent, el->dropped);
}

static guint
count_kind(guint8 kind)
{
    wmem_array_t *els = msstun_path_elements();
    guint n = els ? wmem_array_get_count(els) : 0, c = 0;
    for (guint i = 0; i < n; i++)
        c += (*(msstun_element_t **)wmem_array_index(els, i))->kind == kind;
    return c;
}

static void
report_binding_clients(void)
{
    wmem_array_t *els = msstun_path_elements();
    guint n = els ? wmem_array_get_count(els) : 0;

    printf("STUN Binding clients: %u\n", count_kind(MSSTUN_EL_BINDING));
    for (guint i = 0; i < n; i++) {
        const msstun_element_t *el = *(msstun_element_t **)wmem_array_index(els, i);
        const msstun_binding_client_t *bc;
        if (el->kind != MSSTUN_EL_BINDING)
            continue;
        bc = (const msstun_binding_client_t *)el->obj;
        printf("  client %u: %s -> server %s over %s\n", el->id, ep_str(&bc->client), ep_str(&bc->server),
               bc->tcp ? "TCP" : "UDP");
        printf("    steps: %u requests from frame %u, %u answered, %u error responses", bc->requests, bc->first_in,
               bc->answered, bc->errors);
        if (bc->mapped.valid)
            printf(", mapped address %s (frame %u)", ep_str(&bc->mapped), bc->mapped_in);
        printf("\n");
        print_verdict(el, "    ", NULL);
        print_problems(el, "    ");
    }
}

static void
report_allocations(void)
{
    wmem_array_t *list = msstun_allocations();
    guint n = list ? wmem_array_get_count(list) : 0;

    printf("TURN allocations: %u\n", n);
    for (guint i = 0; i < n; i++) {
        const msstun_alloc_t *a = *(msstun_alloc_t **)wmem_array_index(list, i);
        char ok[64] = "OK";
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
        if (a->deleted_in)
            snprintf(ok, sizeof ok, "OK, released by the client in frame %u", a->deleted_in);
        print_verdict(a->el, "    ", ok);
        if (a->el)
            print_problems(a->el, "    ");
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
        if (c->bind_error_in)
            printf(" ConnectionBind refused with %s in frame %u,", error_str(c->bind_error), c->bind_error_in);
        printf(" %u peer data frames\n", c->data_frames);
        print_verdict(c->el, "    ", NULL);
        if (c->el)
            print_problems(c->el, "    ");
    }
}

static void
report_ice(void)
{
    wmem_array_t *els = msstun_path_elements();
    guint n = els ? wmem_array_get_count(els) : 0;
    wmem_array_t *pairs = msstun_ice_pairs();

    printf("ICE candidate pairs: %u\n", pairs ? wmem_array_get_count(pairs) : 0);
    for (guint i = 0; i < n; i++) {
        const msstun_element_t *el = *(msstun_element_t **)wmem_array_index(els, i);
        const msstun_ice_session_t *s;
        const msstun_ice_pair_t *ok_pair = NULL;
        char ok[64];
        guint np;

        if (el->kind != MSSTUN_EL_ICE_SESSION)
            continue;
        s = (const msstun_ice_session_t *)el->obj;
        np = wmem_array_get_count(s->pairs);
        printf("  ICE session %s%s\n", s->ufrags, s->ms_ice2 ? " (MS-ICE2)" : "");
        for (guint j = 0; j < np; j++) {
            const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, j);
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
            if (p->el && p->el->verdict != MSSTUN_V_OK)
                print_verdict(p->el, "      ", NULL);
            else if (!ok_pair && p->el)
                ok_pair = p;
        }
        for (guint j = 0; j < np; j++) {
            const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, j);
            guint32 at = p->dir[0].nominated_in ? p->dir[0].nominated_in : p->dir[1].nominated_in;
            if (at) {
                printf("    selected: pair %u, nominated in frame %u; %u media frames on it\n", p->id, at,
                       p->media_frames + (p->carrier && p->relayed ? p->carrier->media_frames : 0));
                break;
            }
        }
        if (ok_pair && (ok_pair->dir[0].checks == 0 || ok_pair->dir[1].checks == 0))
            snprintf(ok, sizeof ok, "OK: pair %u works (only one side sends checks: ICE-lite)", ok_pair->id);
        else if (ok_pair)
            snprintf(ok, sizeof ok, "OK: pair %u works in both directions", ok_pair->id);
        else
            snprintf(ok, sizeof ok, "OK");
        print_verdict(el, "    ", ok);
        print_problems(el, "    ");
    }
}

static void
report_text(const msstun_report_t *r, const msstun_capture_verdict_t *cv)
{
    printf("\n===================================================================\n");
    printf("msstun diagnosis\n");
    printf("===================================================================\n");
    if (r->sections & REPORT_VERDICT) {
        if (cv->verdict == MSSTUN_V_OK)
            printf("Verdict: OK\n");
        else
            printf("Verdict: %s: %s%s\n", verdict_name(cv->verdict), cv->cause->text,
                   cv->el->softened ? " (another path carried the media)" : "");
    }
    if (r->sections & REPORT_BINDING)
        report_binding_clients();
    if (r->sections & REPORT_ALLOC)
        report_allocations();
    if (r->sections & REPORT_CONNS)
        report_connections();
    if (r->sections & REPORT_ICE)
        report_ice();
    printf("===================================================================\n");
}

/* -z msstun,diag,json: one document for scripts */
static void
json_event(json_dumper *d, const msstun_event_t *ev)
{
    json_dumper_begin_object(d);
    json_dumper_set_member_name(d, "level");
    json_dumper_value_string(d, verdict_name(ev->level));
    json_dumper_set_member_name(d, "frame");
    json_dumper_value_anyf(d, "%u", ev->frame);
    json_dumper_set_member_name(d, "last_frame");
    json_dumper_value_anyf(d, "%u", ev->last);
    json_dumper_set_member_name(d, "text");
    json_dumper_value_string(d, ev->text);
    json_dumper_end_object(d);
}

static void
report_json(const msstun_capture_verdict_t *cv)
{
    static const char *const kinds[MSSTUN_EL_KINDS] = { "binding_client", "allocation", "rfc6062_connection",
                                                         "ice_session", "ice_pair", "other" };
    json_dumper d = { .output_file = stdout, .flags = JSON_DUMPER_FLAGS_PRETTY_PRINT };
    wmem_array_t *els = msstun_path_elements();
    guint n = els ? wmem_array_get_count(els) : 0;

    json_dumper_begin_object(&d);
    json_dumper_set_member_name(&d, "verdict");
    json_dumper_value_string(&d, verdict_name(cv->verdict));
    json_dumper_set_member_name(&d, "cause");
    if (cv->cause)
        json_event(&d, cv->cause);
    else
        json_dumper_value_anyf(&d, "null");
    json_dumper_set_member_name(&d, "elements");
    json_dumper_begin_array(&d);
    for (guint i = 0; i < n; i++) {
        const msstun_element_t *el = *(msstun_element_t **)wmem_array_index(els, i);
        wmem_array_t *lists[2] = { el->events, el->final_events };
        json_dumper_begin_object(&d);
        json_dumper_set_member_name(&d, "kind");
        json_dumper_value_string(&d, kinds[el->kind]);
        json_dumper_set_member_name(&d, "id");
        json_dumper_value_anyf(&d, "%u", el->id);
        json_dumper_set_member_name(&d, "name");
        json_dumper_value_string(&d, el->name);
        if (el->parent) {
            json_dumper_set_member_name(&d, "session");
            json_dumper_value_string(&d, el->parent->name);
        }
        json_dumper_set_member_name(&d, "verdict");
        json_dumper_value_string(&d, verdict_name(el->verdict));
        json_dumper_set_member_name(&d, "spare");
        json_dumper_value_anyf(&d, el->softened ? "true" : "false");
        json_dumper_set_member_name(&d, "cause");
        if (el->cause)
            json_event(&d, el->cause);
        else
            json_dumper_value_anyf(&d, "null");
        json_dumper_set_member_name(&d, "events");
        json_dumper_begin_array(&d);
        for (int l = 0; l < 2; l++)
            for (guint k = 0; lists[l] && k < wmem_array_get_count(lists[l]); k++)
                json_event(&d, *(msstun_event_t **)wmem_array_index(lists[l], k));
        json_dumper_end_array(&d);
        json_dumper_end_object(&d);
    }
    json_dumper_end_array(&d);
    json_dumper_end_object(&d);
    json_dumper_finish(&d);
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
    const msstun_capture_verdict_t *cv = msstun_path_finalize();

    if (r->sections & REPORT_JSON)
        report_json(cv);
    else
        report_text(r, cv);
}

static MSSTUN_TAP_INIT_RET
report_init(const char *opt_arg, void *userdata)
{
    msstun_report_t *r = g_new0(msstun_report_t, 1);
    GString *err;

    r->sections = GPOINTER_TO_UINT(userdata);
    if (opt_arg && g_str_has_suffix(opt_arg, ",json"))
        r->sections |= REPORT_JSON;
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
    static const guint sections[] = { REPORT_ALL | REPORT_VERDICT, REPORT_ALLOC, REPORT_CONNS, REPORT_ICE };

    stats_tree_register_plugin("msstun", "msstun", "MS-STUN, TURN and ICE Messages (msstun plugin)", 0,
                               msstun_stats_tree_packet, msstun_stats_tree_init, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(report_uis); i++)
        register_stat_tap_ui(&report_uis[i], GUINT_TO_POINTER(sections[i]));
    msstun_register_gui_tables();
}
