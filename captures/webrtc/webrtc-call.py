#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A WebRTC call between two GStreamer webrtcbin peers in one process.

Peer A sends an Opus audio test tone over DTLS-SRTP, peer B receives it (and
sends RTCP receiver reports back); RTP and RTCP are multiplexed on one
5-tuple with the ICE checks and the DTLS handshake (max-bundle, rtcp-mux).
The offer/answer and the ICE candidates are passed between the two
webrtcbins in this process: no signalling server.

Usage: webrtc-call.py SECONDS [TURN-URI]
  TURN-URI, e.g. turn://user:pass@127.0.0.1:3478 or ...?transport=tcp, makes
  both peers relay-only through that TURN server.
libnice gathers no loopback interface: make-captures.sh gives the namespace
one address on a veth end (traffic between local addresses still goes over
lo, where it is captured).
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstWebRTC  # noqa: E402

Gst.init(None)
SECONDS = float(sys.argv[1])
TURN = sys.argv[2] if len(sys.argv) > 2 else None
loop = GLib.MainLoop()

pipe = Gst.parse_launch(
    "webrtcbin name=a bundle-policy=max-bundle "
    "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 ! "
    "application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! a. "
    "webrtcbin name=b bundle-policy=max-bundle")
a, b = pipe.get_by_name("a"), pipe.get_by_name("b")


for w in (a, b):
    if TURN:
        w.set_property("ice-transport-policy", GstWebRTC.WebRTCICETransportPolicy.RELAY)
        w.emit("add-turn-server", TURN)


def on_pad(_w, pad):
    if pad.get_direction() != Gst.PadDirection.SRC:
        return
    sink = Gst.ElementFactory.make("fakesink")
    sink.set_property("async", False)
    pipe.add(sink)
    sink.sync_state_with_parent()
    pad.link(sink.get_static_pad("sink"))


b.connect("pad-added", on_pad)
a.connect("on-ice-candidate", lambda _w, idx, cand: b.emit("add-ice-candidate", idx, cand))
b.connect("on-ice-candidate", lambda _w, idx, cand: a.emit("add-ice-candidate", idx, cand))


KEEP = []   # a reply and its values belong to the promise: keep both alive


def reply(promise, what):
    KEEP.append(promise)
    promise.wait()
    r = promise.get_reply()
    if r is None or not r.has_field(what):
        sys.exit(f"no {what}: {r.to_string() if r else None}")
    KEEP.append(r)
    return r.get_value(what)


def negotiate():
    # one step after the other: each promise is waited for before the next
    p = Gst.Promise.new()
    a.emit("create-offer", None, p)
    offer = reply(p, "offer")
    for w, how in ((a, "set-local-description"), (b, "set-remote-description")):
        p = Gst.Promise.new()
        w.emit(how, offer, p)
        p.wait()
    p = Gst.Promise.new()
    b.emit("create-answer", None, p)
    answer = reply(p, "answer")
    for w, how in ((b, "set-local-description"), (a, "set-remote-description")):
        p = Gst.Promise.new()
        w.emit(how, answer, p)
        p.wait()
    return False




def state(w, name):
    print(name, "ice", w.get_property("ice-connection-state").value_nick,
          "conn", w.get_property("connection-state").value_nick, flush=True)


for w, n in ((a, "A"), (b, "B")):
    w.connect("notify::ice-connection-state", lambda w, _p, n=n: state(w, n))
    w.connect("notify::connection-state", lambda w, _p, n=n: state(w, n))


def on_bus(_bus, msg):
    if msg.type == Gst.MessageType.ERROR:
        print("error", msg.parse_error(), flush=True)
        loop.quit()


bus = pipe.get_bus()
bus.add_signal_watch()
bus.connect("message", on_bus)
pipe.set_state(Gst.State.PLAYING)
pipe.get_state(Gst.CLOCK_TIME_NONE)
negotiate()
GLib.timeout_add(int(SECONDS * 1000), loop.quit)
loop.run()
pipe.set_state(Gst.State.NULL)
print("done", flush=True)
