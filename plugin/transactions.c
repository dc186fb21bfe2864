/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * transactions.c - request/response matching (RFC 5389 7, [MS-TURN] 2.2.1),
 * retransmissions, and requests nobody answered.
 *
 * State is one map per file, keyed by the transaction ID (header
 * bytes 4..19, which is cookie+TID or the 128-bit TID), built on the first
 * pass. Later passes read the final state, so every frame can show both
 * directions of the link without per-packet data. Maps are capped per
 * conversation and per file.
 */
#include "msstun.h"

#define MSSTUN_TID_LEN 16


/* One map per 5-tuple, so that a check relayed by a TURN server and captured
 * on both legs is two transactions, not a retransmission; and one per file,
 * the fallback for responses that come from another address (RFC 5780
 * CHANGE-REQUEST). */
static wmem_map_t *msstun_transactions;
static guint msstun_file_transactions;

static msstun_cap_t trans_cap = { 0, "transactions" };

void
msstun_cap_hit(msstun_cap_t *cap, const msstun_msg_t *m)
{
    if (!cap->frame && !PINFO_FD_VISITED(m->pinfo))
        cap->frame = m->pinfo->num;
    msstun_cap_show(cap, m);
}

void
msstun_cap_show(const msstun_cap_t *cap, const msstun_msg_t *m)
{
    if (cap->frame && cap->frame == m->pinfo->num)
        expert_add_info_format(m->pinfo, m->ti, &ei_msstun_trans_cap,
                               "Table of %s is full: later ones in this capture are not tracked", cap->what);
}

static guint
tid_hash(gconstpointer k)
{
    const guint8 *t = (const guint8 *)k;
    /* the last bytes are random in every format (the first may be a cookie) */
    return ((guint)t[12] << 24 | (guint)t[13] << 16 | (guint)t[14] << 8 | t[15]) ^
           ((guint)t[8] << 24 | (guint)t[9] << 16 | (guint)t[10] << 8 | t[11]);
}

static gboolean
tid_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, MSSTUN_TID_LEN) == 0;
}

void msstun_transactions_init(void);
void
msstun_transactions_init(void)
{
    msstun_file_transactions = 0;
    msstun_cap_reset(&trans_cap);
    msstun_transactions = wmem_map_new(wmem_file_scope(), tid_hash, tid_equal);
}

/* A 401 or 438 asks the client to try again; remember whether the next
 * answer to the same method on this 5-tuple was a success. */
static void
note_retry(msstun_conv_t *conv, msstun_trans_t *t)
{
    msstun_trans_t *p = conv->pending_retry;

    if (p && p != t && p->method == t->method) {
        if (t->error_code == 0)
            p->retry_ok_in = t->rsp_frame;
        else {
            p->retry_failed_in = t->rsp_frame;
            p->retry_error = t->error_code;
        }
        conv->pending_retry = NULL;
    }
    if (t->error_code == 401 || t->error_code == 438)
        conv->pending_retry = t;
}

/* Request In / Response In / Time and the retransmission links lead the
 * message's tree, where the built-in and every request/response dissector put
 * them. They are known only after the attributes (which the first pass needs
 * to record the request), so they are added last and moved up; a tree that is
 * not shown keeps its order (proto_tree_move_item does nothing there). */
static void
lead(const msstun_msg_t *m, proto_item *it, proto_item **after)
{
    proto_item_set_generated(it);
    if (!m->type_item || !msstun_tree_visible(m->tree))
        return;
    if (*after) {
        proto_tree_move_item(m->tree, *after, it);
    } else {
        proto_tree_move_item(m->tree, m->type_item, it);
        proto_tree_move_item(m->tree, it, m->type_item);
    }
    *after = it;
}

/* A retransmitted request or a repeated response: the frame it repeats */
static void
add_duplicate(const msstun_msg_t *m, guint32 first, const char *what, proto_item **after)
{
    proto_item *it = proto_tree_add_uint(m->tree, hf_msstun_duplicate, m->tvb, 0, 0, first);
    lead(m, it, after);
    if (msstun_want_expert(m, &ei_msstun_retransmission))
        expert_add_info_format(m->pinfo, it, &ei_msstun_retransmission, "%s in frame %u", what, first);
}

void
msstun_track_transaction(msstun_msg_t *m, msstun_conv_t *conv)
{
    packet_info *pinfo = m->pinfo;
    guint8 tid[MSSTUN_TID_LEN];
    msstun_trans_t *t;
    proto_item *after = NULL;

    if (m->cls == MSSTUN_CLASS_INDICATION)
        return;
    tvb_memcpy(m->tvb, tid, 4, MSSTUN_TID_LEN);
    if (!conv->transactions)
        conv->transactions = wmem_map_new(wmem_file_scope(), tid_hash, tid_equal);
    t = (msstun_trans_t *)wmem_map_lookup(conv->transactions, tid);
    if (!t && m->cls != MSSTUN_CLASS_REQUEST) {
        msstun_trans_t *g = (msstun_trans_t *)wmem_map_lookup(msstun_transactions, tid);
        if (g && (PINFO_FD_VISITED(pinfo) ? g->rsp_frame == pinfo->num : !g->rsp_frame))
            t = g;
    }

    if (!PINFO_FD_VISITED(pinfo)) {
        if (!t && m->cls == MSSTUN_CLASS_REQUEST) {
            if (conv->n_transactions >= msstun_pref_max_transactions ||
                msstun_file_transactions >= 64 * msstun_pref_max_transactions) {
                msstun_cap_hit(&trans_cap, m);
                return;
            }
            t = wmem_new0(wmem_file_scope(), msstun_trans_t);
            memcpy(t->tid, tid, MSSTUN_TID_LEN);
            t->req_frame = pinfo->num;
            t->req_time = pinfo->abs_ts;
            t->method = m->method;
            t->req_had_mi = m->seen_mi;
            t->req_use_candidate = m->use_candidate;
            t->req_transport = m->has_transport ? m->transport : 0;
            t->req_has_lifetime = m->has_lifetime;
            t->req_lifetime = m->lifetime;
            t->req_has_channel = m->has_channel;
            t->req_channel = m->channel;
            if (m->ep[MSSTUN_ADDR_PEER].valid) {
                copy_address_wmem(wmem_file_scope(), &t->req_peer.addr, &m->ep[MSSTUN_ADDR_PEER].addr);
                t->req_peer.port = m->ep[MSSTUN_ADDR_PEER].port;
                t->req_peer.valid = TRUE;
            }
            wmem_map_insert(conv->transactions, t->tid, t);
            wmem_map_insert(msstun_transactions, t->tid, t);
            conv->n_transactions++;
            msstun_file_transactions++;
        } else if (t && m->cls == MSSTUN_CLASS_REQUEST && pinfo->num > t->req_frame && !t->rsp_frame) {
            t->retransmissions++;
        } else if (t && m->cls == MSSTUN_CLASS_REQUEST && pinfo->num > t->req_frame) {
            t->retrans_after_rsp++;
        } else if (t && m->cls != MSSTUN_CLASS_REQUEST) {
            if (!t->rsp_frame) {
                t->rsp_frame = pinfo->num;
                t->error_code = m->cls == MSSTUN_CLASS_ERROR ? (m->error_code ? m->error_code : 1) : 0;
                note_retry(conv, t);
            } else if (pinfo->num > t->rsp_frame) {
                t->response_dups++;
            }
        }
    }
    msstun_cap_show(&trans_cap, m);
    if (!t)
        return;
    m->trans = t;

    if (m->cls == MSSTUN_CLASS_REQUEST) {
        /* a request nobody answered is judged with the whole capture (media_path.c) */
        if (t->rsp_frame)
            lead(m, proto_tree_add_uint(m->tree, hf_msstun_response_in, m->tvb, 0, 0, t->rsp_frame), &after);
        if (pinfo->num != t->req_frame)
            add_duplicate(m, t->req_frame, "Retransmission of the request", &after);
        if (t->retransmissions && pinfo->num == t->req_frame)
            lead(m, proto_tree_add_uint(m->tree, hf_msstun_retrans_count, m->tvb, 0, 0, t->retransmissions), &after);
    } else if (t->req_frame && pinfo->num >= t->rsp_frame) {
        nstime_t delta;
        lead(m, proto_tree_add_uint(m->tree, hf_msstun_response_to, m->tvb, 0, 0, t->req_frame), &after);
        nstime_delta(&delta, &pinfo->abs_ts, &t->req_time);
        lead(m, proto_tree_add_time(m->tree, hf_msstun_time, m->tvb, 0, 0, &delta), &after);
        if (pinfo->num != t->rsp_frame)
            add_duplicate(m, t->rsp_frame, "Duplicate of the response", &after);
    }
}
