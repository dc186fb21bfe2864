#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make the TURN-over-TLS / DTLS captures of msstun with coturn (see README.md).
#
# coturn's turnserver listens with TLS and DTLS on 5349 (self-signed cert made
# here by openssl); turnutils_uclient runs over TLS (-t -S), DTLS (-S) and
# RFC 6062 over TLS (-T -S).  uclient writes no key log itself, so it runs
# with keylog-shim.so (LD_PRELOAD, built here from keylog-shim.c) which makes
# OpenSSL append its secrets to SSLKEYLOGFILE; NAME.keylog is kept next to
# NAME.pcap.
#
# Every scenario runs in a network namespace of its own (msstun-cap-<pid>-<n>) on
# its loopback interface only, with 127.0.0.1 = TURN server, 127.0.0.2 = relay
# address, 127.0.0.3 = UDP peer (turnutils_peer).  Every process is started in
# the background, its PID recorded, and stopped by that PID; the namespace is
# deleted after each scenario and, on any exit, by the EXIT trap (these
# helpers are in ../lib/netns.sh).
#
# Needs root and the Debian packages coturn, openssl, libssl-dev, gcc,
# wireshark-common/tshark (dumpcap, capinfos), iproute2 and ethtool.
#
# Usage: sudo ./make-captures.sh [scenario ...]     (default: all scenarios)
#        OUT=/some/dir ./make-captures.sh            (write the pcaps elsewhere)
#        KEEP_WORK=1 ./make-captures.sh              (keep the process logs in /tmp)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/msstun-tls.XXXXXX)

# Credentials and addresses (also recorded in README.md).
USER_NAME=alice
USER_PASS=secret
REALM=example.org
SERVER_IP=127.0.0.1
RELAY_IP=127.0.0.2
PEER_IP=127.0.0.3

LOG_TAG=make-captures
NS_PREFIX=msstun-tls
NS_ADDRS="$RELAY_IP $PEER_IP"
# shellcheck source=SCRIPTDIR/../lib/netns.sh
. "$HERE/../lib/netns.sh"

start_server() { # extra turnserver options...
    start_turnserver --cert="$WORK/cert.pem" --pkey="$WORK/key.pem" --tls-listening-port=5349 "$@"
    wait_listen u $SERVER_IP:3478
    wait_listen t $SERVER_IP:3478
    wait_listen t $SERVER_IP:5349
    wait_listen u $SERVER_IP:5349
}

keep_extra() { # name: keep the TLS secrets as $OUT/name.keylog (called by finish)
    cp "$WORK/keys.log" "$OUT/$1.keylog"
    rm -f "$WORK/keys.log"
    chmod 644 "$OUT/$1.keylog"
}

# the client with its secrets going to $WORK/keys.log
UC=(env LD_PRELOAD="$WORK/keylog-shim.so" SSLKEYLOGFILE="$WORK/keys.log"
    turnutils_uclient -u $USER_NAME -w $USER_PASS)

prepare() {
    gcc -shared -fPIC -Wall -Wextra -o "$WORK/keylog-shim.so" "$HERE/keylog-shim.c" -ldl -lssl
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=turn.example.org \
        -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
    chmod 644 "$WORK/key.pem" "$WORK/cert.pem"
}

# ---------------------------------------------------------------- scenarios
sc_turn_tls() {
    # MTU 1000 on lo and 1001-byte ChannelData (padded to 1004): every data
    # record spans two TCP segments (no segmentation offload, so the capture
    # shows the segments), and the ChannelData carries padding
    ns_up; nsx ip link set lo mtu 1000; nsx ethtool -K lo tso off gso off >/dev/null
    start_server; start_peer; start_capture turn-tls
    run_client uclient 15 "${UC[@]}" -t -S -l 1001 -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish turn-tls
}

sc_turn_dtls() {
    ns_up; start_server; start_peer; start_capture turn-dtls
    run_client uclient 15 "${UC[@]}" -S -n 3 -e $PEER_IP -r 3480 $SERVER_IP
    finish turn-dtls
}

sc_turn_tls_rfc6062() {
    ns_up; start_server; start_capture turn-tls-rfc6062
    run_client uclient 15 "${UC[@]}" -T -S -n 3 $SERVER_IP
    finish turn-tls-rfc6062
}

# turn-tls-client.py: coturn is the server; the scripted client sends what
# uclient cannot (no ALPN; ICE checks in RFC 4571 framing in a data connection)
PYC=(env SSLKEYLOGFILE="$WORK/keys.log" python3 "$HERE/turn-tls-client.py")

sc_turn_tls_noalpn() {
    ns_up; start_server; start_capture turn-tls-noalpn
    run_client client 10 "${PYC[@]}" noalpn $SERVER_IP 5349 $USER_NAME $USER_PASS
    finish turn-tls-noalpn
}

sc_turn_tls_rfc6062_ice() {
    ns_up; start_server; start_capture turn-tls-rfc6062-ice
    run_client client 10 "${PYC[@]}" rfc6062 $SERVER_IP 5349 $USER_NAME $USER_PASS $PEER_IP:3481
    finish turn-tls-rfc6062-ice
}

ALL=(turn_tls turn_dtls turn_tls_rfc6062 turn_tls_noalpn turn_tls_rfc6062_ice)

main() {
    [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }
    mkdir -p "$OUT"
    prepare
    local s list=("$@")
    [ ${#list[@]} -gt 0 ] || list=("${ALL[@]}")
    for s in "${list[@]}"; do
        log "=== $s"
        "sc_${s//-/_}"
    done
}

main "$@"
