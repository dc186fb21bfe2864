/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * diag.c - error responses explained: an expert info that names the cause
 * and what happened next, not just the code (RFC 8489 14.8, RFC 8656 19,
 * RFC 6062 6.3, RFC 8445 7.3.1.1, [MS-TURN] 3.1.12).
 *
 * Uses the request's facts kept by transactions.c: a 401 to a request
 * without MESSAGE-INTEGRITY is the normal challenge; to one with it, the
 * credentials were wrong.
 */
#include "msstun.h"

/* Codes whose explanation needs nothing but the method name */
static const struct {
    guint16 code;
    expert_field *ei;
    const char *text;
} plain_causes[] = {
    { 431, &ei_msstun_diag_auth_failed, "431 Integrity Check Failure: the receiver computed another "
      "MESSAGE-INTEGRITY, so the two sides disagree on the password" },
    { 446, &ei_msstun_diag_rfc6062, "446 Connection Already Exists: this allocation already has a TCP "
      "connection to that peer (RFC 6062 5.2)" },
    { 447, &ei_msstun_diag_rfc6062_failed, "447 Connection Timeout or Failure: the server could not open, or "
      "lost, the TCP connection to the peer (RFC 6062 5.2)" },
    { 486, &ei_msstun_diag_quota, "486 Allocation Quota Reached: this user already has as many allocations "
      "as the server allows" },
    { 487, &ei_msstun_diag_role_conflict, "487 Role Conflict: both agents claimed the same ICE role; the "
      "sender switches role and checks again (RFC 8445 7.3.1.1)" },
    { 508, &ei_msstun_diag_capacity, "508 Insufficient Capacity: the server has no relay ports or bandwidth "
      "left" },
};

/* The one expert this error response raises: only it is asked whether
 * anyone wants it (a filter-only tree, a tap), not all of this file's. */
static expert_field *
diag_expert_of(const msstun_msg_t *m)
{
    const msstun_trans_t *t = m->trans;

    for (size_t i = 0; i < G_N_ELEMENTS(plain_causes); i++)
        if (plain_causes[i].code == m->error_code)
            return plain_causes[i].ei;
    switch (m->error_code) {
    case 401: return t && t->req_had_mi ? &ei_msstun_diag_auth_failed : &ei_msstun_diag_auth_challenge;
    case 438: return m->format == MSSTUN_FMT_MSTURN ? &ei_msstun_diag_error : &ei_msstun_diag_stale_nonce;
    case 403: return &ei_msstun_diag_forbidden;
    case 437: return &ei_msstun_diag_alloc_mismatch;
    case 300: return &ei_msstun_diag_try_alternate;
    case 420: return &ei_msstun_diag_unknown_attr;
    case 442: return &ei_msstun_diag_transport;
    default:  return &ei_msstun_diag_error;
    }
}

void
msstun_diagnose(msstun_msg_t *m, msstun_conv_t *conv _U_)
{
    packet_info *pinfo = m->pinfo;
    const msstun_trans_t *t = m->trans;
    const char *method;
    proto_item *ti = m->ti;
    guint16 code = m->error_code;
    expert_field *ei;

    if (m->cls != MSSTUN_CLASS_ERROR)
        return;
    ei = diag_expert_of(m);
    if (!msstun_want_expert(m, ei))
        return;
    method = msstun_method_name(m->method);
    for (size_t i = 0; i < G_N_ELEMENTS(plain_causes); i++) {
        if (plain_causes[i].code == code) {
            expert_add_info_format(pinfo, ti, ei, "%s %s", method, plain_causes[i].text);
            return;
        }
    }
    switch (code) {
    case 401:
        /* what this response says, from what came before it only (the same in one
         * pass and two); whether a retry then succeeded is the model's (media_path.c) */
        if (t && t->req_had_mi)
            expert_add_info_format(pinfo, ti, ei,
                                   "%s 401 after credentials were sent (request in frame %u): the server rejected "
                                   "the username, password or realm", method, t->req_frame);
        else
            expert_add_info_format(pinfo, ti, ei,
                                   "%s 401: the normal first challenge, the request carried no credentials; the "
                                   "client retries with them", method);
        break;
    case 438:
        /* whether a retry succeeded needs the whole capture: media_path.c says so */
        if (m->format == MSSTUN_FMT_MSTURN)
            expert_add_info_format(pinfo, ti, ei, "%s 438 Send Failed ([MS-TURN])", method);
        else
            expert_add_info_format(pinfo, ti, ei,
                                   "%s 438 Stale Nonce: the nonce expired; the client retries with the new NONCE",
                                   method);
        break;
    case 403:
        expert_add_info_format(pinfo, ti, ei,
                               "%s 403 Forbidden: the server's policy refuses this request, e.g. the peer address "
                               "is denied%s", method,
                               t ? wmem_strdup_printf(pinfo->pool, " (request in frame %u)", t->req_frame) : "");
        break;
    case 437:
        expert_add_info_format(pinfo, ti, ei, m->format == MSSTUN_FMT_MSTURN ?
                               "%s 437 No Binding: the server has no allocation for this client" :
                               "%s 437 Allocation Mismatch: no allocation exists for this 5-tuple (expired, deleted "
                               "or never created), or an Allocate was repeated on a 5-tuple that has one", method);
        break;
    case 300:
        expert_add_info_format(pinfo, ti, ei, "%s 300 Try Alternate: redirected to %s",
                               method, m->ep[MSSTUN_ADDR_ALTERNATE].valid ?
                               msstun_endpoint_str(pinfo, &m->ep[MSSTUN_ADDR_ALTERNATE]) : "(no ALTERNATE-SERVER)");
        break;
    case 420:
        expert_add_info_format(pinfo, ti, ei,
                               "%s 420 Unknown Attribute: the receiver does not understand attribute 0x%04x (%s)",
                               method, m->unknown_attr,
                               m->has_unknown_attr ? val_to_str_ext_const(m->unknown_attr, &msstun_attr_names_ext, "unknown")
                                                   : "not listed");
        break;
    case 442:
        expert_add_info_format(pinfo, ti, ei,
                               "%s 442 Unsupported Transport Protocol: the server offers no %s relay", method,
                               t && t->req_transport == 6 ? "TCP (RFC 6062)" : t && t->req_transport == 17 ? "UDP" : "such");
        break;
    default:
        expert_add_info_format(pinfo, ti, ei, "%s Error Response %u (%s)", method, code,
                               val_to_str_const(code, msstun_error_names, "Unknown"));
        break;
    }
}
