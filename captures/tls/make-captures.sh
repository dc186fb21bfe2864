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
# deleted after each scenario and, on any exit, by the EXIT trap.
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
NS=""
NS_SEQ=0
declare -A PID=()

# Credentials and addresses (also recorded in README.md).
USER_NAME=alice
USER_PASS=secret
REALM=example.org
SERVER_IP=127.0.0.1
RELAY_IP=127.0.0.2
PEER_IP=127.0.0.3

log() { printf '[make-captures] %s\n' "$*" >&2; }

stop_bg() { # name: stop one background process by its recorded PID
    local name=$1 p=${PID[$1]:-}
    [ -n "$p" ] || return 0
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    unset "PID[$name]"
}

ns_down() {
    local n
    for n in "${!PID[@]}"; do stop_bg "$n"; done
    if [ -n "$NS" ]; then
        ip netns del "$NS" 2>/dev/null || true
        NS=""
    fi
}

cleanup() {
    ns_down
    if [ -n "${KEEP_WORK:-}" ]; then log "logs kept in $WORK/logs"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_up() {
    NS_SEQ=$((NS_SEQ + 1))
    NS=msstun-tls-$$-$NS_SEQ
    ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    ip netns exec "$NS" ip addr add $RELAY_IP/8 dev lo
    ip netns exec "$NS" ip addr add $PEER_IP/8 dev lo
}

nsx() { ip netns exec "$NS" "$@"; }

start_bg() { # name cmd...: start in the namespace in the background, log to $WORK/name.log
    local name=$1; shift
    # not through nsx: $! must be the PID of the process itself (ip netns exec execs it)
    ip netns exec "$NS" "$@" >"$WORK/$name.log" 2>&1 &
    PID[$name]=$!
}

wait_listen() { # proto(u|t) ip:port: wait up to 5 s for a listening socket
    local i
    for i in $(seq 50); do
        if nsx ss -Hln"$1" "src ${2%:*}" "sport = :${2##*:}" | grep -q .; then return 0; fi
        sleep 0.1
    done
    log "nothing listens on $1 $2"; return 1
}

start_server() { # extra turnserver options...
    start_bg turnserver turnserver -n --no-cli \
        --cert="$WORK/cert.pem" --pkey="$WORK/key.pem" --tls-listening-port=5349 \
        --listening-ip=$SERVER_IP --relay-ip=$RELAY_IP \
        --min-port=50000 --max-port=50999 -m 1 \
        --allow-loopback-peers --lt-cred-mech --user=$USER_NAME:$USER_PASS \
        --realm=$REALM --fingerprint --log-file=stdout --simple-log \
        --pidfile="$WORK/turnserver.pid" --db="$WORK/turndb-$NS_SEQ" "$@"
    wait_listen u $SERVER_IP:3478
    wait_listen t $SERVER_IP:3478
    wait_listen t $SERVER_IP:5349
    wait_listen u $SERVER_IP:5349
}

start_peer() {
    start_bg peer turnutils_peer -L $PEER_IP -p 3480
    wait_listen u $PEER_IP:3480
}

start_capture() { # name [dumpcap args]
    local name=$1; shift
    CAP="$WORK/$name.pcap"
    start_bg dumpcap dumpcap -q -P -i lo -w "$CAP" "$@"
    local i
    for i in $(seq 50); do
        [ -s "$CAP" ] && break
        sleep 0.1
    done
    sleep 0.5 # let dumpcap really start capturing
}

run_client() { # name seconds cmd...: run a client in the background, bounded
    local name=$1 secs=$2 rc=0; shift 2
    start_bg "$name" timeout -k 2 "$secs" "$@"
    wait "${PID[$name]}" || rc=$?
    unset "PID[$name]"
    log "$name exited with $rc"
    CLIENT_RC=$rc
}

finish() { # name: stop capture and processes, keep the pcap
    local name=$1
    sleep 0.5
    stop_bg dumpcap
    ns_down
    cp "$CAP" "$OUT/$name.pcap"
    cp "$WORK/keys.log" "$OUT/$name.keylog"
    rm -f "$WORK/keys.log"
    chmod 644 "$OUT/$name.pcap" "$OUT/$name.keylog"
    mkdir -p "$WORK/logs/$name"
    mv "$WORK"/*.log "$WORK/logs/$name/" 2>/dev/null || true
    log "$name.pcap: $(capinfos -c -M "$OUT/$name.pcap" | awk '/Number of packets/ {print $NF}') frames"
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
