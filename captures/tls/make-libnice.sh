#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-libnice.sh - capture libnice's [MS-TURN] 2.1.1 pseudo-TLS: libnice
# 0.1.21 agents (captures/libnice/ice-pair.c, with --relay-type tls) in
# OC2007R2, OC2007 and Google modes, given a TURN relay of type
# NICE_RELAY_TYPE_TURN_TLS on 127.0.0.1:443.  libnice itself sends the
# pseudo-TLS hello (socket/pseudossl.c: the MSOC form in OC2007/OC2007R2
# modes, the SSLv2-style form in Google mode); fake-msturn-tls.py answers
# with the fixed server hello and then speaks [MS-TURN] in 2.1.4 frames.
#
# The same captures hold one HTTPS session on 127.0.0.5:443 (python3
# http.server wrapped in ssl, self-signed cert made here by openssl; curl as
# the client, its secrets in NAME.keylog via SSLKEYLOGFILE), which must stay
# TLS in Wireshark.
#
# Each capture runs in a private network namespace with only lo up; every
# process is stopped by its PID.  Needs root, gcc, pkg-config, libnice-dev,
# openssl, curl, dumpcap, python3.
#
# pseudotls-standin: no Lync client runs here, so fake-msturn-tls.py also
# plays the client (its own MSOC-form and SSLv2-form hellos, then proper
# 2.1.4 frames: Allocate, 401, authenticated Allocate, success, end-to-end
# data), and last the same MSOC-form hello sent to the HTTPS server, whose
# TLS alert must leave that connection to TLS.
#
# Usage: ./make-libnice.sh [NAME...]   (default: all)
#        OUT=/some/dir ./make-libnice.sh   (write NAME.pcap/.log/.keylog elsewhere)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
WORK=$(mktemp -d /tmp/msstun-ptls.XXXXXX)
NS="msstun-ptls-$$"
declare -A PID=()
TURN_USER=msstunuser12 # libnice base64-decodes OC2007 TURN credentials,
TURN_PASS=msstunpass12 # so ice-pair gets the base64 form of these.

log() { printf '[make-libnice] %s\n' "$*" >&2; }

stop_bg() {
	local p=${PID[$1]:-}
	[[ -n "$p" ]] || return 0
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	unset "PID[$1]"
}

cleanup() {
	local n
	for n in "${!PID[@]}"; do stop_bg "$n"; done
	if ip netns list | grep -qw "$NS"; then ip netns del "$NS"; fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

start_bg() { # name cmd...
	local name=$1; shift
	ip netns exec "$NS" "$@" >"$WORK/$name.out" 2>&1 &
	PID[$name]=$!
}

wait_listen() { # ip:port
	local i
	for i in $(seq 50); do
		if ip netns exec "$NS" ss -Hlnt "src ${1%:*}" "sport = :${1##*:}" | grep -q .; then return 0; fi
		sleep 0.1
	done
	log "nothing listens on $1"; return 1
}

prepare() {
	log "building ice-pair against libnice $(pkg-config --modversion nice)"
	# shellcheck disable=SC2046
	gcc -Wall -Wextra -O1 "$HERE/../libnice/ice-pair.c" $(pkg-config --cflags --libs nice) -o "$WORK/ice-pair"
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=www.example.org \
		-keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
	mkdir -p "$WORK/www"
	echo "msstun HTTPS test page" >"$WORK/www/index.html"
}

https_server() {
	start_bg https /usr/bin/python3 -c '
import http.server, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = http.server.ThreadingHTTPServer(("127.0.0.5", 443),
    lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=sys.argv[3]))
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
' "$WORK/cert.pem" "$WORK/key.pem" "$WORK/www"
	wait_listen 127.0.0.5:443
}

# run NAME COMPAT   (COMPAT "standin": fake-msturn-tls.py as the client, msoc then sslv2 form)
run() {
	local name=$1 compat=$2 rc=0
	log "capture $name: libnice $compat, TURN over pseudo-TLS on 127.0.0.1:443, HTTPS on 127.0.0.5:443"
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	start_bg turn /usr/bin/python3 "$HERE/fake-msturn-tls.py" 127.0.0.1 443 "$TURN_USER" "$TURN_PASS"
	wait_listen 127.0.0.1:443
	https_server
	ip netns exec "$NS" dumpcap -q -P -i lo -f "tcp or udp" -w "$WORK/$name.pcap" >"$WORK/dumpcap.out" 2>&1 &
	PID[dumpcap]=$!
	for _ in $(seq 50); do [[ -s "$WORK/$name.pcap" ]] && break; sleep 0.1; done
	sleep 0.3
	# HTTPS first, then libnice; the two never share a connection
	rm -f "$WORK/keys.log"
	timeout 10 ip netns exec "$NS" env SSLKEYLOGFILE="$WORK/keys.log" \
		curl -sk --http1.1 -o "$WORK/https.body" https://127.0.0.5/index.html || rc=$?
	log "  curl exit $rc: $(cat "$WORK/https.body" 2>/dev/null)"
	rc=0
	if [[ "$compat" == standin ]]; then
		for form in msoc sslv2; do
			timeout 10 ip netns exec "$NS" /usr/bin/python3 "$HERE/fake-msturn-tls.py" client 127.0.0.1 443 \
				"$TURN_USER" "$TURN_PASS" $form >>"$WORK/$name.log" 2>&1 || rc=$?
			sleep 0.2
		done
		# the same MSOC-form hello to the real HTTPS server, which rejects it: TLS
		timeout 10 ip netns exec "$NS" /usr/bin/python3 "$HERE/fake-msturn-tls.py" client 127.0.0.5 443 \
			"$TURN_USER" "$TURN_PASS" msoc >>"$WORK/$name.log" 2>&1 || rc=$?
	else
		timeout 15 ip netns exec "$NS" "$WORK/ice-pair" --bind 127.0.0.1 --port-l 40000 --port-r 40002 \
			--compat "$compat" --transport udp --timeout 8 \
			--relay 127.0.0.1:443 --relay-type tls \
			--relay-user "$(printf %s "$TURN_USER" | base64)" \
			--relay-pass "$(printf %s "$TURN_PASS" | base64)" >"$WORK/$name.log" 2>&1 || rc=$?
	fi
	sleep 0.5
	stop_bg dumpcap
	stop_bg https
	stop_bg turn
	{ echo "--- fake-msturn-tls.py output:"; cat "$WORK/turn.out"; echo "ice-pair exit status: $rc"; } >>"$WORK/$name.log"
	ip netns del "$NS"
	cp "$WORK/$name.pcap" "$WORK/$name.log" "$OUT/"
	cp "$WORK/keys.log" "$OUT/$name.keylog"
	chmod 644 "$OUT/$name.pcap" "$OUT/$name.log" "$OUT/$name.keylog"
	log "  -> $name.pcap ($(capinfos -c -M "$OUT/$name.pcap" | awk '/Number of packets/ {print $NF}') frames, ice-pair rc=$rc)"
}

want() {
	[[ ${#SELECTED[@]} -eq 0 ]] && return 0
	local n
	for n in "${SELECTED[@]}"; do [[ "$n" == "$1" ]] && return 0; done
	return 1
}

[[ "$(id -u)" = 0 ]] || { log "must run as root"; exit 1; }
SELECTED=("$@")
mkdir -p "$OUT"
prepare
want pseudotls-oc2007r2 && run pseudotls-oc2007r2 oc2007r2
want pseudotls-oc2007 && run pseudotls-oc2007 oc2007
want pseudotls-google && run pseudotls-google google
want pseudotls-standin && run pseudotls-standin standin
log "done"
