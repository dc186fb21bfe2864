/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * turn.c - TURN state: channel bindings (RFC 8656 11-12) and the RFC 6062
 * links from a Connect success / ConnectionAttempt that announces a
 * CONNECTION-ID to the ConnectionBind that claims it on a new TCP connection,
 * and from there to the peer data that connection carries afterwards.
 *
 * Built on the first pass; file scope; capped.
 */
#include "msstun.h"

#define MSSTUN_MAX_CONNECTIONS 100000
#define MSSTUN_MAX_CHANNELS    4096   /* per conversation: 0x4000-0x4FFF */

typedef struct {
    guint32 connection_id;
    guint32 announced_in;      /* ConnectionAttempt indication or Connect success */
    guint32 bound_in;          /* ConnectionBind request */
    guint32 bind_ok_in;        /* ConnectionBind success */
    msstun_endpoint_t peer;    /* from XOR-PEER-ADDRESS of the announcement */
} msstun_tcp_conn_t;

static wmem_map_t *msstun_connections;     /* CONNECTION-ID -> msstun_tcp_conn_t */
static guint msstun_n_connections;

void
msstun_turn_init(void)
{
    msstun_connections = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    msstun_n_connections = 0;
}

static void
copy_endpoint(msstun_endpoint_t *dst, const msstun_endpoint_t *src)
{
    *dst = *src;
    if (src->valid)
        copy_address_wmem(wmem_file_scope(), &dst->addr, &src->addr);
}

static msstun_tcp_conn_t *
connection_lookup(guint32 cid, gboolean create)
{
    msstun_tcp_conn_t *c = (msstun_tcp_conn_t *)wmem_map_lookup(msstun_connections, GUINT_TO_POINTER(cid));
    if (!c && create && msstun_n_connections < MSSTUN_MAX_CONNECTIONS) {
        c = wmem_new0(wmem_file_scope(), msstun_tcp_conn_t);
        c->connection_id = cid;
        wmem_map_insert(msstun_connections, GUINT_TO_POINTER(cid), c);
        msstun_n_connections++;
    }
    return c;
}

static void
add_frame_link(msstun_msg_t *m, int hf, guint32 frame)
{
    proto_item *it = proto_tree_add_uint(m->tree, hf, m->tvb, 0, 0, frame);
    proto_item_set_generated(it);
}

static void
track_rfc6062(msstun_msg_t *m, msstun_conv_t *conv)
{
    packet_info *pinfo = m->pinfo;
    gboolean announce = (m->method == MSSTUN_M_CONNECTION_ATTEMPT && m->cls == MSSTUN_CLASS_INDICATION) ||
                        (m->method == MSSTUN_M_CONNECT && m->cls == MSSTUN_CLASS_SUCCESS);
    gboolean bind_req = m->method == MSSTUN_M_CONNECTION_BIND && m->cls == MSSTUN_CLASS_REQUEST;
    msstun_tcp_conn_t *c;

    if (m->method == MSSTUN_M_CONNECTION_BIND && m->cls == MSSTUN_CLASS_SUCCESS) {
        /* RFC 6062 4.3: from now on the connection carries the peer's data */
        if (!PINFO_FD_VISITED(pinfo) && conv->has_connection_id && !conv->data_from) {
            conv->data_from = pinfo->num + 1;
            c = connection_lookup(conv->connection_id, FALSE);
            if (c)
                c->bind_ok_in = pinfo->num;
        }
        if (conv->has_connection_id) {
            proto_item_set_generated(proto_tree_add_uint(m->tree, hf_msstun_rfc6062_connection_id, m->tvb, 0, 0,
                                                         conv->connection_id));
        }
        return;
    }
    if (!m->has_connection_id || (!announce && !bind_req))
        return;

    c = connection_lookup(m->connection_id, !PINFO_FD_VISITED(pinfo));
    if (!c)
        return;
    if (!PINFO_FD_VISITED(pinfo)) {
        if (announce && !c->announced_in) {
            c->announced_in = pinfo->num;
            if (m->ep[MSSTUN_ADDR_PEER].valid)
                copy_endpoint(&c->peer, &m->ep[MSSTUN_ADDR_PEER]);
        } else if (bind_req && !c->bound_in) {
            c->bound_in = pinfo->num;
            conv->has_connection_id = TRUE;
            conv->connection_id = m->connection_id;
        }
    }
    if (announce) {
        if (c->bound_in)
            add_frame_link(m, hf_msstun_rfc6062_bound_in, c->bound_in);
    } else {
        if (c->announced_in && c->announced_in <= pinfo->num) {
            add_frame_link(m, hf_msstun_rfc6062_announced_in, c->announced_in);
            if (c->peer.valid) {
                proto_item *it = proto_tree_add_string(m->tree, hf_msstun_rfc6062_peer, m->tvb, 0, 0,
                                                       msstun_endpoint_str(pinfo, &c->peer));
                proto_item_set_generated(it);
            }
        } else {
            expert_add_info_format(pinfo, m->ti, &ei_msstun_rfc6062_unknown_cid,
                                   "ConnectionBind claims CONNECTION-ID 0x%08x that no Connect or "
                                   "ConnectionAttempt in this capture announced", m->connection_id);
        }
    }
}

static void
track_channel_bind(msstun_msg_t *m, msstun_conv_t *conv)
{
    msstun_endpoint_t *ep;

    if (PINFO_FD_VISITED(m->pinfo) || m->method != MSSTUN_M_CHANNEL_BIND || m->cls != MSSTUN_CLASS_REQUEST ||
        !m->has_channel || !m->ep[MSSTUN_ADDR_PEER].valid)
        return;
    if (!conv->channels)
        conv->channels = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    if (wmem_map_size(conv->channels) >= MSSTUN_MAX_CHANNELS)
        return;
    ep = wmem_new0(wmem_file_scope(), msstun_endpoint_t);
    copy_endpoint(ep, &m->ep[MSSTUN_ADDR_PEER]);
    wmem_map_insert(conv->channels, GUINT_TO_POINTER((guint)m->channel), ep);
}

void
msstun_track_turn(msstun_msg_t *m, msstun_conv_t *conv)
{
    track_rfc6062(m, conv);
    track_channel_bind(m, conv);
}

/* ChannelData: which peer the channel was bound to */
void
msstun_track_channel(packet_info *pinfo, proto_tree *tree, guint16 channel, gboolean over_tcp _U_)
{
    msstun_conv_t *conv = msstun_conv_get(pinfo, FALSE);
    msstun_endpoint_t *ep;
    proto_item *it;

    if (!conv || !conv->channels)
        return;
    ep = (msstun_endpoint_t *)wmem_map_lookup(conv->channels, GUINT_TO_POINTER((guint)channel));
    if (!ep)
        return;
    it = proto_tree_add_string(tree, hf_msstun_channel_peer, NULL, 0, 0, msstun_endpoint_str(pinfo, ep));
    proto_item_set_generated(it);
    col_append_fstr(pinfo->cinfo, COL_INFO, " peer %s", msstun_endpoint_str(pinfo, ep));
}

void
msstun_rfc6062_data_item(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv)
{
    proto_item *ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, 0, ENC_NA);
    proto_tree *rt = proto_item_add_subtree(ti, ett_msstun_rfc6062);
    msstun_tcp_conn_t *c = connection_lookup(conv->connection_id, FALSE);

    proto_item_append_text(ti, ", RFC 6062 peer data, CONNECTION-ID 0x%08x", conv->connection_id);
    proto_item_set_generated(proto_tree_add_uint(rt, hf_msstun_rfc6062_connection_id, tvb, 0, 0, conv->connection_id));
    if (c && c->announced_in)
        proto_item_set_generated(proto_tree_add_uint(rt, hf_msstun_rfc6062_announced_in, tvb, 0, 0, c->announced_in));
    if (c && c->bound_in)
        proto_item_set_generated(proto_tree_add_uint(rt, hf_msstun_rfc6062_bound_in, tvb, 0, 0, c->bound_in));
    if (c && c->peer.valid)
        proto_item_set_generated(proto_tree_add_string(rt, hf_msstun_rfc6062_peer, tvb, 0, 0,
                                                       msstun_endpoint_str(pinfo, &c->peer)));
}

int
msstun_rfc6062_data(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv)
{
    msstun_rfc6062_data_item(tvb, pinfo, tree, conv);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "TURN");
    col_add_fstr(pinfo->cinfo, COL_INFO, "RFC 6062 peer data, CONNECTION-ID 0x%08x", conv->connection_id);
    if (msstun_rfc6062_data_pdus(tvb, pinfo, tree, conv) == 0)
        msstun_handoff_payload(tvb, pinfo, tree, 0, TRUE, FALSE);
    return tvb_captured_length(tvb);
}
