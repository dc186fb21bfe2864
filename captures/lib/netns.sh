# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# netns.sh - shell helpers shared by coturn/make-captures.sh,
# tls/make-captures.sh and fieldcase/make-fieldcase.sh (sourced, not run).
#
# Every scenario runs in a network namespace of its own, on its loopback
# only.  Every process is started in the background (start_bg), its PID kept
# in PID[name] and stopped by that PID; ns_down stops them all and deletes
# the namespace, after each scenario and, on any exit, by the EXIT trap set
# here.
#
# The sourcing script sets, before it sources this file:
#   WORK       its temporary directory (process logs NAME.log, the capture)
#   OUT        where the pcaps go
#   LOG_TAG    the prefix of its log lines
#   NS_PREFIX  namespaces are named NS_PREFIX-<pid>-<n>
#   NS_ADDRS   the addresses added to lo (as /8) besides 127.0.0.1
#   SERVER_IP RELAY_IP PEER_IP USER_NAME USER_PASS REALM  (for turnserver)
# and optionally keep_extra NAME, which finish calls to keep more files.

NS=""
NS_SEQ=0
declare -A PID=()

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }

stop_bg() { # name: stop one background process by its recorded PID
    local name=$1 p=${PID[$1]:-}
    [ -n "$p" ] || return 0
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    unset "PID[$name]"
}

ns_down() { # stop every recorded process, delete the namespace
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

ns_up() { # the next namespace: lo up with 127.0.0.1 and $NS_ADDRS
    local a
    NS_SEQ=$((NS_SEQ + 1))
    NS=$NS_PREFIX-$$-$NS_SEQ
    ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    for a in $NS_ADDRS; do ip netns exec "$NS" ip addr add "$a/8" dev lo; done
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

start_turnserver() { # extra turnserver options...: coturn on $SERVER_IP:3478 (not waited for)
    start_bg turnserver turnserver -n --no-cli \
        --listening-ip="$SERVER_IP" --relay-ip="$RELAY_IP" \
        --min-port=50000 --max-port=50999 -m 1 \
        --allow-loopback-peers --lt-cred-mech --user="$USER_NAME:$USER_PASS" \
        --realm="$REALM" --fingerprint --log-file=stdout --simple-log \
        --pidfile="$WORK/turnserver.pid" --db="$WORK/turndb-$NS_SEQ" "$@"
}

start_peer() { # coturn's UDP echo peer on $PEER_IP:3480
    start_bg peer turnutils_peer -L "$PEER_IP" -p 3480
    wait_listen u "$PEER_IP:3480"
}

start_capture() { # name [dumpcap args]: dumpcap on lo into $CAP
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

run_client() { # name seconds cmd...: run a client in the background, bounded; rc in CLIENT_RC
    local name=$1 secs=$2 rc=0; shift 2
    start_bg "$name" timeout -k 2 "$secs" "$@"
    wait "${PID[$name]}" || rc=$?
    unset "PID[$name]"
    log "$name exited with $rc"
    CLIENT_RC=$rc
}

frames() { capinfos -c -M "$1" | awk '/Number of packets/ {print $NF}'; }

finish() { # name: stop the capture and the namespace, keep $CAP as $OUT/name.pcap
    local name=$1
    sleep 0.5
    stop_bg dumpcap
    ns_down
    cp "$CAP" "$OUT/$name.pcap"
    chmod 644 "$OUT/$name.pcap"
    if declare -F keep_extra >/dev/null; then keep_extra "$name"; fi
    mkdir -p "$WORK/logs/$name"
    mv "$WORK"/*.log "$WORK/logs/$name/" 2>/dev/null || true
    log "$name.pcap: $(frames "$OUT/$name.pcap") frames"
}
