/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * gui_tables.c - the media-path model (media_path.c) as Wireshark's own
 * dialogs. Four tables (stat_tap_table_ui; Qt shows them as its "simple
 * statistics" dialog, tshark prints them): Statistics > MS-STUN/TURN/ICE
 * Diagnosis, ... TURN Allocations, ... RFC 6062 Connections, ... ICE Pairs;
 * -z msstun,diag_table, msstun,alloc_table, msstun,conns_table,
 * msstun,ice_table.
 *
 * Qt (4.0 to 4.6) puts a plugin's table dialogs in the Statistics menu
 * itself, titles as they are (the packet-statistics group; it drops a table
 * registered in the generic group; only the Tools menu splits titles on
 * "/"), hence titles that read as names there, and only stats_tree plugins
 * in the MS-STUN/TURN/ICE submenu: so
 * the diagnosis is also a stats_tree there, "MS-STUN/TURN/ICE/Diagnosis"
 * (tshark -z msstun_diag,tree): one item per element, "<element>: <verdict>:
 * <cause>", its count the element's messages and Min/Max Val its first and
 * last frame.
 *
 * The tables are a view: every verdict, cause and frame comes from the model,
 * so they say what -z msstun,diag and the expert infos say. The model is
 * complete only after the first pass; the GUI always retaps visited frames
 * (so does tshark -2), and the tables are filled from the model on the first
 * visited frame the tap delivers. A single pass (tshark without -2) gets one
 * row that says so. Every row names the frames to go to
 * (Go > Go to Packet; the expert infos of the same causes sit on those frames).
 */
#include "msstun.h"

#include <stdio.h>
#include <epan/tap.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/to_str.h>
#include <epan/proto_data.h>

enum { FILL_EMPTY, FILL_NOTE, FILL_DONE };

/* one table dialog; the UI hands the address of its first member back */
typedef struct gui_table {
    stat_tap_table_ui ui;
    const char *table_name;
    void (*fill)(stat_tap_table *t);
    int state;                         /* FILL_* since the last reset */
} gui_table_t;

/* ---- Cells ---------------------------------------------------------------- */

typedef struct {
    stat_tap_table_item_type *cells;
    guint n, max;
} row_t;

static void
cell_uint(row_t *r, guint v)
{
    if (r->n < r->max) {
        r->cells[r->n].type = TABLE_ITEM_UINT;
        r->cells[r->n++].value.uint_value = v;
    }
}

/* the table owns its strings: freed by free_cell() */
static void
cell_str(row_t *r, const char *s)
{
    if (r->n < r->max) {
        r->cells[r->n].type = TABLE_ITEM_STRING;
        r->cells[r->n++].value.string_value = g_strdup(s ? s : "");
    }
}

static void
cell_ep(row_t *r, const msstun_endpoint_t *ep)
{
    char buf[MAX_ADDR_STR_LEN + 8];

    if (!ep->valid) {
        cell_str(r, "");
        return;
    }
    msstun_endpoint_buf(ep, buf, sizeof buf);
    cell_str(r, buf);
}

static void
free_cell(stat_tap_table *t _U_, guint row _U_, guint col _U_, stat_tap_table_item_type *c)
{
    if (c->type == TABLE_ITEM_STRING) {
        g_free((char *)c->value.string_value);
        c->value.string_value = NULL;
    }
}

static void
clear_rows(stat_tap_table *t)
{
    for (guint i = 0; i < t->num_elements; i++) {
        for (guint j = 0; j < t->num_fields; j++)
            free_cell(t, i, j, &t->elements[i][j]);
        g_free(t->elements[i]);
    }
    g_free(t->elements);
    t->elements = NULL;
    t->num_elements = 0;
}

static row_t
row_begin(stat_tap_table *t)
{
    row_t r;
    r.max = t->num_fields;
    r.n = 0;
    r.cells = g_new0(stat_tap_table_item_type, r.max);
    return r;
}

static void
row_end(stat_tap_table *t, row_t *r)
{
    stat_tap_init_table_row(t, t->num_elements, r->max, r->cells);
    g_free(r->cells);
}

/* ---- What the model says about an element ------------------------------------ */

static const char *
verdict_name(const msstun_element_t *el)
{
    return el ? val_to_str_const(el->verdict, msstun_verdict_vals, "?") : "-";
}

/* the cause, without the element's own name in front, as the text report says it */
static char *
cause_text(const msstun_element_t *el)
{
    const msstun_event_t *ev;

    if (!el || !el->cause)
        return g_strdup("");
    ev = el->cause;
    return g_strdup_printf("%s%s", ev->owner == el ? ev->text + ev->what : ev->text,
                           el->softened ? " (another path carried the media)" : "");
}

static void
span_add(guint32 *first, guint32 *last, guint32 frame)
{
    if (!frame)
        return;
    if (!*first || frame < *first)
        *first = frame;
    if (frame > *last)
        *last = frame;
}

/* the frames an element covers: its requests and answers, its events and
 * what its tracker recorded */
static void
element_span(const msstun_element_t *el, guint32 *first, guint32 *last)
{
    wmem_array_t *lists[2] = { el->events, el->final_events };

    for (guint i = 0; el->trans && i < wmem_array_get_count(el->trans); i++) {
        const msstun_trans_t *t = *(msstun_trans_t **)wmem_array_index(el->trans, i);
        span_add(first, last, t->req_frame);
        span_add(first, last, t->rsp_frame);
    }
    for (int l = 0; l < 2; l++)
        for (guint i = 0; lists[l] && i < wmem_array_get_count(lists[l]); i++) {
            const msstun_event_t *ev = *(msstun_event_t **)wmem_array_index(lists[l], i);
            span_add(first, last, ev->frame);
            span_add(first, last, ev->last);
        }
    switch (el->kind) {
    case MSSTUN_EL_BINDING: {
        const msstun_binding_client_t *bc = (const msstun_binding_client_t *)el->obj;
        span_add(first, last, bc->first_in);
        span_add(first, last, bc->last_in);
        break;
    }
    case MSSTUN_EL_ALLOC: {
        const msstun_alloc_t *a = (const msstun_alloc_t *)el->obj;
        span_add(first, last, a->requested_in);
        span_add(first, last, a->success_in);
        span_add(first, last, a->deleted_in);
        break;
    }
    case MSSTUN_EL_CONN: {
        const msstun_tcp_conn_t *c = (const msstun_tcp_conn_t *)el->obj;
        span_add(first, last, c->announced_in);
        span_add(first, last, c->bound_in);
        span_add(first, last, c->bind_ok_in);
        span_add(first, last, c->bind_error_in);
        break;
    }
    case MSSTUN_EL_ICE_PAIR: {
        const msstun_ice_pair_t *p = (const msstun_ice_pair_t *)el->obj;
        for (int d = 0; d < 2; d++) {
            span_add(first, last, p->dir[d].first_check_in);
            span_add(first, last, p->dir[d].last_check_in);
        }
        span_add(first, last, p->media_last_in);
        break;
    }
    case MSSTUN_EL_ICE_SESSION: {
        const msstun_ice_session_t *s = (const msstun_ice_session_t *)el->obj;
        for (guint i = 0; s->pairs && i < wmem_array_get_count(s->pairs); i++) {
            const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, i);
            if (p->el)
                element_span(p->el, first, last);
        }
        break;
    }
    default:
        break;
    }
}

/* Frame, Last frame: the cause's frames; for an element that is OK, the
 * frames it covers */
static void
cells_frames(row_t *r, const msstun_element_t *el)
{
    guint32 first = 0, last = 0;

    if (el && el->cause) {
        cell_uint(r, el->cause->frame);
        cell_uint(r, el->cause->last);
        return;
    }
    if (el)
        element_span(el, &first, &last);
    cell_uint(r, first);
    cell_uint(r, last);
}

/* Frame, Last frame, Cause */
static void
cells_cause(row_t *r, const msstun_element_t *el)
{
    char *cause = cause_text(el);

    cells_frames(r, el);
    cell_str(r, cause);
    g_free(cause);
}

/* ---- The tables ------------------------------------------------------------------ */

static stat_tap_table_item diag_fields[] = {
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "#",          "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Element",    "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Verdict",    "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Frame",      "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Last frame", "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Cause",      "%s" },
};

/* the capture's verdict first (#0), then every element in the model's order */
static void
fill_diag(stat_tap_table *t)
{
    const msstun_capture_verdict_t *cv = msstun_path_finalize();
    wmem_array_t *els = msstun_path_elements();
    guint n = els ? wmem_array_get_count(els) : 0;
    guint32 first = 0, last = 0;
    row_t r = row_begin(t);

    cell_uint(&r, 0);
    cell_str(&r, "Capture");
    cell_str(&r, val_to_str_const(cv->verdict, msstun_verdict_vals, "?"));
    if (cv->cause) {
        char *cause = g_strdup_printf("%s%s", cv->cause->text,
                                      cv->el && cv->el->softened ? " (another path carried the media)" : "");
        cell_uint(&r, cv->cause->frame);
        cell_uint(&r, cv->cause->last);
        cell_str(&r, cause);
        g_free(cause);
    } else {
        for (guint i = 0; i < n; i++)
            element_span(*(msstun_element_t **)wmem_array_index(els, i), &first, &last);
        cell_uint(&r, first);
        cell_uint(&r, last);
        cell_str(&r, "");
    }
    row_end(t, &r);

    for (guint i = 0; i < n; i++) {
        const msstun_element_t *el = *(msstun_element_t **)wmem_array_index(els, i);
        r = row_begin(t);
        cell_uint(&r, i + 1);
        cell_str(&r, el->name);
        cell_str(&r, verdict_name(el));
        cells_cause(&r, el);
        row_end(t, &r);
    }
}

static stat_tap_table_item alloc_fields[] = {
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "#",              "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Verdict",        "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Client",         "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Server",         "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Transport",      "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Relayed",        "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Allocate in",    "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Allocated in",   "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Released in",    "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Permissions",    "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Channels",       "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Relayed frames", "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Frame",          "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Last frame",     "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Cause",          "%s" },
};

static void
fill_alloc(stat_tap_table *t)
{
    wmem_array_t *list = msstun_allocations();
    guint n = list ? wmem_array_get_count(list) : 0;

    msstun_path_finalize();
    for (guint i = 0; i < n; i++) {
        const msstun_alloc_t *a = *(msstun_alloc_t **)wmem_array_index(list, i);
        char transport[64];
        row_t r = row_begin(t);

        snprintf(transport, sizeof transport, "%s%s, %s relay", a->over_tcp ? "TCP" : "UDP",
                 a->msturn ? " [MS-TURN]" : "", a->transport == 6 ? "TCP" : "UDP");
        cell_uint(&r, a->id);
        cell_str(&r, verdict_name(a->el));
        cell_ep(&r, &a->client);
        cell_ep(&r, &a->server);
        cell_str(&r, transport);
        cell_ep(&r, &a->relayed);
        cell_uint(&r, a->requested_in);
        cell_uint(&r, a->success_in);
        cell_uint(&r, a->deleted_in);
        cell_uint(&r, a->permissions);
        cell_uint(&r, a->channels);
        cell_uint(&r, a->relayed_frames);
        cells_cause(&r, a->el);
        row_end(t, &r);
    }
}

static stat_tap_table_item conn_fields[] = {
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "#",                 "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Verdict",           "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Connection ID",     "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Peer",              "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Allocation",        "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Announced in",      "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "ConnectionBind in", "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Bound in",          "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Bind error",        "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Data frames",       "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Frame",             "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Last frame",        "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Cause",             "%s" },
};

static void
fill_conns(stat_tap_table *t)
{
    wmem_array_t *list = msstun_tcp_connections();
    guint n = list ? wmem_array_get_count(list) : 0;

    msstun_path_finalize();
    for (guint i = 0; i < n; i++) {
        const msstun_tcp_conn_t *c = *(msstun_tcp_conn_t **)wmem_array_index(list, i);
        char buf[96];
        row_t r = row_begin(t);

        cell_uint(&r, c->el ? c->el->id : i + 1);
        cell_str(&r, verdict_name(c->el));
        snprintf(buf, sizeof buf, "0x%08x", c->connection_id);
        cell_str(&r, buf);
        cell_ep(&r, &c->peer);
        cell_uint(&r, c->alloc ? c->alloc->id : 0);
        cell_uint(&r, c->announced_in);
        cell_uint(&r, c->bound_in);
        cell_uint(&r, c->bind_ok_in);
        if (c->bind_error_in)
            snprintf(buf, sizeof buf, "%u %s (frame %u)", c->bind_error,
                     val_to_str_const(c->bind_error, msstun_error_names, "Unknown"), c->bind_error_in);
        else
            buf[0] = '\0';
        cell_str(&r, buf);
        cell_uint(&r, c->data_frames);
        cells_cause(&r, c->el);
        row_end(t, &r);
    }
}

static stat_tap_table_item ice_fields[] = {
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "#",              "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Verdict",        "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Session",        "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Transport",      "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "A",              "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "B",              "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "A->B checks",    "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "A->B answered",  "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "B->A checks",    "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "B->A answered",  "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Nominated",      "%s" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Media frames",   "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Frame",          "%u" },
    { TABLE_ITEM_UINT,   TAP_ALIGN_RIGHT, "Last frame",     "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT,  "Cause",          "%s" },
};

static void
fill_ice(stat_tap_table *t)
{
    wmem_array_t *list = msstun_ice_pairs();
    guint n = list ? wmem_array_get_count(list) : 0;

    msstun_path_finalize();
    for (guint i = 0; i < n; i++) {
        const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(list, i);
        char buf[96];
        row_t r = row_begin(t);
        guint32 nom = 0;

        cell_uint(&r, p->id);
        cell_str(&r, verdict_name(p->el));
        snprintf(buf, sizeof buf, "%s%s%s%s", p->session && p->session->el ? p->session->el->name : "",
                 p->session ? " (" : "", p->session ? p->ufrags : "", p->session ? ")" : "");
        cell_str(&r, buf);
        snprintf(buf, sizeof buf, "%s%s%s", p->tcp ? "TCP" : "UDP", p->relayed ? ", relayed" : "",
                 p->ms_ice2 ? ", MS-ICE2" : "");
        cell_str(&r, buf);
        cell_ep(&r, &p->ep[0]);
        cell_ep(&r, &p->ep[1]);
        cell_uint(&r, p->dir[0].checks);
        cell_uint(&r, p->dir[0].answered);
        cell_uint(&r, p->dir[1].checks);
        cell_uint(&r, p->dir[1].answered);
        if (p->dir[0].nominated_in && (!p->dir[1].nominated_in || p->dir[0].nominated_in <= p->dir[1].nominated_in))
            nom = p->dir[0].nominated_in;
        else
            nom = p->dir[1].nominated_in;
        if (nom)
            snprintf(buf, sizeof buf, "frame %u", nom);
        else
            buf[0] = '\0';
        cell_str(&r, buf);
        cell_uint(&r, p->media_frames);
        cells_cause(&r, p->el);
        row_end(t, &r);
    }
}

/* ---- The tap -------------------------------------------------------------------- */

static void table_init(stat_tap_table_ui *ui);
static tap_packet_status table_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt,
                                      const void *data, tap_flags_t flags);
static void table_reset(stat_tap_table *t);

#define GUI_TABLE(title, cli, name, fields, fill) \
    { { REGISTER_PACKET_STAT_GROUP_UNSORTED, title, "msstun", cli, table_init, table_packet, table_reset, free_cell, \
        NULL, G_N_ELEMENTS(fields), fields, 0, NULL, NULL, 0 }, name, fill, FILL_EMPTY }

static gui_table_t gui_tables[] = {
    GUI_TABLE("MS-STUN/TURN/ICE Diagnosis", "msstun,diag_table", "Diagnosis", diag_fields, fill_diag),
    GUI_TABLE("MS-STUN/TURN/ICE TURN Allocations", "msstun,alloc_table", "TURN allocations", alloc_fields,
              fill_alloc),
    GUI_TABLE("MS-STUN/TURN/ICE RFC 6062 Connections", "msstun,conns_table", "RFC 6062 connections", conn_fields,
              fill_conns),
    GUI_TABLE("MS-STUN/TURN/ICE ICE Pairs", "msstun,ice_table", "ICE pairs", ice_fields, fill_ice),
};

static stat_tap_table *
table_of(gui_table_t *gt)
{
    return gt->ui.tables && gt->ui.tables->len ? g_array_index(gt->ui.tables, stat_tap_table *, 0) : NULL;
}

/* called each time a dialog (re)fills or tshark starts: one table per UI */
static void
table_init(stat_tap_table_ui *ui)
{
    gui_table_t *gt = (gui_table_t *)ui;
    stat_tap_table *t = table_of(gt);

    gt->state = FILL_EMPTY;
    if (t) {
        clear_rows(t);
        return;
    }
    t = stat_tap_init_table(gt->table_name, (int)ui->nfields, 0, NULL);
    stat_tap_add_table(ui, t);
}

static void
table_reset(stat_tap_table *t)
{
    for (size_t i = 0; i < G_N_ELEMENTS(gui_tables); i++)
        if (table_of(&gui_tables[i]) == t)
            gui_tables[i].state = FILL_EMPTY;
    clear_rows(t);
}

static tap_packet_status
table_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data _U_,
             tap_flags_t flags _U_)
{
    gui_table_t *gt = (gui_table_t *)((stat_data_t *)tapdata)->stat_tap_data;
    stat_tap_table *t = table_of(gt);

    if (!t || gt->state == FILL_DONE)
        return TAP_PACKET_DONT_REDRAW;
    if (!msstun_path_complete(pinfo)) {
        /* the first pass: the model is not complete yet */
        row_t r;
        if (gt->state == FILL_NOTE)
            return TAP_PACKET_DONT_REDRAW;
        r = row_begin(t);
        for (guint i = 0; i < t->num_fields; i++) {
            if (gt->ui.fields[i].type == TABLE_ITEM_UINT)
                cell_uint(&r, 0);
            else if (i == t->num_fields - 1)
                cell_str(&r, "the media-path model is complete after the first pass: run tshark with -2, "
                             "or open this dialog when the file has loaded");
            else
                cell_str(&r, "");
        }
        row_end(t, &r);
        gt->state = FILL_NOTE;
        return TAP_PACKET_REDRAW;
    }
    clear_rows(t);
    gt->fill(t);
    gt->state = FILL_DONE;
    return TAP_PACKET_REDRAW;
}

/* ---- The diagnosis as a stats_tree ------------------------------------------------ */

static gboolean diag_tree_done;

static void
diag_tree_init(stats_tree *st _U_)
{
    diag_tree_done = FALSE;
}

static void
diag_tree_element(stats_tree *st, const msstun_element_t *el, int parent)
{
    wmem_array_t *lists[2] = { el->events, el->final_events };
    char *cause = cause_text(el);
    char *name = g_strdup_printf("%s: %s%s%s", el->name, verdict_name(el), *cause ? ": " : "", cause);
    guint32 first = 0, last = 0;
    int id = stats_tree_create_node(st, name, parent, STAT_DT_INT, TRUE);
    guint n = el->trans ? wmem_array_get_count(el->trans) : 0;

    /* count: the element's requests and responses; Min/Max Val: its frames */
    for (guint i = 0; i < n; i++) {
        const msstun_trans_t *t = *(msstun_trans_t **)wmem_array_index(el->trans, i);
        avg_stat_node_add_value_int(st, name, parent, TRUE, (gint)t->req_frame);
        if (t->rsp_frame)
            avg_stat_node_add_value_int(st, name, parent, TRUE, (gint)t->rsp_frame);
    }
    if (!n) {
        element_span(el, &first, &last);
        if (first)
            avg_stat_node_add_value_int(st, name, parent, TRUE, (gint)first);
        if (last && last != first)
            avg_stat_node_add_value_int(st, name, parent, TRUE, (gint)last);
    }
    /* its problems, the cause among them, each with its frames */
    for (int l = 0; l < 2; l++)
        for (guint i = 0; lists[l] && i < wmem_array_get_count(lists[l]); i++) {
            const msstun_event_t *ev = *(msstun_event_t **)wmem_array_index(lists[l], i);
            char *what;
            if (ev->level == MSSTUN_V_OK)
                continue;
            what = g_strdup_printf("%s: %s", val_to_str_const(ev->level, msstun_verdict_vals, "?"),
                                   ev->owner == el ? ev->text + ev->what : ev->text);
            avg_stat_node_add_value_int(st, what, id, FALSE, (gint)ev->frame);
            if (ev->last != ev->frame)
                avg_stat_node_add_value_int(st, what, id, FALSE, (gint)ev->last);
            g_free(what);
        }
    if (el->kind == MSSTUN_EL_ICE_SESSION) {
        const msstun_ice_session_t *s = (const msstun_ice_session_t *)el->obj;
        for (guint i = 0; s->pairs && i < wmem_array_get_count(s->pairs); i++) {
            const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, i);
            if (p->el)
                diag_tree_element(st, p->el, id);
        }
    }
    g_free(name);
    g_free(cause);
}

static tap_packet_status
diag_tree_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_, const void *p _U_,
                 tap_flags_t flags _U_)
{
    const msstun_capture_verdict_t *cv;
    wmem_array_t *els;
    char *top;
    guint n;

    if (diag_tree_done)
        return TAP_PACKET_DONT_REDRAW;
    diag_tree_done = TRUE;
    if (!msstun_path_complete(pinfo)) {
        stats_tree_create_node(st, "the media-path model is complete after the first pass: run tshark with -2, "
                                   "or open this dialog when the file has loaded", 0, STAT_DT_INT, FALSE);
        return TAP_PACKET_REDRAW;
    }
    cv = msstun_path_finalize();
    els = msstun_path_elements();
    n = els ? wmem_array_get_count(els) : 0;
    top = g_strdup_printf("Capture: %s%s%s%s", val_to_str_const(cv->verdict, msstun_verdict_vals, "?"),
                          cv->cause ? ": " : "", cv->cause ? cv->cause->text : "",
                          cv->el && cv->el->softened ? " (another path carried the media)" : "");
    stats_tree_create_node(st, top, 0, STAT_DT_INT, FALSE);
    stat_node_set_flags(st, top, 0, FALSE, ST_FLG_SORT_TOP);
    if (cv->cause) {
        avg_stat_node_add_value_int(st, top, 0, FALSE, (gint)cv->cause->frame);
        if (cv->cause->last != cv->cause->frame)
            avg_stat_node_add_value_int(st, top, 0, FALSE, (gint)cv->cause->last);
    }
    for (guint i = 0; i < n; i++) {
        const msstun_element_t *el = *(msstun_element_t **)wmem_array_index(els, i);
        if (el->kind != MSSTUN_EL_ICE_PAIR || !el->parent)
            diag_tree_element(st, el, 0);
    }
    g_free(top);
    return TAP_PACKET_REDRAW;
}

void
msstun_register_gui_tables(void)
{
    /* items in the order of their first frame */
    stats_tree_register_plugin("msstun", "msstun_diag", "MS-STUN/TURN/ICE/Diagnosis",
                               (ST_SORT_COL_MIN << ST_FLG_SRTCOL_SHIFT) | ST_FLG_SORT_DESC, diag_tree_packet,
                               diag_tree_init, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(gui_tables); i++)
        register_stat_tap_table_ui(&gui_tables[i].ui);
}
