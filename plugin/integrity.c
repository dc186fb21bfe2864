/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * integrity.c - FINGERPRINT (RFC 5389 15.5) and MESSAGE-INTEGRITY.
 *
 * FINGERPRINT: CRC-32 of the message up to the attribute, with the header
 * length covering FINGERPRINT (which it does when FINGERPRINT is last, as it
 * must be), XOR 0x5354554E. Uses wsutil's CRC.
 */
#include "msstun.h"

#include <epan/crc32-tvb.h>

void
msstun_check_fingerprint(msstun_msg_t *m, tvbuff_t *vt, proto_tree *tree, int msg_off)
{
    guint32 crc = crc32_ccitt_tvb_offset(m->tvb, 0, msg_off) ^ MSSTUN_FP_XOR;
    gboolean last = msg_off + 8 == MSSTUN_HDR_LEN + m->length;

    if (last) {
        proto_tree_add_checksum(tree, vt, 0, hf_msstun_att_crc32, hf_msstun_att_crc32_status,
                                &ei_msstun_att_crc32_bad, m->pinfo, crc, ENC_BIG_ENDIAN, PROTO_CHECKSUM_VERIFY);
    } else {
        /* not last: the length field does not cover it, so it cannot be verified as sent */
        proto_tree_add_checksum(tree, vt, 0, hf_msstun_att_crc32, hf_msstun_att_crc32_status,
                                &ei_msstun_att_crc32_bad, m->pinfo, 0, ENC_BIG_ENDIAN, PROTO_CHECKSUM_NO_FLAGS);
        proto_tree_add_expert(tree, m->pinfo, &ei_msstun_fp_not_last, vt, 0, 4);
    }
}

/* MESSAGE-INTEGRITY verification needs credentials (issue 5); until then the
 * HMAC is shown and its status reported as unverified. */
void
msstun_check_integrity(msstun_msg_t *m)
{
    proto_item *it = proto_tree_add_uint(m->tree, hf_msstun_att_hmac_status, m->tvb, m->mi_offset, 4,
                                         PROTO_CHECKSUM_E_UNVERIFIED);
    proto_item_set_generated(it);
}
