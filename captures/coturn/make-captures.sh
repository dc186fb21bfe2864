#!/usr/bin/env bash
# Make the coturn reference captures of msstun (see README.md beside this file).
#
# Every scenario runs in a network namespace of its own (msstun-cap-<pid>-<n>) on
# its loopback interface only, with 127.0.0.1 = TURN server, 127.0.0.2 = relay
# address, 127.0.0.3 = UDP peer (turnutils_peer).  Every process is started in
# the background, its PID recorded, and stopped by that PID; the namespace is
# deleted after each scenario and, on any exit, by the EXIT trap (these
# helpers are in ../lib/netns.sh).
#
# Needs root and the Debian packages coturn, wireshark-common/tshark (dumpcap,
# editcap, capinfos), iproute2 and nftables.
#
# Usage: sudo ./make-captures.sh [scenario ...]     (default: all scenarios)
#        OUT=/some/dir ./make-captures.sh            (write the pcaps elsewhere)
#        KEEP_WORK=1 ./make-captures.sh              (keep the process logs in /tmp)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/msstun-coturn.XXXXXX)

# Credentials and addresses (also recorded in README.md).
USER_NAME=alice
USER_PASS=secret
REALM=example.org
SERVER_IP=127.0.0.1
RELAY_IP=127.0.0.2
PEER_IP=127.0.0.3

LOG_TAG=make-captures
NS_PREFIX=msstun-cap
NS_ADDRS="$RELAY_IP $PEER_IP"
# shellcheck source=SCRIPTDIR/../lib/netns.sh
. "$HERE/../lib/netns.sh"

start_server() { # extra turnserver options...
    start_turnserver --no-tls --no-dtls "$@"
    wait_listen u $SERVER_IP:3478
    wait_listen t $SERVER_IP:3478
}

UC=(turnutils_uclient -u $USER_NAME -w $USER_PASS)

# ---------------------------------------------------------------- scenarios
sc_turn_udp() {
    ns_up; start_server; start_peer; start_capture turn-udp
    run_client uclient 15 "${UC[@]}" -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish turn-udp
}

sc_turn_udp_send() {
    ns_up; start_server; start_peer; start_capture turn-udp-send
    run_client uclient 15 "${UC[@]}" -s -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish turn-udp-send
}

sc_turn_tcp() {
    ns_up; start_server; start_peer; start_capture turn-tcp
    run_client uclient 15 "${UC[@]}" -t -l 101 -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish turn-tcp
}

sc_turn_tcp_relay_rfc6062() {
    ns_up; start_server; start_capture turn-tcp-relay-rfc6062
    run_client uclient 15 "${UC[@]}" -T -n 3 $SERVER_IP
    finish turn-tcp-relay-rfc6062
}

sc_turn_tcp_relay_passive() {
    ns_up; start_server; start_capture turn-tcp-relay-passive
    run_client uclient 8 "${UC[@]}" -P -n 3 $SERVER_IP  # does not exit by itself: bounded by timeout
    finish turn-tcp-relay-passive
}

sc_stunclient() {
    # two listening addresses => coturn enables RFC 5780 (alternate address/port 3479)
    ns_up; start_server --listening-ip=$RELAY_IP; start_capture stunclient
    run_client stunclient 5 turnutils_stunclient $SERVER_IP
    run_client stunclient 5 turnutils_stunclient -f $SERVER_IP
    run_client natdiscovery 10 turnutils_natdiscovery -m -f $SERVER_IP
    finish stunclient
}

sc_wrong_password() {
    ns_up; start_server; start_peer; start_capture wrong-password
    run_client uclient 5 turnutils_uclient -u $USER_NAME -w wrong -c -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish wrong-password
}

sc_quota() {
    ns_up; start_server --user-quota=1; start_peer; start_capture quota
    run_client uclient 8 "${UC[@]}" -c -m 2 -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish quota
}

sc_stale_nonce() {
    # The nonce lives 1 s (--stale-nonce=1).  uclient only sends authenticated
    # requests during its first few milliseconds and at its very end, so the
    # first two Allocate success responses are dropped (nft, input hook: they
    # are captured but never delivered); uclient retransmits its Allocate
    # after 0.5 s and 1 s, and the second retransmission carries a nonce that
    # is more than 1 s old.
    ns_up
    nsx nft -f - <<NFT
table ip msstun_stale {
    chain input {
        type filter hook input priority 0; policy accept;
        ip saddr $SERVER_IP udp sport 3478 @th,64,16 0x0103 numgen inc mod 1000 < ${STALE_DROPS:-2} counter drop
    }
}
NFT
    start_server --stale-nonce=1; start_peer; start_capture stale-nonce
    run_client uclient 15 "${UC[@]}" -c -n 3 -z 500 -e $PEER_IP -r 3480 $SERVER_IP
    nsx nft list table ip msstun_stale >"$WORK/nft.log"
    cat "$WORK/nft.log" >&2
    finish stale-nonce
}

sc_denied_peer() {
    # first run: ChannelBind -> 403; second run (-s): CreatePermission -> 403
    ns_up; start_server --denied-peer-ip=$PEER_IP; start_peer; start_capture denied-peer
    run_client uclient 5 "${UC[@]}" -c -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    run_client uclient 5 "${UC[@]}" -c -s -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish denied-peer
}

sc_no_tcp_relay() {
    ns_up; start_server --no-tcp-relay; start_capture no-tcp-relay
    run_client uclient 5 "${UC[@]}" -T -n 3 $SERVER_IP
    finish no-tcp-relay
}

sc_bad_connection_id() {
    # 1) uclient -N answers the ConnectionAttempt with a ConnectionBind that
    #    carries a random CONNECTION-ID (the ConnectionBind after the Connect
    #    success keeps the right one).  coturn (4.6.1) routes a ConnectionBind
    #    to the relay thread numbered by the id's last wire byte; for an
    #    unknown thread it closes the connection (RST) without a STUN reply.
    # 2) connectionbind.py (scripted client, not coturn) sends ConnectionBind
    #    requests with unknown ids: last byte 00 (thread 0 exists) => coturn
    #    answers 400; last byte 7f => RST as in 1).
    ns_up; start_server; start_capture bad-connection-id
    run_client uclient 8 "${UC[@]}" -T -N -n 3 $SERVER_IP
    run_client cbind1 5 python3 "$HERE/connectionbind.py" $SERVER_IP 3478 deadbe00
    run_client cbind2 5 python3 "$HERE/connectionbind.py" $SERVER_IP 3478 deadbe7f
    finish bad-connection-id
}

sc_lost_responses_unseen() {
    LOSS_HOOK=output LOSS_NAME=lost-responses-unseen sc_lost_responses
}

sc_lost_responses() {
    ns_up
    nsx nft -f - <<NFT
table ip msstun_loss {
    chain input {
        type filter hook ${LOSS_HOOK:-input} priority 0; policy accept;
        ip saddr $SERVER_IP udp sport 3478 @th,64,2 0 numgen inc mod 3 == 1 counter drop
    }
}
NFT
    local name=${LOSS_NAME:-lost-responses}
    start_server; start_peer; start_capture $name
    run_client uclient 10 "${UC[@]}" -c -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    nsx nft list table ip msstun_loss >"$WORK/nft.log"
    cat "$WORK/nft.log" >&2
    finish $name
}

# ------------------------------------------- failure scenarios (scripted clients)
# turnclient.py / stunbinding.py are small scripted clients (they are not
# coturn) for cases turnutils_uclient cannot provoke; the server is the real
# turnserver.  See their docstrings.
TC=(python3 "$HERE/turnclient.py")

sc_channelbind_400() {
    # ChannelBind 0x4000 -> peer :3480 (success), then 0x4000 -> :3481 (400),
    # then ChannelData on 0x4000 (still bound to :3480, echoed by the peer)
    ns_up; start_server; start_peer; start_capture channelbind-400
    run_client turnclient 15 "${TC[@]}" chbind-rebind $SERVER_IP 3478 $USER_NAME $USER_PASS $REALM $PEER_IP 3480
    finish channelbind-400
}

sc_channelbind_range_400() {
    ns_up; start_server; start_peer; start_capture channelbind-range-400
    run_client turnclient 15 "${TC[@]}" chbind-range $SERVER_IP 3478 $USER_NAME $USER_PASS $REALM $PEER_IP 3480
    finish channelbind-range-400
}

sc_refresh_438_giveup() {
    # nonce lifetime 1 s; the client waits 2.5 s after its allocation, its
    # Refresh(600) gets 438 and it gives up (no retry with the new nonce)
    ns_up; start_server --stale-nonce=1; start_peer; start_capture refresh-438-giveup
    run_client turnclient 15 env STALE=2.5 "${TC[@]}" refresh-stale $SERVER_IP 3478 $USER_NAME $USER_PASS $REALM $PEER_IP 3480
    finish refresh-438-giveup
}

sc_channelbind_bad_fingerprint() {
    ns_up; start_server; start_peer; start_capture channelbind-bad-fingerprint
    run_client turnclient 15 "${TC[@]}" chbind-badfp $SERVER_IP 3478 $USER_NAME $USER_PASS $REALM $PEER_IP 3480
    finish channelbind-bad-fingerprint
}

sc_channelbind_bad_integrity() {
    ns_up; start_server; start_peer; start_capture channelbind-bad-integrity
    run_client turnclient 15 "${TC[@]}" chbind-badmi $SERVER_IP 3478 $USER_NAME $USER_PASS $REALM $PEER_IP 3480
    finish channelbind-bad-integrity
}

sc_binding_no_answer() {
    # nothing answers on 3478: nft drops the requests at the input hook
    # (captured, never delivered, so no ICMP either).  turnutils_stunclient
    # sends one request and never retransmits (it is stopped after 3 s);
    # stunbinding.py then makes 3 transactions of 3 transmissions each.
    ns_up
    nsx nft -f - <<NFT
table ip msstun_silent {
    chain input {
        type filter hook input priority 0; policy accept;
        ip daddr $SERVER_IP udp dport 3478 counter drop
    }
}
NFT
    start_capture binding-no-answer
    run_client stunclient 3 turnutils_stunclient $SERVER_IP
    run_client stunbinding 20 python3 "$HERE/stunbinding.py" $SERVER_IP 3478 3 3
    nsx nft list table ip msstun_silent >"$WORK/nft.log"
    cat "$WORK/nft.log" >&2
    finish binding-no-answer
}

sc_binding_lost_responses() {
    # real coturn answers every Binding; nft (input hook) drops Binding success
    # responses 1, 3, 4, 6, 7 (captured, never delivered: numgen mod 3 != 1),
    # so the transactions are recovered by retransmission
    ns_up
    nsx nft -f - <<NFT
table ip msstun_bloss {
    chain input {
        type filter hook ${LOSS_HOOK:-input} priority 0; policy accept;
        ip saddr $SERVER_IP udp sport 3478 @th,64,16 0x0101 numgen inc mod 3 != 1 counter drop
    }
}
NFT
    local name=${LOSS_NAME:-binding-lost-responses}
    start_server; start_capture $name
    run_client stunbinding 20 python3 "$HERE/stunbinding.py" $SERVER_IP 3478 3 7
    nsx nft list table ip msstun_bloss >"$WORK/nft.log"
    cat "$WORK/nft.log" >&2
    finish $name
}

sc_binding_lost_responses_unseen() {
    # the same rule in the output hook: the dropped responses are not captured
    LOSS_HOOK=output LOSS_NAME=binding-lost-responses-unseen sc_binding_lost_responses
}

ALL=(turn_udp turn_udp_send turn_tcp turn_tcp_relay_rfc6062 turn_tcp_relay_passive stunclient
     wrong_password quota stale_nonce denied_peer no_tcp_relay bad_connection_id
     lost_responses lost_responses_unseen
     channelbind_400 channelbind_range_400 refresh_438_giveup channelbind_bad_fingerprint
     channelbind_bad_integrity binding_no_answer binding_lost_responses
     binding_lost_responses_unseen)

main() {
    [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
    mkdir -p "$OUT"
    local s list=("$@")
    [ ${#list[@]} -gt 0 ] || list=("${ALL[@]}")
    for s in "${list[@]}"; do
        log "=== $s"
        "sc_${s//-/_}"
    done
}

main "$@"
