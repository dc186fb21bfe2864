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

static gboolean sent_credentials(const msstun_msg_t *m) { return m->trans && m->trans->req_had_mi; }
static gboolean is_msturn(const msstun_msg_t *m) { return m->format == MSSTUN_FMT_MSTURN; }

/* Explanations that need more than the code (the request's facts, the
 * format, an attribute): the text after the method name, in packet memory */

static const char *
explain_401(const msstun_msg_t *m)
{
    /* what this response says, from what came before it only (the same in one
     * pass and two); whether a retry then succeeded is the model's (media_path.c) */
    if (sent_credentials(m))
        return wmem_strdup_printf(m->pinfo->pool, "401 after credentials were sent (request in frame %u): the "
                                  "server rejected the username, password or realm", m->trans->req_frame);
    return "401: the normal first challenge, the request carried no credentials; the client retries with them";
}

static const char *
explain_438(const msstun_msg_t *m)
{
    /* whether a retry succeeded needs the whole capture: media_path.c says so */
    return is_msturn(m) ? "438 Send Failed ([MS-TURN])"
                        : "438 Stale Nonce: the nonce expired; the client retries with the new NONCE";
}

static const char *
explain_403(const msstun_msg_t *m)
{
    return wmem_strdup_printf(m->pinfo->pool, "403 Forbidden: the server's policy refuses this request, e.g. "
                              "the peer address is denied%s",
                              m->trans ? wmem_strdup_printf(m->pinfo->pool, " (request in frame %u)",
                                                            m->trans->req_frame) : "");
}

static const char *
explain_437(const msstun_msg_t *m)
{
    return is_msturn(m) ? "437 No Binding: the server has no allocation for this client"
                        : "437 Allocation Mismatch: no allocation exists for this 5-tuple (expired, deleted or "
                          "never created), or an Allocate was repeated on a 5-tuple that has one";
}

static const char *
explain_300(const msstun_msg_t *m)
{
    return wmem_strdup_printf(m->pinfo->pool, "300 Try Alternate: redirected to %s",
                              m->ep[MSSTUN_ADDR_ALTERNATE].valid
                                  ? msstun_endpoint_str(m->pinfo, &m->ep[MSSTUN_ADDR_ALTERNATE])
                                  : "(no ALTERNATE-SERVER)");
}

static const char *
explain_420(const msstun_msg_t *m)
{
    return wmem_strdup_printf(m->pinfo->pool,
                              "420 Unknown Attribute: the receiver does not understand attribute 0x%04x (%s)",
                              m->unknown_attr,
                              m->has_unknown_attr ? val_to_str_ext_const(m->unknown_attr, &msstun_attr_names_ext,
                                                                         "unknown")
                                                  : "not listed");
}

static const char *
explain_442(const msstun_msg_t *m)
{
    const msstun_trans_t *t = m->trans;

    return wmem_strdup_printf(m->pinfo->pool, "442 Unsupported Transport Protocol: the server offers no %s relay",
                              t && t->req_transport == 6 ? "TCP (RFC 6062)" : t && t->req_transport == 17 ? "UDP"
                                                                                                          : "such");
}

/* Each error code's expert and explanation. ei_alt: the expert when alt()
 * holds (a 401 after credentials is a failure, an [MS-TURN] 438 is not a
 * stale nonce); text: the explanation, or NULL for explain(). */
static const struct {
    guint16 code;
    expert_field *ei;
    expert_field *ei_alt;
    gboolean (*alt)(const msstun_msg_t *m);
    const char *text;
    const char *(*explain)(const msstun_msg_t *m);
} causes[] = {
    { 300, &ei_msstun_diag_try_alternate, NULL, NULL, NULL, explain_300 },
    { 401, &ei_msstun_diag_auth_challenge, &ei_msstun_diag_auth_failed, sent_credentials, NULL,
      explain_401 },
    { 403, &ei_msstun_diag_forbidden, NULL, NULL, NULL, explain_403 },
    { 420, &ei_msstun_diag_unknown_attr, NULL, NULL, NULL, explain_420 },
    { 431, &ei_msstun_diag_auth_failed, NULL, NULL, "431 Integrity Check Failure: the receiver computed another "
      "MESSAGE-INTEGRITY, so the two sides disagree on the password", NULL },
    { 437, &ei_msstun_diag_alloc_mismatch, NULL, NULL, NULL, explain_437 },
    { 438, &ei_msstun_diag_stale_nonce, &ei_msstun_diag_error, is_msturn, NULL, explain_438 },
    { 442, &ei_msstun_diag_transport, NULL, NULL, NULL, explain_442 },
    { 446, &ei_msstun_diag_rfc6062, NULL, NULL, "446 Connection Already Exists: this allocation already has a TCP "
      "connection to that peer (RFC 6062 5.2)", NULL },
    { 447, &ei_msstun_diag_rfc6062_failed, NULL, NULL, "447 Connection Timeout or Failure: the server could not "
      "open, or lost, the TCP connection to the peer (RFC 6062 5.2)", NULL },
    { 486, &ei_msstun_diag_quota, NULL, NULL, "486 Allocation Quota Reached: this user already has as many "
      "allocations as the server allows", NULL },
    { 487, &ei_msstun_diag_role_conflict, NULL, NULL, "487 Role Conflict: both agents claimed the same ICE role; "
      "the sender switches role and checks again (RFC 8445 7.3.1.1)", NULL },
    { 508, &ei_msstun_diag_capacity, NULL, NULL, "508 Insufficient Capacity: the server has no relay ports or "
      "bandwidth left", NULL },
};

void
msstun_diagnose(msstun_msg_t *m, msstun_conv_t *conv _U_)
{
    const char *method, *text;
    expert_field *ei = &ei_msstun_diag_error;
    size_t i;

    if (m->cls != MSSTUN_CLASS_ERROR)
        return;
    for (i = 0; i < G_N_ELEMENTS(causes) && causes[i].code != m->error_code; i++)
        ;
    if (i < G_N_ELEMENTS(causes))
        ei = causes[i].alt && causes[i].alt(m) ? causes[i].ei_alt : causes[i].ei;
    /* only this one expert is asked whether anyone wants it (a filter-only
     * tree, a tap), and the text is built only then */
    if (!msstun_want_expert(m, ei))
        return;
    method = msstun_method_name(m->method);
    if (i < G_N_ELEMENTS(causes))
        text = causes[i].text ? causes[i].text : causes[i].explain(m);
    else
        text = wmem_strdup_printf(m->pinfo->pool, "Error Response %u (%s)", m->error_code,
                                  val_to_str_const(m->error_code, msstun_error_names, "Unknown"));
    expert_add_info_format(m->pinfo, m->ti, ei, "%s %s", method, text);
}
