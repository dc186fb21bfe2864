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

#include <epan/to_str.h>

#define MSSTUN_MAX_CONNECTIONS 100000
#define MSSTUN_MAX_CHANNELS    4096   /* per conversation: 0x4000-0x4FFF */


#define MSSTUN_MAX_ALLOCATIONS 100000

static wmem_map_t *msstun_connections;     /* CONNECTION-ID -> msstun_tcp_conn_t */
static wmem_array_t *msstun_connection_list;
static wmem_array_t *msstun_allocation_list;
static guint msstun_n_connections;
static msstun_cap_t conn_cap = { 0, "RFC 6062 connections" };
static msstun_cap_t alloc_cap = { 0, "TURN allocations" };
nstime_t msstun_last_time;

void
msstun_turn_init(void)
{
    msstun_connections = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    msstun_connection_list = wmem_array_new(wmem_file_scope(), sizeof(msstun_tcp_conn_t *));
    msstun_allocation_list = wmem_array_new(wmem_file_scope(), sizeof(msstun_alloc_t *));
    msstun_n_connections = 0;
    nstime_set_zero(&msstun_last_time);
    msstun_cap_reset(&conn_cap);
    msstun_cap_reset(&alloc_cap);
}

wmem_array_t *msstun_allocations(void) { return msstun_allocation_list; }
wmem_array_t *msstun_tcp_connections(void) { return msstun_connection_list; }

static void
copy_endpoint(msstun_endpoint_t *dst, const msstun_endpoint_t *src)
{
    *dst = *src;
    if (src->valid)
        copy_address_wmem(wmem_file_scope(), &dst->addr, &src->addr);
}

static msstun_tcp_conn_t *
connection_lookup(guint32 cid, const msstun_msg_t *m)
{
    msstun_tcp_conn_t *c = (msstun_tcp_conn_t *)wmem_map_lookup(msstun_connections, GUINT_TO_POINTER(cid));
    if (m)
        msstun_cap_show(&conn_cap, m);
    if (!c && m && msstun_n_connections >= MSSTUN_MAX_CONNECTIONS) {
        msstun_cap_hit(&conn_cap, m);
        return NULL;
    }
    if (!c && m) {
        c = wmem_new0(wmem_file_scope(), msstun_tcp_conn_t);
        c->connection_id = cid;
        c->el = msstun_path_element(MSSTUN_EL_CONN, c, NULL);
        wmem_map_insert(msstun_connections, GUINT_TO_POINTER(cid), c);
        wmem_array_append_one(msstun_connection_list, c);
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

/* ---- RFC 6062 peer leg on TCP (relayed address <-> peer), seen on the TURN server ---- */

/* The TCP connection between the relayed address and the peer that a
 * ConnectionAttempt or Connect success announces carries the same bytes as
 * the client's data connection: tie it to its CONNECTION-ID and allocation and
 * decode it as RFC 6062 peer data (framing.c msstun_rfc6062_data_pdus). */
static void
register_tcp_peer_leg(msstun_msg_t *m, msstun_tcp_conn_t *c)
{
    msstun_alloc_t *a = c->alloc;
    conversation_t *tc;
    msstun_conv_t *leg;

    if (!a || !a->relayed.valid || !c->peer.valid || c->peer.addr.type != a->relayed.addr.type)
        return;
    /* the peer connected to the relayed address, or the server connected from it */
    tc = find_conversation(m->pinfo->num, &a->relayed.addr, &c->peer.addr, CONVERSATION_TCP, a->relayed.port,
                           c->peer.port, 0);
    if (!tc)
        return;
    leg = (msstun_conv_t *)conversation_get_proto_data(tc, proto_msstun);
    if (!leg) {
        leg = wmem_new0(wmem_file_scope(), msstun_conv_t);
        conversation_add_proto_data(tc, proto_msstun, leg);
    }
    if (leg->data_from)
        return;
    leg->data_from = m->pinfo->num + 1;
    leg->has_connection_id = TRUE;
    leg->connection_id = c->connection_id;
    leg->peer_leg_alloc = a;           /* the peer's side: not the client's data connection */
    conversation_set_dissector(tc, msstun_tcp_handle);
}

static void
track_rfc6062(msstun_msg_t *m, msstun_conv_t *conv)
{
    packet_info *pinfo = m->pinfo;
    gboolean announce = (m->method == MSSTUN_M_CONNECTION_ATTEMPT && m->cls == MSSTUN_CLASS_INDICATION) ||
                        (m->method == MSSTUN_M_CONNECT && m->cls == MSSTUN_CLASS_SUCCESS);
    gboolean bind_req = m->method == MSSTUN_M_CONNECTION_BIND && m->cls == MSSTUN_CLASS_REQUEST;
    msstun_tcp_conn_t *c;

    if (m->method == MSSTUN_M_CONNECTION_BIND && m->cls == MSSTUN_CLASS_ERROR && conv->has_connection_id &&
        !PINFO_FD_VISITED(pinfo)) {
        c = connection_lookup(conv->connection_id, NULL);
        if (c && !c->bind_error_in) {
            c->bind_error_in = pinfo->num;
            c->bind_error = m->error_code;
        }
        if (c)
            m->el = c->el;
    }
    if (m->method == MSSTUN_M_CONNECTION_BIND && m->cls == MSSTUN_CLASS_SUCCESS) {
        /* RFC 6062 4.3: from now on the connection carries the peer's data */
        if (!PINFO_FD_VISITED(pinfo) && conv->has_connection_id && !conv->data_from) {
            conv->data_from = pinfo->num + 1;
            c = connection_lookup(conv->connection_id, NULL);
            if (c)
                c->bind_ok_in = pinfo->num;
        }
        if (!PINFO_FD_VISITED(pinfo) && conv->has_connection_id) {
            c = connection_lookup(conv->connection_id, NULL);
            if (c)
                m->el = c->el;
        }
        if (conv->has_connection_id) {
            proto_item_set_generated(proto_tree_add_uint(m->tree, hf_msstun_rfc6062_connection_id, m->tvb, 0, 0,
                                                         conv->connection_id));
        }
        return;
    }
    if (!m->has_connection_id || (!announce && !bind_req))
        return;

    c = connection_lookup(m->connection_id, PINFO_FD_VISITED(pinfo) ? NULL : m);
    if (!c)
        return;
    if (bind_req)
        m->el = c->el;
    if (!PINFO_FD_VISITED(pinfo)) {
        if (announce && !c->announced_in) {
            c->announced_in = pinfo->num;
            c->alloc = conv->alloc;
            if (m->ep[MSSTUN_ADDR_PEER].valid)
                copy_endpoint(&c->peer, &m->ep[MSSTUN_ADDR_PEER]);
            else if (m->trans && m->trans->req_peer.valid)   /* Connect success: peer was in the request */
                c->peer = m->trans->req_peer;
        } else if (bind_req && !c->bound_in) {
            c->bound_in = pinfo->num;
            conv->has_connection_id = TRUE;
            conv->connection_id = m->connection_id;
            copy_address_wmem(wmem_file_scope(), &conv->bind_client.addr, &pinfo->src);
            conv->bind_client.port = (guint16)pinfo->srcport;
            conv->bind_client.valid = TRUE;
        }
    }
    if (announce) {
        if (!PINFO_FD_VISITED(pinfo))
            register_tcp_peer_leg(m, c);
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

static void add_allocation_tree(proto_tree *tree, tvbuff_t *tvb, const msstun_alloc_t *a);

/* ---- The peer leg (relayed address <-> peer), seen on the TURN server --------- */

static msstun_conv_t *
leg_of(conversation_t *c)
{
    msstun_conv_t *leg = c ? (msstun_conv_t *)conversation_get_proto_data(c, proto_msstun) : NULL;
    return leg && leg->peer_leg_alloc ? leg : NULL;
}

/* The leg of relayed address:port <-> peer address (any peer port): the
 * 5-tuple's conversation, else looked up in both directions explicitly (from
 * 4.6 UDP's own exact conversation for the 5-tuple is found first). */
static msstun_conv_t *
peer_leg_lookup(packet_info *pinfo)
{
    msstun_conv_t *leg = msstun_conv_get(pinfo, FALSE);

    if (leg && leg->peer_leg_alloc)
        return leg;
    leg = leg_of(find_conversation(pinfo->num, &pinfo->src, &pinfo->dst, CONVERSATION_UDP,
                                   pinfo->srcport, pinfo->destport, NO_PORT_B));
    return leg ? leg : leg_of(find_conversation(pinfo->num, &pinfo->dst, &pinfo->src, CONVERSATION_UDP,
                                                pinfo->destport, pinfo->srcport, NO_PORT_B));
}

/* The leg's port wildcard loses to conversations found before it: RTP's on
 * the flow's ports, which DTLS-SRTP registers from the ClientHello that goes
 * through here (the rest of the flow, and that frame on a second pass, would
 * be RTP without the relay), and the other allocation's wildcard when both
 * relayed addresses share a host (a check would go out on one leg and its
 * answer come back on the other). Pinning the 5-tuple on its first datagram
 * keeps both directions, in every pass, on this leg. */
static void
pin_peer_leg(packet_info *pinfo, msstun_conv_t *leg)
{
    conversation_t *c = find_conversation(pinfo->num, &pinfo->src, &pinfo->dst, CONVERSATION_UDP, pinfo->srcport,
                                          pinfo->destport, 0);

    if (c && (c->options & (NO_ADDR2 | NO_PORT2)))
        c = NULL;       /* a wildcard: this leg's own or another one's */
    if (!c)
        c = conversation_new(pinfo->num, &pinfo->src, &pinfo->dst, CONVERSATION_UDP, pinfo->srcport,
                             pinfo->destport, 0);
    if (conversation_get_proto_data(c, proto_msstun))
        return;         /* pinned already, or msstun's state from before the permission */
    conversation_add_proto_data(c, proto_msstun, leg);
    conversation_set_dissector(c, msstun_peer_leg_handle);
}

/* Datagrams between the relayed address and a permitted peer are the relayed
 * media and checks: decode them as such (STUN, RTP/RTCP, DTLS by RFC 7983)
 * without the user enabling weak heuristics, and say which allocation. */
int
dissect_msstun_peer_leg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    msstun_conv_t *leg = peer_leg_lookup(pinfo);

    if (!leg)
        return 0;   /* not a permitted peer: UDP goes on with ports and heuristics */
    if (!PINFO_FD_VISITED(pinfo))
        pin_peer_leg(pinfo, leg);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "TURN");
    col_add_fstr(pinfo->cinfo, COL_INFO, "Relayed (allocation %u)", leg->peer_leg_alloc->id);
    if (tree) {
        proto_item *ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, 0, ENC_NA);
        proto_item_append_text(ti, ", TURN peer leg");
        add_allocation_tree(proto_item_add_subtree(ti, ett_msstun_alloc), tvb, leg->peer_leg_alloc);
    }
    msstun_handoff_payload(tvb, pinfo, tree, 0, FALSE, TRUE);
    return tvb_captured_length(tvb);
}

static void
register_peer_leg(msstun_msg_t *m, const msstun_endpoint_t *peer)
{
    msstun_alloc_t *a = m->alloc;
    conversation_t *c;
    msstun_conv_t *leg;

    if (!a || !a->relayed.valid || a->transport != 17 || !peer->valid || peer->addr.type != a->relayed.addr.type)
        return;
    c = find_conversation(m->pinfo->num, &a->relayed.addr, &peer->addr, CONVERSATION_UDP, a->relayed.port,
                          0, NO_PORT_B);
    if (!c)
        c = conversation_new(m->pinfo->num, &a->relayed.addr, &peer->addr, CONVERSATION_UDP, a->relayed.port,
                             0, NO_PORT2);
    leg = (msstun_conv_t *)conversation_get_proto_data(c, proto_msstun);
    if (leg && leg->peer_leg_alloc)
        return;
    if (!leg) {
        leg = wmem_new0(wmem_file_scope(), msstun_conv_t);
        conversation_add_proto_data(c, proto_msstun, leg);
    }
    leg->peer_leg_alloc = a;
    conversation_set_dissector(c, msstun_peer_leg_handle);
#if MSSTUN_WS_VER >= 40600
    /* 4.6's UDP keeps an exact conversation per 5-tuple and, looking for a
     * dissector, searches the port-only wildcard (NO_PORT2) in one direction
     * only: relayed -> peer datagrams would stay Data. A conversation on the
     * relayed address:port alone is searched both ways; the peer-leg dissector
     * then checks the peer against the permissions above. */
    c = find_conversation(m->pinfo->num, &a->relayed.addr, NULL, CONVERSATION_UDP, a->relayed.port, 0,
                          NO_ADDR_B | NO_PORT_B);
    if (!c)
        c = conversation_new(m->pinfo->num, &a->relayed.addr, NULL, CONVERSATION_UDP, a->relayed.port, 0,
                             NO_ADDR2 | NO_PORT2);
    conversation_set_dissector(c, msstun_peer_leg_handle);
#endif
}

/* RFC 8656 11.2: a channel is bound when the server says so; an unanswered,
 * refused or malformed ChannelBind binds nothing */
static void
track_channel_bind(msstun_msg_t *m, msstun_conv_t *conv)
{
    const msstun_trans_t *t = m->trans;
    gpointer key;

    if (PINFO_FD_VISITED(m->pinfo) || m->method != MSSTUN_M_CHANNEL_BIND || m->cls != MSSTUN_CLASS_SUCCESS ||
        !t || t->rsp_frame != m->pinfo->num || !t->req_has_channel || !t->req_peer.valid)
        return;
    if (!conv->channels)
        conv->channels = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    key = GUINT_TO_POINTER((guint)t->req_channel);
    if (!wmem_map_contains(conv->channels, key)) {
        if (wmem_map_size(conv->channels) >= MSSTUN_MAX_CHANNELS)
            return;
        if (m->alloc)            /* a refresh (RFC 8656 11.3) binds no new channel */
            m->alloc->channels++;
    }
    /* the request's peer lives as long as the file: point at it, no copy */
    wmem_map_insert(conv->channels, key, (gpointer)&t->req_peer);
}

/* ---- Allocations (RFC 8656 7, [MS-TURN] 3.2) ------------------------------ */

static void
set_endpoint(msstun_endpoint_t *ep, const address *a, guint32 port)
{
    copy_address_wmem(wmem_file_scope(), &ep->addr, a);
    ep->port = (guint16)port;
    ep->valid = TRUE;
}

static msstun_alloc_t *
new_allocation(msstun_msg_t *m, msstun_conv_t *conv)
{
    packet_info *pinfo = m->pinfo;
    msstun_alloc_t *a;

    if (wmem_array_get_count(msstun_allocation_list) >= MSSTUN_MAX_ALLOCATIONS) {
        msstun_cap_hit(&alloc_cap, m);
        return NULL;
    }
    a = wmem_new0(wmem_file_scope(), msstun_alloc_t);
    a->id = wmem_array_get_count(msstun_allocation_list) + 1;
    set_endpoint(&a->client, &pinfo->src, pinfo->srcport);
    set_endpoint(&a->server, &pinfo->dst, pinfo->destport);
    a->over_tcp = m->over_tcp;
    a->msturn = m->format == MSSTUN_FMT_MSTURN;
    a->transport = m->has_transport ? m->transport : 17;
    a->requested_in = pinfo->num;
    a->el = msstun_path_element(MSSTUN_EL_ALLOC, a, NULL);
    wmem_array_append_one(msstun_allocation_list, a);
    conv->alloc = a;
    return a;
}

/* First pass only: what this message changes in its allocation */
static msstun_alloc_t *
update_allocation(msstun_msg_t *m, msstun_conv_t *conv)
{
    packet_info *pinfo = m->pinfo;
    msstun_trans_t *t = m->trans;
    msstun_alloc_t *a = conv->alloc;
    gboolean ok = m->cls == MSSTUN_CLASS_SUCCESS, err = m->cls == MSSTUN_CLASS_ERROR;

    if (m->method == MSSTUN_M_ALLOCATE && m->cls == MSSTUN_CLASS_REQUEST) {
        /* a new Allocate after a deletion or a final failure is a new
         * allocation; one with LIFETIME 0 ends this one ([MS-TURN] 3.2.4.1) */
        if (t && t->req_frame != pinfo->num && t->alloc)
            return t->alloc;                     /* a retransmission */
        if (!a || a->deleted_in || a->failed_in)
            a = new_allocation(m, conv);
        else if (m->has_transport && !a->success_in)
            a->transport = m->transport;
        if (t && t->req_frame == pinfo->num)
            t->alloc = a;
        return a;
    }
    /* a response may come from another address of the server: its request knows */
    if ((ok || err) && t && t->alloc)
        a = t->alloc;
    else if (m->cls == MSSTUN_CLASS_REQUEST && t && t->req_frame == pinfo->num)
        t->alloc = a;
    if (!a)
        return NULL;
    if (err) {
        a->errors++;
        a->last_error = m->error_code;
        a->last_error_in = pinfo->num;
        if (m->error_code == 401) {
            if (m->trans && m->trans->req_had_mi)
                a->auth_failures++;
            else
                a->auth_challenges++;
        }
    }
    switch (m->method) {
    case MSSTUN_M_ALLOCATE:
        if (ok && a->success_in && t && t->req_has_lifetime && t->req_lifetime == 0) {
            if (!a->deleted_in)
                a->deleted_in = pinfo->num;      /* [MS-TURN] deallocation */
        } else if (ok && !a->success_in) {
            a->success_in = pinfo->num;
            a->success_time = pinfo->abs_ts;
            a->last_refresh_time = pinfo->abs_ts;
            /* [MS-TURN] 2.2.2.1: MAPPED-ADDRESS is the allocated (relayed) address */
            if (m->ep[MSSTUN_ADDR_RELAYED].valid)
                copy_endpoint(&a->relayed, &m->ep[MSSTUN_ADDR_RELAYED]);
            else if (a->msturn && m->ep[MSSTUN_ADDR_MAPPED].valid)
                copy_endpoint(&a->relayed, &m->ep[MSSTUN_ADDR_MAPPED]);
            if (m->ep[MSSTUN_ADDR_XOR_MAPPED].valid)
                copy_endpoint(&a->reflexive, &m->ep[MSSTUN_ADDR_XOR_MAPPED]);
            if (m->has_lifetime)
                a->lifetime = m->lifetime;
        } else if (err && m->error_code != 401 && m->error_code != 438 && !a->success_in) {
            a->failed_in = pinfo->num;
        }
        break;
    case MSSTUN_M_REFRESH:
        if (ok) {
            a->refreshes++;
            a->last_refresh_time = pinfo->abs_ts;
            if (m->has_lifetime && m->lifetime == 0 && !a->deleted_in)
                a->deleted_in = pinfo->num;
            else if (m->has_lifetime && m->lifetime)
                a->lifetime = m->lifetime;
        } else if (err && m->error_code != 401 && m->error_code != 438) {
            a->refresh_failures++;
        }
        break;
    case MSSTUN_M_CREATE_PERMISSION:
        if (ok)
            a->permissions++;
        break;
    case MSSTUN_M_CHANNEL_BIND:      /* counted once per channel number: track_channel_bind */
        break;
    case MSSTUN_M_MS_SET_ACTIVE_DEST:
        if (m->cls == MSSTUN_CLASS_REQUEST && m->ep[MSSTUN_ADDR_DESTINATION].valid)
            copy_endpoint(&a->active_dest, &m->ep[MSSTUN_ADDR_DESTINATION]);
        else if (ok)
            a->active_dest_in = pinfo->num;
        break;
    case MSSTUN_M_SEND:
    case MSSTUN_M_DATA:
    case MSSTUN_M_MS_SEND:
    case MSSTUN_M_MS_DATA:
        a->relayed_frames++;
        break;
    case MSSTUN_M_CONNECTION_ATTEMPT:
        a->tcp_connections++;
        break;
    case MSSTUN_M_CONNECT:
        if (ok)
            a->tcp_connections++;
        break;
    default:
        break;
    }
    return a;
}

static void
add_allocation_tree(proto_tree *tree, tvbuff_t *tvb, const msstun_alloc_t *a)
{
    char ep[MAX_ADDR_STR_LEN + 8] = "", ok[12] = "", del[12] = "";
    proto_item *ti;
    proto_tree *at;

    if (!a || !tree)
        return;
    /* a filter-only tree (tshark -Y) that wants none of these: skip the text */
    if (!proto_field_is_referenced(tree, hf_msstun_alloc_id) && !proto_field_is_referenced(tree, hf_msstun_alloc_relayed) &&
        !proto_field_is_referenced(tree, hf_msstun_alloc_requested_in) &&
        !proto_field_is_referenced(tree, hf_msstun_alloc_success_in) &&
        !proto_field_is_referenced(tree, hf_msstun_alloc_deleted_in))
        return;
    if (a->relayed.valid)
        msstun_endpoint_buf(&a->relayed, ep, sizeof ep);
    if (a->success_in)
        msstun_u32_to_str_buf(a->success_in, ok, sizeof ok);
    if (a->deleted_in)
        msstun_u32_to_str_buf(a->deleted_in, del, sizeof del);
    /* one line that says it all; expanded, the frames are links to click */
    ti = proto_tree_add_uint_format(tree, hf_msstun_alloc_id, tvb, 0, 0, a->id,
                                    "TURN allocation %u%s%s, requested in frame %u%s%s%s%s", a->id,
                                    *ep ? ", relayed " : "", ep, a->requested_in,
                                    *ok ? ", allocated in frame " : "", ok,
                                    *del ? ", released in frame " : "", del);
    proto_item_set_generated(ti);
    at = proto_item_add_subtree(ti, ett_msstun_alloc);
    proto_item_set_generated(proto_tree_add_uint(at, hf_msstun_alloc_requested_in, tvb, 0, 0, a->requested_in));
    if (a->success_in)
        proto_item_set_generated(proto_tree_add_uint(at, hf_msstun_alloc_success_in, tvb, 0, 0, a->success_in));
    if (a->relayed.valid)
        proto_item_set_hidden(proto_tree_add_string(at, hf_msstun_alloc_relayed, tvb, 0, 0, ep));   /* in the text */
    if (a->deleted_in)
        proto_item_set_generated(proto_tree_add_uint(at, hf_msstun_alloc_deleted_in, tvb, 0, 0, a->deleted_in));
}

void
msstun_track_turn(msstun_msg_t *m, msstun_conv_t *conv)
{
    /* permissions and channels (RFC 8656 9, 12) name the peers of the relayed
     * address; a ChannelBind installs the permission of the peer's IP address
     * too (11.2), so both register the peer with any port: one leg per peer
     * address, however many channels lead to its ports */
    if (!PINFO_FD_VISITED(m->pinfo) && m->depth == 0 && m->cls == MSSTUN_CLASS_SUCCESS && m->trans &&
        (m->method == MSSTUN_M_CHANNEL_BIND || m->method == MSSTUN_M_CREATE_PERMISSION)) {
        m->alloc = conv->alloc;
        register_peer_leg(m, &m->trans->req_peer);
    }
    m->alloc = conv->alloc;
    if (!PINFO_FD_VISITED(m->pinfo)) {
        if (nstime_cmp(&m->pinfo->abs_ts, &msstun_last_time) > 0)
            msstun_last_time = m->pinfo->abs_ts;
        if (m->depth == 0 && m->method != MSSTUN_M_BINDING) {
            m->alloc = update_allocation(m, conv);
            if (m->alloc)
                m->el = m->alloc->el;
        }
    } else if (m->trans && m->trans->alloc) {
        m->alloc = m->trans->alloc;
    }
    msstun_cap_show(&alloc_cap, m);
    if (m->depth == 0 && m->method != MSSTUN_M_BINDING)
        add_allocation_tree(m->tree, m->tvb, m->alloc);
    track_rfc6062(m, conv);
    track_channel_bind(m, conv);
}

/* ChannelData: which peer the channel was bound to */
void
msstun_track_channel(packet_info *pinfo, proto_tree *tree, guint16 channel, gboolean over_tcp _U_)
{
    msstun_conv_t *conv = msstun_conv_get(pinfo, FALSE);
    const msstun_endpoint_t *ep;
    proto_item *it;

    if (!conv)
        return;
    add_allocation_tree(tree, NULL, conv->alloc);
    ep = conv->channels ? (const msstun_endpoint_t *)wmem_map_lookup(conv->channels, GUINT_TO_POINTER((guint)channel))
                        : NULL;
    if (!ep || !ep->valid) {
        /* the allocation was seen from its start, so no ChannelBind success bound it */
        if (channel != MSSTUN_MUX_CHANNEL && conv->alloc && conv->alloc->success_in) {
            msstun_alloc_t *a = conv->alloc;
            if (!PINFO_FD_VISITED(pinfo)) {
                if (!a->unbound_frames++) {
                    a->unbound_first_in = pinfo->num;
                    a->unbound_channel = channel;
                }
                a->unbound_last_in = pinfo->num;
            }
            it = proto_tree_add_string(tree, hf_msstun_channel_peer, NULL, 0, 0, "(not bound)");
            proto_item_set_generated(it);
            col_append_str(pinfo->cinfo, COL_INFO, " (channel not bound)");
        }
        msstun_path_frame_experts(pinfo, tree ? proto_tree_get_parent(tree) : NULL);
        return;
    }
    if (conv->alloc && !PINFO_FD_VISITED(pinfo))
        conv->alloc->relayed_frames++;
    msstun_path_frame_experts(pinfo, tree ? proto_tree_get_parent(tree) : NULL);
    it = proto_tree_add_string(tree, hf_msstun_channel_peer, NULL, 0, 0, msstun_endpoint_str(pinfo, ep));
    proto_item_set_generated(it);
    col_append_fstr(pinfo->cinfo, COL_INFO, " peer %s", msstun_endpoint_str(pinfo, ep));
}

/* The data connection's own line, a layer of its own around the relayed
 * bytes (RFC 6062 4.3: after ConnectionBind they are the peer's data), with
 * the links to the frames that announced and bound it. */
void
msstun_rfc6062_data_item(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv)
{
    proto_item *ti = proto_tree_add_item(tree, proto_msstun, tvb, 0, -1, ENC_NA);
    proto_tree *rt = proto_item_add_subtree(ti, ett_msstun_rfc6062);
    msstun_tcp_conn_t *c = connection_lookup(conv->connection_id, NULL);

    if (msstun_tree_visible(tree)) {
        const char *what = conv->peer_leg_alloc ? "TURN RFC 6062 peer leg" : "TURN RFC 6062 data connection";
        if (c && c->peer.valid)
            proto_item_set_text(ti, "%s, CONNECTION-ID 0x%08x, peer %s", what, conv->connection_id,
                                msstun_endpoint_str(pinfo, &c->peer));
        else
            proto_item_set_text(ti, "%s, CONNECTION-ID 0x%08x", what, conv->connection_id);
    }
    if (c && !PINFO_FD_VISITED(pinfo) && !conv->peer_leg_alloc) {   /* counted once, on the client's side */
        c->data_frames++;
        if (c->alloc)
            c->alloc->relayed_frames++;
    }
    proto_item_set_generated(proto_tree_add_uint(rt, hf_msstun_rfc6062_connection_id, tvb, 0, 0, conv->connection_id));
    if (c && c->announced_in)
        proto_item_set_generated(proto_tree_add_uint(rt, hf_msstun_rfc6062_announced_in, tvb, 0, 0, c->announced_in));
    if (c && c->bound_in)
        proto_item_set_generated(proto_tree_add_uint(rt, hf_msstun_rfc6062_bound_in, tvb, 0, 0, c->bound_in));
    if (c && c->peer.valid)
        proto_item_set_generated(proto_tree_add_string(rt, hf_msstun_rfc6062_peer, tvb, 0, 0,
                                                       msstun_endpoint_str(pinfo, &c->peer)));
    if (c)
        add_allocation_tree(rt, tvb, c->alloc);
}

int
msstun_rfc6062_data(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, msstun_conv_t *conv)
{
    const char *info;

    msstun_rfc6062_data_item(tvb, pinfo, tree, conv);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "TURN");
    if (msstun_rfc6062_data_pdus(tvb, pinfo, tree, conv) == 0)
        msstun_handoff_payload(tvb, pinfo, tree, 0, TRUE, FALSE);
    /* the Info column leads with what the peer sent (a relayed check, RTP...) */
    info = col_get_text(pinfo->cinfo, COL_INFO);
    if (info && *info)
        col_append_fstr(pinfo->cinfo, COL_INFO, conv->peer_leg_alloc ? " (RFC 6062 peer leg 0x%08x)" :
                        " (RFC 6062 data connection 0x%08x)", conv->connection_id);
    else
        col_add_fstr(pinfo->cinfo, COL_INFO, conv->peer_leg_alloc ? "RFC 6062 peer leg, CONNECTION-ID 0x%08x" :
                     "RFC 6062 peer data, CONNECTION-ID 0x%08x", conv->connection_id);
    return tvb_captured_length(tvb);
}

/* On an RFC 6062 data connection the bytes travel between the allocation's
 * relayed address and the peer: the ICE pair is named after those, not after
 * the client-server TCP connection that carries them. */
gboolean
msstun_rfc6062_relay_endpoints(packet_info *pinfo, msstun_conv_t *conv, msstun_endpoint_t *src, msstun_endpoint_t *dst)
{
    msstun_tcp_conn_t *c;
    gboolean from_client;

    if (!conv || !conv->data_from || pinfo->num < conv->data_from || !conv->bind_client.valid)
        return FALSE;
    c = connection_lookup(conv->connection_id, NULL);
    if (!c || !c->alloc || !c->alloc->relayed.valid || !c->peer.valid)
        return FALSE;
    from_client = addresses_equal(&pinfo->src, &conv->bind_client.addr) && pinfo->srcport == conv->bind_client.port;
    *src = from_client ? c->alloc->relayed : c->peer;
    *dst = from_client ? c->peer : c->alloc->relayed;
    return TRUE;
}
