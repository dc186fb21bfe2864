/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * media_path.c - one model of the media path: the elements a capture shows
 * (STUN Binding clients, TURN allocations, RFC 6062 connections, ICE sessions
 * and their pairs), the events that matter in each with their frames, and a
 * verdict per element and for the capture.
 *
 * Two kinds of events:
 *  - what one message shows (an error response, a malformed message), kept
 *    as the first pass meets it (file scope);
 *  - what only the whole capture shows (a request never answered, a pair
 *    that works one way, a 438 never retried), made by msstun_path_finalize()
 *    in a scope of its own that is remade when frames were added since.
 * The verdict of each element is its worst event; OK only when nothing in
 * it failed. A spare (an allocation, Binding client or pair that failed
 * while another path carried the media) is softened to WARNING, never a
 * wire error. The expert infos of the verdicts are raised from here on the
 * frame of each cause, so the report, the GUI tables and the Expert
 * Information dialog say the same.
 */
#include "msstun.h"

#include <stdio.h>
#include <epan/to_str.h>
#include <epan/proto_data.h>
#include <wsutil/str_util.h>

#define MSSTUN_MAX_ELEMENTS        200000
#define MSSTUN_MAX_BINDING_CLIENTS 20000
#define MSSTUN_MAX_EVENTS          32      /* per element, what single messages showed */
#define MSSTUN_MAX_ELEMENT_TRANS   4096    /* requests kept per element for the verdict */

const value_string msstun_verdict_vals[] = {
    { MSSTUN_V_OK,      "OK" },
    { MSSTUN_V_WARNING, "WARNING" },
    { MSSTUN_V_FAILED,  "FAILED" },
    { 0, NULL }
};

static const char *const kind_names[MSSTUN_EL_KINDS] = {
    "STUN Binding client", "TURN allocation", "RFC 6062 connection", "ICE session", "ICE pair",
    "Other STUN messages"
};

static wmem_array_t *elements;             /* msstun_element_t *, in order of creation */
static guint32 n_kind[MSSTUN_EL_KINDS];
static wmem_map_t *binding_clients;        /* 5-tuple key -> msstun_binding_client_t */
static msstun_element_t *other_el;
static msstun_cap_t element_cap = { 0, "media-path elements" };

/* the finalized view */
static wmem_allocator_t *final_scope;
static wmem_map_t *final_marks;            /* frame -> mark_t list: experts to raise there */
static guint32 frames_seen, final_frames;  /* finalize again when frames were added since */
static gboolean final_done;
static guint32 complete_num;               /* the frame last dissected with the whole file seen */
static msstun_capture_verdict_t capture_verdict;

static guint client_key_hash(gconstpointer k);
static gboolean client_key_equal(gconstpointer a, gconstpointer b);

typedef struct mark {
    expert_field *ei;
    const char *text;
    struct mark *next;
} mark_t;

void
msstun_path_init(void)
{
    elements = wmem_array_new(wmem_file_scope(), sizeof(msstun_element_t *));
    memset(n_kind, 0, sizeof n_kind);
    binding_clients = wmem_map_new(wmem_file_scope(), client_key_hash, client_key_equal);
    other_el = NULL;
    msstun_cap_reset(&element_cap);
    frames_seen = final_frames = complete_num = 0;
    final_done = FALSE;
    memset(&capture_verdict, 0, sizeof capture_verdict);
}

void
msstun_path_cleanup(void)
{
    if (final_scope)
        wmem_destroy_allocator(final_scope);
    final_scope = NULL;
    final_marks = NULL;
    final_done = FALSE;
}

wmem_array_t *msstun_path_elements(void) { return elements; }

msstun_element_t *
msstun_path_element(guint8 kind, void *obj, msstun_element_t *parent)
{
    msstun_element_t *el;

    if (wmem_array_get_count(elements) >= MSSTUN_MAX_ELEMENTS)
        return NULL;
    el = wmem_new0(wmem_file_scope(), msstun_element_t);
    el->kind = kind;
    el->id = ++n_kind[kind];
    el->obj = obj;
    el->parent = parent;
    el->name = kind == MSSTUN_EL_OTHER ? kind_names[kind]
                                       : wmem_strdup_printf(wmem_file_scope(), "%s %u", kind_names[kind], el->id);
    el->events = wmem_array_new(wmem_file_scope(), sizeof(msstun_event_t *));
    el->trans = wmem_array_new(wmem_file_scope(), sizeof(msstun_trans_t *));
    wmem_array_append_one(elements, el);
    return el;
}

/* ---- Events --------------------------------------------------------------- */

static msstun_event_t *
event_vnew(wmem_allocator_t *scope, const msstun_element_t *el, guint32 frame, guint32 last, guint8 level,
           const char *fmt, va_list ap)
{
    msstun_event_t *ev = wmem_new0(scope, msstun_event_t);
    char *what = wmem_strdup_vprintf(scope, fmt, ap);

    ev->frame = frame;
    ev->last = last ? last : frame;
    ev->level = level;
    ev->owner = el;
    ev->text = wmem_strdup_printf(scope, "%s: %s", el->name, what);
    ev->what = (guint16)(strlen(el->name) + 2);
    return ev;
}

/* what one message showed: first pass only */
static msstun_event_t * G_GNUC_PRINTF(5, 6)
live_event(msstun_element_t *el, guint32 frame, guint32 last, guint8 level, const char *fmt, ...)
{
    va_list ap;
    msstun_event_t *ev;

    if (wmem_array_get_count(el->events) >= MSSTUN_MAX_EVENTS) {
        el->dropped++;
        return NULL;
    }
    va_start(ap, fmt);
    ev = event_vnew(wmem_file_scope(), el, frame, last, level, fmt, ap);
    va_end(ap);
    wmem_array_append_one(el->events, ev);
    return ev;
}

/* what the whole capture shows: finalize only */
static msstun_event_t * G_GNUC_PRINTF(5, 6)
final_event(msstun_element_t *el, guint32 frame, guint32 last, guint8 level, const char *fmt, ...)
{
    va_list ap;
    msstun_event_t *ev;

    va_start(ap, fmt);
    ev = event_vnew(final_scope, el, frame, last, level, fmt, ap);
    va_end(ap);
    wmem_array_append_one(el->final_events, ev);
    return ev;
}

static void
add_mark(guint32 frame, expert_field *ei, const char *text)
{
    mark_t *mk = wmem_new(final_scope, mark_t);
    mk->ei = ei;
    mk->text = text;
    mk->next = (mark_t *)wmem_map_lookup(final_marks, GUINT_TO_POINTER(frame));
    wmem_map_insert(final_marks, GUINT_TO_POINTER(frame), mk);
}

/* An expert info a message raised about itself; the worst one becomes an
 * event of its element (malformed on the wire, or a bad integrity check). */
void
msstun_msg_problem(msstun_msg_t *m, guint8 level, const char *text)
{
    if (PINFO_FD_VISITED(m->pinfo) || level <= m->problem)
        return;
    m->problem = level;
    m->problem_text = text;
}

/* What each of msstun's expert infos means for its element: MSSTUN_V_* by
 * its severity, and its summary for the ones raised without a text */
typedef struct {
    guint8 level;
    const char *summary;
} expert_meaning_t;
static GHashTable *expert_meanings;

void
msstun_path_expert_level(expert_field *ei, int severity, const char *summary)
{
    expert_meaning_t *em = g_new(expert_meaning_t, 1);
    if (!expert_meanings)
        expert_meanings = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    em->level = severity >= PI_ERROR ? MSSTUN_V_FAILED : severity >= PI_WARN ? MSSTUN_V_WARNING : MSSTUN_V_OK;
    em->summary = summary;
    g_hash_table_insert(expert_meanings, ei, em);
}

static const expert_meaning_t *
meaning(expert_field *ei)
{
    static const expert_meaning_t none = { MSSTUN_V_OK, "" };
    const expert_meaning_t *em = expert_meanings ? (const expert_meaning_t *)g_hash_table_lookup(expert_meanings, ei) : NULL;
    return em ? em : &none;
}

/* An expert info about a message itself (lengths, values, integrity): raised,
 * and remembered for the message's element when it is a warning or worse */
void
msstun_msg_expert(msstun_msg_t *m, proto_item *pi, expert_field *ei, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = wmem_strdup_vprintf(m->pinfo->pool, fmt, ap);
    va_end(ap);
    expert_add_info_format(m->pinfo, pi, ei, "%s", text);
    msstun_msg_problem(m, meaning(ei)->level, text);
}

/* the same with the expert's own summary */
void
msstun_msg_expert0(msstun_msg_t *m, proto_item *pi, expert_field *ei)
{
    expert_add_info(m->pinfo, pi, ei);
    msstun_msg_problem(m, meaning(ei)->level, meaning(ei)->summary);
}

/* ---- Which element a message belongs to ----------------------------------- */

/* Binding clients by client and server endpoint: a binary key, no strings per frame */
typedef struct {
    guint8  addr[2][16];
    guint16 port[2];
    guint8  alen, tcp;
} client_key_t;

static guint
client_key_hash(gconstpointer k)
{
    const client_key_t *ck = (const client_key_t *)k;
    guint h = ck->tcp;
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < ck->alen; i++)
            h = h * 31 + ck->addr[s][i];
        h = h * 31 + ck->port[s];
    }
    return h;
}

static gboolean
client_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(client_key_t)) == 0;
}

static void
set_ep(msstun_endpoint_t *ep, const address *a, guint32 port)
{
    copy_address_wmem(wmem_file_scope(), &ep->addr, a);
    ep->port = (guint16)port;
    ep->valid = TRUE;
}

/* A Binding request that is no ICE check: a client asking a STUN server */
static msstun_element_t *
binding_client(msstun_msg_t *m)
{
    packet_info *pinfo = m->pinfo;
    msstun_binding_client_t *bc;
    client_key_t key;

    if (pinfo->src.len != pinfo->dst.len || pinfo->src.len > 16)
        return NULL;
    memset(&key, 0, sizeof key);
    key.alen = (guint8)pinfo->src.len;
    memcpy(key.addr[0], pinfo->src.data, key.alen);
    memcpy(key.addr[1], pinfo->dst.data, key.alen);
    key.port[0] = (guint16)pinfo->srcport;
    key.port[1] = (guint16)pinfo->destport;
    key.tcp = (guint8)m->over_tcp;
    bc = (msstun_binding_client_t *)wmem_map_lookup(binding_clients, &key);
    if (bc)
        return bc->el;
    if (wmem_map_size(binding_clients) >= MSSTUN_MAX_BINDING_CLIENTS) {
        msstun_cap_hit(&element_cap, m);
        return NULL;
    }
    bc = wmem_new0(wmem_file_scope(), msstun_binding_client_t);
    set_ep(&bc->client, &pinfo->src, pinfo->srcport);
    set_ep(&bc->server, &pinfo->dst, pinfo->destport);
    bc->tcp = m->over_tcp;
    bc->first_in = pinfo->num;
    bc->el = msstun_path_element(MSSTUN_EL_BINDING, bc, NULL);
    if (!bc->el)
        return NULL;
    wmem_map_insert(binding_clients, wmem_memdup(wmem_file_scope(), &key, sizeof key), bc);
    return bc->el;
}

static msstun_element_t *
element_of(msstun_msg_t *m)
{
    msstun_trans_t *t = m->trans;

    if (m->el)
        return m->el;                      /* a tracker knew it */
    if (t && t->el)
        return t->el;                      /* a response, maybe from another address */
    if (m->method == MSSTUN_M_BINDING && m->cls == MSSTUN_CLASS_REQUEST && (!t || !t->pair))
        return binding_client(m);
    if (!other_el)
        other_el = msstun_path_element(MSSTUN_EL_OTHER, NULL, NULL);
    return other_el;
}

/* ---- What one message shows ------------------------------------------------ */

static const char *
code_name(guint16 code)
{
    return val_to_str_const(code, msstun_error_names, "Unknown");
}

/* An error response that decides by itself: a refusal the client cannot
 * mend by retrying (401 challenges, 438 and ICE role conflicts are judged
 * with the whole capture). */
static void
error_response_event(msstun_msg_t *m, msstun_element_t *el)
{
    const char *method = msstun_method_name(m->method);
    guint16 code = m->error_code;
    guint32 req = m->trans ? m->trans->req_frame : 0;

    if (code == 401 || code == 438 || code == 300 || m->method == MSSTUN_M_BINDING)
        return;
    live_event(el, m->pinfo->num, 0, MSSTUN_V_FAILED, "%s refused, %u %s (frame %u%s%s)", method, code,
               code_name(code), m->pinfo->num, req ? ", request in frame " : "",
               req ? wmem_strdup_printf(m->pinfo->pool, "%u", req) : "");
}

static void
binding_client_update(msstun_msg_t *m, msstun_binding_client_t *bc)
{
    msstun_trans_t *t = m->trans;

    if (m->cls == MSSTUN_CLASS_REQUEST) {
        if (t && t->req_frame == m->pinfo->num)
            bc->requests++;
        bc->last_in = m->pinfo->num;
    } else if (t && t->rsp_frame == m->pinfo->num) {
        if (m->cls == MSSTUN_CLASS_SUCCESS) {
            const msstun_endpoint_t *ep = m->ep[MSSTUN_ADDR_XOR_MAPPED].valid ? &m->ep[MSSTUN_ADDR_XOR_MAPPED]
                                                                            : &m->ep[MSSTUN_ADDR_MAPPED];
            bc->answered++;
            if (ep->valid && !bc->mapped.valid) {
                copy_address_wmem(wmem_file_scope(), &bc->mapped.addr, &ep->addr);
                bc->mapped.port = ep->port;
                bc->mapped.valid = TRUE;
                bc->mapped_in = m->pinfo->num;
            }
        } else if (m->cls == MSSTUN_CLASS_ERROR) {
            bc->errors++;
            live_event(bc->el, m->pinfo->num, 0, MSSTUN_V_FAILED, "Binding refused, %u %s (frame %u)",
                       m->error_code, code_name(m->error_code), m->pinfo->num);
        }
    }
}

/* the model after one message; experts of the verdicts on later passes */
void
msstun_path_message(msstun_msg_t *m)
{
    packet_info *pinfo = m->pinfo;
    msstun_trans_t *t = m->trans;
    msstun_element_t *el;

    if (PINFO_FD_VISITED(pinfo)) {
        msstun_path_frame_experts(pinfo, m->ti);
        return;
    }
    if (pinfo->num > frames_seen)
        frames_seen = pinfo->num;
    el = element_of(m);
    if (!el)
        return;
    m->el = el;
    if (t && m->cls == MSSTUN_CLASS_REQUEST && t->req_frame == pinfo->num && !t->el) {
        t->el = el;
        if (wmem_array_get_count(el->trans) < MSSTUN_MAX_ELEMENT_TRANS)
            wmem_array_append_one(el->trans, t);
    }
    if (el->kind == MSSTUN_EL_BINDING)
        binding_client_update(m, (msstun_binding_client_t *)el->obj);
    else if (m->cls == MSSTUN_CLASS_ERROR && (!t || t->rsp_frame == pinfo->num))
        error_response_event(m, el);       /* also one whose request is not in the capture */
    if (m->problem) {
        msstun_event_t *ev = live_event(el, pinfo->num, 0, m->problem, "%s %s in frame %u: %s",
                                        msstun_method_name(m->method),
                                        val_to_str_const(m->cls, msstun_class_names, "message"), pinfo->num,
                                        m->problem_text);
        if (ev)
            ev->wire = TRUE;
    }
}

/* A frame that is not STUN on a 5-tuple msstun follows: media (RTP, RTCP,
 * DTLS, SRTP) or relayed data; whether the selected ICE pair carried any. */
void
msstun_path_media(packet_info *pinfo, msstun_conv_t *conv)
{
    msstun_ice_pair_t *p;

    if (PINFO_FD_VISITED(pinfo))
        return;
    if (conv) {
        if (!conv->media_frames++)
            conv->media_first_in = pinfo->num;
        conv->media_last_in = pinfo->num;
    }
    p = msstun_ice_pair_of_frame(pinfo, pinfo->ptype == PT_TCP);
    if (p) {
        p->media_frames++;
        p->media_last_in = pinfo->num;
    }
    if (pinfo->num > frames_seen)
        frames_seen = pinfo->num;
}

/* ---- What the whole capture shows ------------------------------------------- */

static const char *
ep_str(const msstun_endpoint_t *ep)
{
    char *buf = (char *)wmem_alloc(final_scope, MAX_ADDR_STR_LEN + 8);
    msstun_endpoint_buf(ep, buf, MAX_ADDR_STR_LEN + 8);
    return buf;
}

static const char *
frames_str(guint32 first, guint32 last)
{
    return first == last ? wmem_strdup_printf(final_scope, "frame %u", first)
                         : wmem_strdup_printf(final_scope, "frames %u-%u", first, last);
}

static gboolean
expects_response(const msstun_trans_t *t)
{
    return t->method != MSSTUN_M_MS_SEND;
}

/* Requests of one element, in order: runs of unanswered ones, responses
 * recovered only by retransmission, credentials rejected, 438 never retried. */
static void
judge_requests(msstun_element_t *el, gboolean answered_any)
{
    guint n = wmem_array_get_count(el->trans);
    const char *server = NULL;

    if (el->kind == MSSTUN_EL_BINDING) {
        const msstun_binding_client_t *bc = (const msstun_binding_client_t *)el->obj;
        server = ep_str(&bc->server);
    }
    for (guint i = 0; i < n;) {
        const msstun_trans_t *t = *(msstun_trans_t **)wmem_array_index(el->trans, i);
        guint j = i + 1, count = 1, retrans = t->retransmissions;
        guint32 last = t->req_frame;

        if (!t->rsp_frame && expects_response(t)) {
            /* a run of unanswered requests of the same method */
            while (j < n) {
                const msstun_trans_t *u = *(msstun_trans_t **)wmem_array_index(el->trans, j);
                if (u->rsp_frame || u->method != t->method)
                    break;
                last = u->req_frame;
                retrans += u->retransmissions;
                count++;
                j++;
            }
            for (guint k = i; k < j; k++) {
                const msstun_trans_t *u = *(msstun_trans_t **)wmem_array_index(el->trans, k);
                add_mark(u->req_frame, &ei_msstun_unanswered,
                         wmem_strdup_printf(final_scope, "%s Request got no response in this capture%s",
                                            msstun_method_name(u->method), u->retransmissions ?
                                            wmem_strdup_printf(final_scope, " (%u retransmissions)",
                                                               u->retransmissions) : ""));
            }
            if (server)
                final_event(el, t->req_frame, last, answered_any ? MSSTUN_V_WARNING : MSSTUN_V_FAILED,
                            "%s requests to %s were never answered (%u request%s, %u retransmission%s, %s)",
                            msstun_method_name(t->method), server, count, plurality(count, "", "s"), retrans,
                            plurality(retrans, "", "s"), frames_str(t->req_frame, last));
            else if (count == 1)
                final_event(el, t->req_frame, 0, MSSTUN_V_FAILED, "%s request got no response (frame %u%s)",
                            msstun_method_name(t->method), t->req_frame,
                            retrans ? wmem_strdup_printf(final_scope, ", %u retransmissions", retrans) : "");
            else
                final_event(el, t->req_frame, last, MSSTUN_V_FAILED,
                            "%u %s requests got no response (%s)", count, msstun_method_name(t->method),
                            frames_str(t->req_frame, last));
            i = j;
            continue;
        }
        /* a release sent again after its success lost nothing: the allocation is gone either way */
        if (t->rsp_frame && (t->retransmissions || t->retrans_after_rsp) && t->pair == NULL &&
            !(t->error_code == 0 && t->req_has_lifetime && t->req_lifetime == 0)) {
            /* answered, but only the retransmission got through, or the
             * first response was lost on the way back */
            guint32 first = t->req_frame;
            while (j < n) {
                const msstun_trans_t *u = *(msstun_trans_t **)wmem_array_index(el->trans, j);
                if (!u->rsp_frame || !(u->retransmissions || u->retrans_after_rsp) || u->method != t->method)
                    break;
                last = u->req_frame;
                count++;
                j++;
            }
            final_event(el, first, last, MSSTUN_V_WARNING,
                        "%s answered only after retransmission: %u request%s had to be sent again, responses "
                        "were lost (%s)", msstun_method_name(t->method), count, plurality(count, "", "s"),
                        frames_str(first, last));
            i = j;
            continue;
        }
        i++;
    }
    for (guint i = 0; i < n; i++) {
        const msstun_trans_t *t = *(msstun_trans_t **)wmem_array_index(el->trans, i);
        if (t->error_code == 438 && !t->retry_ok_in) {
            gboolean deleting = t->req_has_lifetime && t->req_lifetime == 0;
            msstun_event_t *ev = final_event(el, t->rsp_frame, 0, deleting ? MSSTUN_V_WARNING : MSSTUN_V_FAILED,
                        "%s got 438 Stale Nonce and no retry succeeded (frame %u)%s", msstun_method_name(t->method),
                        t->rsp_frame, deleting ? ": the allocation was not released and stays until it expires"
                                               : "");
            add_mark(t->rsp_frame, &ei_msstun_diag_stale_nonce_failed, ev->text + ev->what);
        }
    }
}

/* 401 to requests that carried credentials, with no success after them */
static void
judge_credentials(msstun_element_t *el, guint32 success_in)
{
    guint n = wmem_array_get_count(el->trans), count = 0;
    guint32 first = 0, last = 0;
    guint16 method = 0;
    gboolean one_method = TRUE, recovered = TRUE;

    for (guint i = 0; i < n; i++) {
        const msstun_trans_t *t = *(msstun_trans_t **)wmem_array_index(el->trans, i);
        if (t->error_code == 401 && t->req_had_mi) {
            recovered &= t->retry_ok_in || (success_in && t->rsp_frame < success_in);
            if (!first) {
                first = t->rsp_frame;
                method = t->method;
            }
            one_method &= t->method == method;
            last = t->rsp_frame;
            count++;
        }
    }
    if (count)
        final_event(el, first, last, recovered ? MSSTUN_V_WARNING : MSSTUN_V_FAILED,
                    "credentials rejected%s: %u %s%s with credentials got 401 Unauthorized (%s)",
                    recovered ? " before a retry succeeded" : "", count,
                    one_method ? msstun_method_name(method) : "", one_method ? plurality(count, " request", " requests")
                                                                 : plurality(count, "request", "requests"),
                    frames_str(first, last));
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

static gboolean
alloc_used(const msstun_alloc_t *a)
{
    return a->permissions || a->channels || a->relayed_frames || a->tcp_connections || a->active_dest_in;
}

static void
judge_allocation(msstun_element_t *el)
{
    msstun_alloc_t *a = (msstun_alloc_t *)el->obj;

    judge_requests(el, TRUE);
    judge_credentials(el, a->success_in);
    if (!a->success_in && !a->failed_in && !a->auth_failures && a->auth_challenges && a->last_error == 401)
        final_event(el, a->last_error_in, 0, MSSTUN_V_FAILED,
                    "Allocate was challenged (401 Unauthorized, frame %u) and never sent again with credentials",
                    a->last_error_in);
    if (a->unbound_frames)
        final_event(el, a->unbound_first_in, a->unbound_last_in, MSSTUN_V_FAILED,
                    "ChannelData on channel 0x%04x, which no ChannelBind success bound: the server drops it "
                    "(%u frame%s, %s)", a->unbound_channel, a->unbound_frames, plurality(a->unbound_frames, "", "s"),
                    frames_str(a->unbound_first_in, a->unbound_last_in));
    if (a->success_in && alloc_expired(a))
        final_event(el, a->success_in, 0, MSSTUN_V_WARNING, alloc_used(a) ?
                    "the lifetime (%u s) ran out without a refresh; allocated in frame %u" :
                    "allocated (lifetime %u s, frame %u) but never used before it expired", a->lifetime,
                    a->success_in);
}

static void
judge_connection(msstun_element_t *el)
{
    const msstun_tcp_conn_t *c = (const msstun_tcp_conn_t *)el->obj;

    judge_requests(el, FALSE);
    if (c->announced_in && !c->bound_in)
        final_event(el, c->announced_in, 0, MSSTUN_V_FAILED,
                    "the client never bound the connection: no ConnectionBind for CONNECTION-ID 0x%08x "
                    "announced in frame %u", c->connection_id, c->announced_in);
    else if (c->bind_ok_in && !c->data_frames)
        final_event(el, c->bind_ok_in, 0, MSSTUN_V_WARNING, "bound in frame %u, but no peer data followed",
                    c->bind_ok_in);
}

static void
judge_binding_client(msstun_element_t *el)
{
    const msstun_binding_client_t *bc = (const msstun_binding_client_t *)el->obj;
    judge_requests(el, bc->answered > 0);
}

/* A pair works when every direction that sent checks got an answer: an
 * ICE-lite agent (or one that found the pair by a triggered check only)
 * sends none, and the answers are all there is to judge. */
static gboolean
pair_works(const msstun_ice_pair_t *p)
{
    return (p->dir[0].answered || p->dir[1].answered) && (!p->dir[0].checks || p->dir[0].answered) &&
           (!p->dir[1].checks || p->dir[1].answered);
}

static void
judge_pair(msstun_element_t *el, gboolean session_works)
{
    const msstun_ice_pair_t *p = (const msstun_ice_pair_t *)el->obj;
    guint8 level = session_works ? MSSTUN_V_WARNING : MSSTUN_V_FAILED;

    if (pair_works(p))
        return;
    for (int d = 0; d < 2; d++) {
        const msstun_ice_dir_t *x = &p->dir[d], *r = &p->dir[1 - d];
        const char *from = ep_str(&p->ep[d]), *to = ep_str(&p->ep[1 - d]);
        msstun_event_t *ev;

        if (!x->checks || x->answered)
            continue;
        if (r->answered) {
            ev = final_event(el, x->first_check_in, x->last_check_in, level,
                             "works one way only: checks from %s to %s got no %s (%s)", from, to,
                             x->failed ? "success response" : "answer", frames_str(x->first_check_in, x->last_check_in));
            add_mark(x->first_check_in, &ei_msstun_ice_one_way,
                     wmem_strdup_printf(final_scope, "ICE pair %u works one way only: %u checks %s -> %s got no "
                                        "success response, while %u checks the other way succeeded", p->id,
                                        x->checks, from, to, r->answered));
        } else {
            ev = final_event(el, x->first_check_in, x->last_check_in, level,
                             "never succeeded: %u check%s from %s to %s got %s (%s)", x->checks,
                             plurality(x->checks, "", "s"), from, to,
                             x->failed ? wmem_strdup_printf(final_scope, "only error responses (last %u %s)",
                                                            x->last_error, code_name(x->last_error))
                                       : "no answer", frames_str(x->first_check_in, x->last_check_in));
            if (d == 0 || !p->dir[0].checks)
                add_mark(x->first_check_in, &ei_msstun_ice_pair_failed,
                         wmem_strdup_printf(final_scope, "ICE pair %u never succeeded in either direction "
                                            "(%u + %u checks)", p->id, p->dir[0].checks, p->dir[1].checks));
        }
        (void)ev;
    }
}

static void
judge_session(msstun_element_t *el)
{
    const msstun_ice_session_t *s = (const msstun_ice_session_t *)el->obj;
    guint n = wmem_array_get_count(s->pairs), checks = 0;
    const msstun_ice_pair_t *working = NULL, *nominated = NULL;
    guint32 first = 0, last = 0;

    for (guint i = 0; i < n; i++) {
        const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, i);
        for (int d = 0; d < 2; d++) {
            checks += p->dir[d].checks;
            if (p->dir[d].checks && (!first || p->dir[d].first_check_in < first))
                first = p->dir[d].first_check_in;
            if (p->dir[d].last_check_in > last)
                last = p->dir[d].last_check_in;
        }
        if (pair_works(p)) {
            if (!working)
                working = p;
            if ((p->dir[0].nominated || p->dir[1].nominated) && !nominated)
                nominated = p;
        }
    }
    for (guint i = 0; i < n; i++) {
        const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, i);
        if (p->el)
            judge_pair(p->el, working != NULL);
    }
    if (!working) {
        gboolean any_answer = FALSE;
        for (guint i = 0; i < n; i++) {
            const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, i);
            any_answer |= p->dir[0].answered || p->dir[1].answered;
        }
        if (!any_answer && first) {
            final_event(el, first, last, MSSTUN_V_FAILED,
                        "no candidate pair got a single success response (%u check%s on %u pair%s, %s)", checks,
                        plurality(checks, "", "s"), n, plurality(n, "", "s"), frames_str(first, last));
            add_mark(first, &ei_msstun_ice_session_failed,
                     wmem_strdup_printf(final_scope, "ICE session %s: no candidate pair got a single success "
                                        "response", s->ufrags));
        }
        return;
    }
    if (!nominated) {
        /* media on a working pair shows one was selected (OC2007 has no USE-CANDIDATE) */
        guint32 at = working->dir[0].first_success_in ? working->dir[0].first_success_in
                                                      : working->dir[1].first_success_in;
        for (guint i = 0; i < n; i++) {
            const msstun_ice_pair_t *p = *(msstun_ice_pair_t **)wmem_array_index(s->pairs, i);
            if (pair_works(p) && (p->media_frames || (p->relayed && p->carrier && p->carrier->media_frames)))
                return;
        }
        final_event(el, at, 0, MSSTUN_V_FAILED,
                    "no candidate pair was nominated (no check with USE-CANDIDATE succeeded) and no media "
                    "followed, although pair %u works (first success in frame %u)", working->id, at);
        return;
    }
    {
        guint32 at = nominated->dir[0].nominated_in ? nominated->dir[0].nominated_in : nominated->dir[1].nominated_in;
        const msstun_conv_t *cv = nominated->carrier;
        if (nominated->media_last_in <= at && !(cv && cv->media_last_in > at))
            final_event(el, at, 0, MSSTUN_V_WARNING,
                        "no media (RTP, RTCP, DTLS or data) seen on the selected pair %u after its nomination in "
                        "frame %u", nominated->id, at);
    }
}

/* the worst event; the first of that level is the cause */
static void
set_verdict(msstun_element_t *el)
{
    wmem_array_t *lists[2] = { el->events, el->final_events };

    el->verdict = MSSTUN_V_OK;
    el->cause = NULL;
    for (int l = 0; l < 2; l++) {
        guint n = wmem_array_get_count(lists[l]);
        for (guint i = 0; i < n; i++) {
            const msstun_event_t *ev = *(msstun_event_t **)wmem_array_index(lists[l], i);
            if (ev->level > el->verdict || (ev->level == el->verdict && el->cause && ev->frame < el->cause->frame)) {
                if (ev->level > MSSTUN_V_OK) {
                    el->verdict = ev->level;
                    el->cause = ev;
                }
            }
        }
    }
}

/* An element the media did not need: media flowed on another path */
static gboolean
soften(msstun_element_t *el)
{
    if (el->verdict != MSSTUN_V_FAILED || (el->cause && el->cause->wire))
        return FALSE;
    return el->kind == MSSTUN_EL_ALLOC || el->kind == MSSTUN_EL_BINDING || el->kind == MSSTUN_EL_CONN;
}

static gboolean
carried_media(const msstun_element_t *el)
{
    if (el->verdict == MSSTUN_V_FAILED)
        return FALSE;
    switch (el->kind) {
    case MSSTUN_EL_ICE_SESSION:
        return TRUE;                       /* a pair works in both directions */
    case MSSTUN_EL_ALLOC:
        return ((const msstun_alloc_t *)el->obj)->relayed_frames > 0;
    case MSSTUN_EL_CONN:
        return ((const msstun_tcp_conn_t *)el->obj)->data_frames > 0;
    default:
        return FALSE;
    }
}

const msstun_capture_verdict_t *
msstun_path_finalize(void)
{
    guint n = elements ? wmem_array_get_count(elements) : 0;
    gboolean media = FALSE;

    if (final_done && final_frames == frames_seen)
        return &capture_verdict;
    if (final_scope)
        wmem_destroy_allocator(final_scope);
    final_scope = wmem_allocator_new(WMEM_ALLOCATOR_BLOCK);
    final_marks = wmem_map_new(final_scope, g_direct_hash, g_direct_equal);
    memset(&capture_verdict, 0, sizeof capture_verdict);

    for (guint i = 0; i < n; i++) {
        msstun_element_t *el = *(msstun_element_t **)wmem_array_index(elements, i);
        el->final_events = wmem_array_new(final_scope, sizeof(msstun_event_t *));
        el->softened = FALSE;
    }
    for (guint i = 0; i < n; i++) {
        msstun_element_t *el = *(msstun_element_t **)wmem_array_index(elements, i);
        switch (el->kind) {
        case MSSTUN_EL_BINDING: judge_binding_client(el); break;
        case MSSTUN_EL_ALLOC: judge_allocation(el); break;
        case MSSTUN_EL_CONN: judge_connection(el); break;
        case MSSTUN_EL_ICE_SESSION: judge_session(el); break;   /* and its pairs */
        default: break;
        }
    }
    for (guint i = 0; i < n; i++) {
        msstun_element_t *el = *(msstun_element_t **)wmem_array_index(elements, i);
        set_verdict(el);
    }
    /* a pair's failure is its session's when no pair of it works */
    for (guint i = 0; i < n; i++) {
        msstun_element_t *el = *(msstun_element_t **)wmem_array_index(elements, i);
        if (el->kind == MSSTUN_EL_ICE_PAIR && el->parent && el->verdict > el->parent->verdict) {
            el->parent->verdict = el->verdict;
            el->parent->cause = el->cause;
        }
        media |= carried_media(el);
    }
    for (guint i = 0; i < n; i++) {
        msstun_element_t *el = *(msstun_element_t **)wmem_array_index(elements, i);
        if (media && soften(el)) {
            el->verdict = MSSTUN_V_WARNING;
            el->softened = TRUE;
        }
        capture_verdict.elements[el->kind]++;
        if (el->verdict == MSSTUN_V_OK)
            continue;
        /* the verdict's expert on its cause, the element's other problems beside */
        add_mark(el->cause->frame, el->verdict == MSSTUN_V_FAILED ? &ei_msstun_path_failed : &ei_msstun_path_warning,
                 wmem_strdup_printf(final_scope, "%s %s: %s%s", el->name,
                                    val_to_str_const(el->verdict, msstun_verdict_vals, "?"),
                                    el->cause->owner == el ? el->cause->text + el->cause->what : el->cause->text,
                                    el->softened ? " (another path carried the media)" : ""));
        {
            guint ne = wmem_array_get_count(el->final_events);
            for (guint k = 0; k < ne; k++) {
                const msstun_event_t *ev = *(msstun_event_t **)wmem_array_index(el->final_events, k);
                if (ev != el->cause && ev->level > MSSTUN_V_OK)
                    add_mark(ev->frame, &ei_msstun_path_event, ev->text);
            }
        }
        if (el->verdict > capture_verdict.verdict ||
            (el->verdict == capture_verdict.verdict && el->cause->frame < capture_verdict.cause->frame)) {
            capture_verdict.verdict = el->verdict;
            capture_verdict.el = el;
            capture_verdict.cause = el->cause;
        }
    }
    final_frames = frames_seen;
    final_done = TRUE;
    return &capture_verdict;
}

#define MSSTUN_KEY_EXPERTS_RAISED 7     /* per-packet: this dissection raised the marks */

/* Whether this frame was dissected on a later pass, when the model had seen
 * the whole file. PINFO_FD_VISITED cannot tell at tap time: a frame is marked
 * visited when its dissection ends, before the taps run. Its taps run right
 * after that dissection, and a frame is dissected unvisited only once per
 * file, so the number of the last visited one tells. */
gboolean
msstun_path_complete(packet_info *pinfo)
{
    return complete_num == pinfo->num;
}

/* The experts the whole capture puts on this frame, raised once per
 * dissection of it (a frame may hold several messages). */
void
msstun_path_frame_experts(packet_info *pinfo, proto_item *item)
{
    const mark_t *mk;

    if (!PINFO_FD_VISITED(pinfo)) {
        if (pinfo->num > frames_seen)
            frames_seen = pinfo->num;      /* what the next finalize must cover */
        return;
    }
    complete_num = pinfo->num;
    msstun_path_finalize();
    /* most frames have none: the per-dissection guard only for those that do */
    mk = (const mark_t *)wmem_map_lookup(final_marks, GUINT_TO_POINTER(pinfo->num));
    if (!mk || p_get_proto_data(pinfo->pool, pinfo, proto_msstun, MSSTUN_KEY_EXPERTS_RAISED))
        return;
    p_add_proto_data(pinfo->pool, pinfo, proto_msstun, MSSTUN_KEY_EXPERTS_RAISED, GUINT_TO_POINTER(1));
    for (; mk; mk = mk->next)
        expert_add_info_format(pinfo, item, mk->ei, "%s", mk->text);
}
