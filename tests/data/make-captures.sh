#!/usr/bin/env bash
# make-captures.sh: record pronet's small test captures from real clients and
# servers talking over loopback (127.0.0.1 and ::1 only, never another address).
#
# Usage: sudo tests/data/make-captures.sh [OUTDIR]     (OUTDIR defaults to tests/data)
#
# The captures are committed; CI never runs this script. Re-run it only to
# remake them on purpose, then re-measure them with ndpiReader (see README.md).
#
# Needs root (ports 22/25/53/80/443, tcpdump on lo) and these Debian 12 packages:
#   tcpdump python3 curl openssl dnsmasq-base bind9-dnsutils openssh-server
#   openssh-client redis-server redis-tools mosquitto mosquitto-clients
#   iproute2 (ss) coreutils (timeout)
# It starts every server itself with a config in a temporary directory (no
# system service, no file outside that directory and OUTDIR is written) and
# stops them all on exit. Every client runs under `timeout`; the whole run
# takes about a minute.
#
# Captures (tcpdump -i lo, default snaplen; on Linux lo that is DLT_EN10MB with
# all-zero MAC addresses), each filtered to its own ports:
#   loopback-mixed.pcap    IPv4 flows that nDPI 4.2 names from their payload:
#       HTTP   16 x curl GET (5 paths, fixed User-Agent) -> python3 http.server :80
#       DNS    24 x dig A/AAAA/TXT/MX (8 names) -> dnsmasq :53 (UDP)
#       TLS    10 x curl TLS 1.3 + 6 x curl TLS 1.2 + 4 x openssl s_client,
#              SNI *.pronet.test -> openssl s_server -WWW :443 (throwaway
#              self-signed P-256 certificate made here), one small GET each
#       SSH     4 x ssh (throwaway ed25519 key) running `echo` -> sshd :22
#       SMTP    8 x python3 smtplib -> a 40-line python3 SMTP responder :25
#       Redis  10 x redis-cli SET/EXISTS/INCR/PING -> redis-server :6379
#       MQTT   10 x mosquitto_pub/mosquitto_sub -> mosquitto :1883
#   loopback-unknown.pcap  IPv4 flows of three made-up binary protocols that
#       nDPI 4.2 leaves Unknown (python3 client and server, body bytes from
#       random.Random(seed), so payloads are the same on every run):
#       demo-a TCP :47474  20 flows, 3-5 exchanges each. Frame: "PRNTDEMO"
#              (8 bytes), version 0x01, opcode, u16 BE body length, body;
#              the reply sets opcode bit 0x80 and carries the body XOR 0x5a.
#       demo-b UDP :47475  20 flows (one source port each), 3-6 datagrams
#              each way. Datagram: 9e 51 'P' 'N', u32 BE sequence, kind,
#              u8 body length, body; the reply sets kind bit 0x80.
#       demo-c TCP :47476  12 flows, 3 exchanges each. Frame: u16 LE frame
#              length, u16 LE message counter, "KVP1", key length, key,
#              value (no magic at offset 0).
#   loopback-ipv6.pcap     the same kinds over ::1, fewer flows: HTTP 4,
#       DNS 6, TLS 4, SSH 1, Redis 3, MQTT 3, demo-a 3, demo-b 3, demo-c 2.
#
# Not byte-for-byte reproducible: timestamps, ephemeral ports, TCP sequence
# numbers, DNS ids, TLS/SSH key exchange and HTTP Date headers change from run
# to run. Payloads that the script chooses are fixed.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
OUTDIR=${1:-$SCRIPT_DIR}
OUTDIR=$(cd "$OUTDIR" && pwd)
WORK=$(mktemp -d /tmp/pronet-captures.XXXXXX)
PIDS=()
TCPDUMP_PID=

die() {
	echo "make-captures.sh: $*" >&2
	exit 1
}

cleanup() {
	local pid
	if [ -n "$TCPDUMP_PID" ]; then
		kill -INT "$TCPDUMP_PID" 2>/dev/null || true
	fi
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || die "needs root (low ports, tcpdump on lo)"
for tool in tcpdump python3 curl openssl dnsmasq dig sshd ssh ssh-keygen \
	redis-server redis-cli mosquitto mosquitto_pub mosquitto_sub ss timeout; do
	command -v "$tool" >/dev/null || die "missing $tool (see the package list at the top)"
done

# run a client, bounded in time; a client that fails is reported, not fatal,
# so that one flaky exchange does not lose the whole capture.
client() {
	timeout 10 "$@" >>"$WORK/clients.log" 2>&1 || echo "client failed ($?): $*" >&2
}

# start a server in the background and remember its pid for cleanup.
server() {
	local name=$1
	shift
	"$@" >"$WORK/$name.log" 2>&1 &
	PIDS+=("$!")
}

# wait_listen tcp|udp PORT: until something listens on 127.0.0.1 and ::1.
wait_listen() {
	local flag=-ltn i
	[ "$1" = udp ] && flag=-lun
	for i in $(seq 100); do
		if ss -H $flag "sport = :$2" | grep -q '127.0.0.1' &&
			ss -H $flag "sport = :$2" | grep -q '\[::1\]'; then
			return 0
		fi
		sleep 0.1
	done
	die "nothing listens on $1 port $2 (logs in $WORK)"
}

# capture_start FILE FILTER / capture_stop: one tcpdump at a time on lo.
capture_start() {
	tcpdump -i lo -U -Z root -w "$1" "$2" 2>"$WORK/tcpdump.log" &
	TCPDUMP_PID=$!
	local i
	for i in $(seq 100); do
		grep -q 'listening on' "$WORK/tcpdump.log" && return 0
		sleep 0.1
	done
	die "tcpdump did not start: $(cat "$WORK/tcpdump.log")"
}

capture_stop() {
	sleep 1 # let the last FIN/ACKs and late replies through
	kill -INT "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" || true
	TCPDUMP_PID=
	tail -n 3 "$WORK/tcpdump.log" >&2
}

# ---------------------------------------------------------------- helpers
write_python_helper() {
	cat >"$WORK/lohelp.py" <<'EOF'
"""Loopback helpers for make-captures.sh: an SMTP responder and client, and
the three made-up 'demo' protocols (server and client in one process)."""
import random, smtplib, socket, socketserver, struct, sys, threading, time

def smtp_server(host):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            w = self.wfile.write
            w(b"220 mail.pronet.test ESMTP pronet-test\r\n")
            data = False
            for line in self.rfile:
                if data:
                    if line == b".\r\n":
                        data = False
                        w(b"250 2.0.0 Ok: queued as PRONET1\r\n")
                    continue
                cmd = line[:4].upper()
                if cmd in (b"EHLO", b"HELO"):
                    w(b"250-mail.pronet.test\r\n250-SIZE 102400\r\n250 8BITMIME\r\n")
                elif cmd == b"DATA":
                    data = True
                    w(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                elif cmd == b"QUIT":
                    w(b"221 2.0.0 Bye\r\n")
                    return
                else:
                    w(b"250 2.1.0 Ok\r\n")
    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
    Server((host, 25), Handler).serve_forever()

def smtp_client(host, n):
    body = ("From: alice@pronet.test\r\nTo: bob@pronet.test\r\n"
            "Subject: pronet capture %d\r\n\r\nFixed test message number %d.\r\n" % (n, n))
    with smtplib.SMTP(host, 25, local_hostname="client.pronet.test", timeout=5) as s:
        s.sendmail("alice@pronet.test", ["bob@pronet.test"], body)

def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed")
        buf += chunk
    return buf

# demo-a: "PRNTDEMO", version 1, opcode, u16 BE length, body
def demo_a_serve(conn):
    while True:
        try:
            head = recv_exact(conn, 12)
        except EOFError:
            return
        body = recv_exact(conn, struct.unpack(">H", head[10:12])[0])
        reply = bytes(b ^ 0x5A for b in body)
        conn.sendall(head[:9] + bytes([head[9] | 0x80]) + struct.pack(">H", len(reply)) + reply)

def demo_a_client(family, addr, rng):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.connect(addr)
        for _ in range(rng.randint(3, 5)):
            body = rng.randbytes(rng.randint(16, 96))
            s.sendall(b"PRNTDEMO\x01" + bytes([rng.randint(1, 6)]) + struct.pack(">H", len(body)) + body)
            head = recv_exact(s, 12)
            recv_exact(s, struct.unpack(">H", head[10:12])[0])

# demo-c: u16 LE frame length, u16 LE counter, "KVP1", key length, key, value
def demo_c_serve(conn):
    while True:
        try:
            size = struct.unpack("<H", recv_exact(conn, 2))[0]
        except EOFError:
            return
        frame = recv_exact(conn, size)
        counter = struct.unpack("<H", frame[:2])[0]
        reply = struct.pack("<H", counter) + b"KVP1\x00" + b"OK" + frame[7:9]
        conn.sendall(struct.pack("<H", len(reply)) + reply)

def demo_c_client(family, addr, rng):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.connect(addr)
        for counter in range(3):
            key = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 12)))
            frame = struct.pack("<H", counter) + b"KVP1" + bytes([len(key)]) + key + rng.randbytes(rng.randint(8, 64))
            s.sendall(struct.pack("<H", len(frame)) + frame)
            recv_exact(s, struct.unpack("<H", recv_exact(s, 2))[0])

# demo-b: 9e 51 'P' 'N', u32 BE sequence, kind, u8 length, body
def demo_b_serve(sock):
    while True:
        data, peer = sock.recvfrom(2048)
        if len(data) >= 10 and data[:4] == b"\x9eQPN":
            sock.sendto(data[:8] + bytes([data[8] | 0x80]) + data[9:10] + data[10:][::-1], peer)

def demo_b_client(family, addr, rng):
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        seq = rng.getrandbits(32)
        for i in range(rng.randint(3, 6)):
            body = rng.randbytes(rng.randint(12, 96))
            s.sendto(b"\x9eQPN" + struct.pack(">I", (seq + i) & 0xFFFFFFFF) + bytes([rng.randint(1, 4), len(body)]) + body, addr)
            s.recvfrom(2048)

def tcp_listener(family, addr, serve):
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(addr)
    ls.listen(16)
    def loop():
        while True:
            conn, _ = ls.accept()
            threading.Thread(target=lambda: (serve(conn), conn.close()), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()

def demo(host, counts):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    tcp_listener(family, (host, 47474), demo_a_serve)
    tcp_listener(family, (host, 47476), demo_c_serve)
    us = socket.socket(family, socket.SOCK_DGRAM)
    us.bind((host, 47475))
    threading.Thread(target=demo_b_serve, args=(us,), daemon=True).start()
    na, nb, nc = counts
    seed = 2024 if family == socket.AF_INET else 6060
    for i in range(max(na, nb, nc)):
        if i < na:
            demo_a_client(family, (host, 47474), random.Random(seed + i))
        if i < nb:
            demo_b_client(family, (host, 47475), random.Random(seed + 100 + i))
        if i < nc:
            demo_c_client(family, (host, 47476), random.Random(seed + 200 + i))
    time.sleep(0.3)  # let the server threads close their side

if __name__ == "__main__":
    cmd, host = sys.argv[1], sys.argv[2]
    if cmd == "smtp-server":
        smtp_server(host)
    elif cmd == "smtp-client":
        smtp_client(host, int(sys.argv[3]))
    elif cmd == "demo":
        demo(host, [int(x) for x in sys.argv[3:6]])
    else:
        sys.exit("unknown command " + cmd)
EOF
}

# ---------------------------------------------------------------- servers
start_servers() {
	local i

	# HTTP: fixed small files.
	mkdir -p "$WORK/www"
	printf '<!doctype html><title>pronet</title><p>pronet test page</p>\n' >"$WORK/www/index.html"
	printf 'hello from pronet over loopback\n' >"$WORK/www/hello.txt"
	printf '{"name":"pronet","kind":"test","n":42}\n' >"$WORK/www/data.json"
	for i in $(seq 0 15); do printf 'line %02d of a small text file\n' "$i"; done >"$WORK/www/lines.txt"
	printf 'User-agent: *\nDisallow:\n' >"$WORK/www/robots.txt"
	server http4 python3 -m http.server 80 --bind 127.0.0.1 --directory "$WORK/www"
	server http6 python3 -m http.server 80 --bind ::1 --directory "$WORK/www"

	# DNS: authoritative answers for pronet.test, nothing forwarded.
	server dns dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--bind-interfaces --listen-address=127.0.0.1,::1 --port=53 --user=root \
		--pid-file="$WORK/dnsmasq.pid" --local=/pronet.test/ \
		--host-record=www.pronet.test,127.0.0.10,fd00::10 \
		--host-record=api.pronet.test,127.0.0.11,fd00::11 \
		--host-record=mail.pronet.test,127.0.0.12,fd00::12 \
		--host-record=cdn.pronet.test,127.0.0.13,fd00::13 \
		--host-record=db.pronet.test,127.0.0.14 \
		--txt-record=pronet.test,"v=spf1 -all" \
		--txt-record=_info.pronet.test,"pronet loopback capture" \
		--mx-host=pronet.test,mail.pronet.test,10

	# TLS: throwaway self-signed certificate.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=pronet.test -addext 'subjectAltName=DNS:pronet.test,DNS:*.pronet.test' \
		-keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
	(cd "$WORK/www" && exec openssl s_server -quiet -WWW -accept 127.0.0.1:443 \
		-cert "$WORK/tls.crt" -key "$WORK/tls.key") >"$WORK/tls4.log" 2>&1 &
	PIDS+=("$!")
	(cd "$WORK/www" && exec openssl s_server -quiet -WWW -accept '[::1]:443' \
		-cert "$WORK/tls.crt" -key "$WORK/tls.key") >"$WORK/tls6.log" 2>&1 &
	PIDS+=("$!")

	# SSH: throwaway host and client keys, key login for root, no PAM.
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C pronet-host -f "$WORK/host_key"
	ssh-keygen -q -t ed25519 -N '' -C pronet-client -f "$WORK/client_key"
	cp "$WORK/client_key.pub" "$WORK/authorized_keys"
	cat >"$WORK/sshd_config" <<EOF
ListenAddress 127.0.0.1:22
ListenAddress [::1]:22
HostKey $WORK/host_key
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
EOF
	server ssh "$(command -v sshd)" -D -e -f "$WORK/sshd_config"

	server smtp4 python3 "$WORK/lohelp.py" smtp-server 127.0.0.1
	server smtp6 python3 "$WORK/lohelp.py" smtp-server ::1

	server redis redis-server --bind '127.0.0.1 ::1' --port 6379 --save '' \
		--appendonly no --daemonize no --dir "$WORK"

	cat >"$WORK/mosquitto.conf" <<EOF
listener 1883 127.0.0.1
listener 1883 ::1
allow_anonymous true
persistence false
user root
EOF
	server mqtt mosquitto -c "$WORK/mosquitto.conf"

	wait_listen tcp 80
	wait_listen udp 53
	wait_listen tcp 443
	wait_listen tcp 22
	wait_listen tcp 25
	wait_listen tcp 6379
	wait_listen tcp 1883
}

# ---------------------------------------------------------------- clients
# run_known HOST COUNT-SCALE: HOST is 127.0.0.1 or ::1.
run_known() {
	local host=$1 full=$2 url_host=$1 i n
	local paths=(/ /hello.txt /data.json /lines.txt /robots.txt)
	local names=(www.pronet.test api.pronet.test mail.pronet.test cdn.pronet.test
		db.pronet.test pronet.test _info.pronet.test missing.pronet.test)
	local types=(A AAAA A AAAA A TXT TXT A)
	local sni=(www.pronet.test api.pronet.test cdn.pronet.test pronet.test)
	case $host in *:*) url_host="[$host]" ;; esac

	n=$([ "$full" = 1 ] && echo 16 || echo 4)
	for i in $(seq 0 $((n - 1))); do
		client curl -sS -o /dev/null -A 'pronet-capture/1.0' \
			"http://$url_host${paths[i % 5]}"
	done

	n=$([ "$full" = 1 ] && echo 24 || echo 6)
	for i in $(seq 0 $((n - 1))); do
		local t=${types[i % 8]}
		[ "$i" -ge 16 ] && t=MX && [ $((i % 2)) = 1 ] && t=AAAA
		client dig @"$host" -p 53 +notcp +tries=1 +time=2 +nocookie "${names[i % 8]}" "$t"
	done

	n=$([ "$full" = 1 ] && echo 10 || echo 2)
	for i in $(seq 0 $((n - 1))); do
		client curl -sS -k -o /dev/null --tlsv1.3 -A 'pronet-capture/1.0' \
			--resolve "${sni[i % 4]}:443:$host" "https://${sni[i % 4]}${paths[1 + i % 4]}"
	done
	n=$([ "$full" = 1 ] && echo 6 || echo 1)
	for i in $(seq 0 $((n - 1))); do
		client curl -sS -k -o /dev/null --tlsv1.2 --tls-max 1.2 -A 'pronet-capture/1.0' \
			--resolve "${sni[i % 4]}:443:$host" "https://${sni[i % 4]}${paths[1 + i % 4]}"
	done
	n=$([ "$full" = 1 ] && echo 4 || echo 1)
	for i in $(seq 0 $((n - 1))); do
		printf 'GET /hello.txt HTTP/1.0\r\n\r\n' |
			client openssl s_client -quiet -ign_eof -connect "$url_host:443" \
				-servername "${sni[i % 4]}"
	done

	n=$([ "$full" = 1 ] && echo 4 || echo 1)
	for i in $(seq 0 $((n - 1))); do
		client ssh -F /dev/null -i "$WORK/client_key" -o IdentitiesOnly=yes \
			-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
			-o ConnectTimeout=5 -o LogLevel=ERROR root@"$host" "echo pronet $i"
	done

	if [ "$full" = 1 ]; then
		for i in $(seq 0 7); do
			client python3 "$WORK/lohelp.py" smtp-client "$host" "$i"
		done
	fi

	n=$([ "$full" = 1 ] && echo 10 || echo 3)
	for i in $(seq 0 $((n - 1))); do
		case $((i % 4)) in
		0) client redis-cli -h "$host" -p 6379 SET "pronet:key:$i" "value-$i" ;;
		1) client redis-cli -h "$host" -p 6379 EXISTS "pronet:key:$((i - 1))" ;;
		2) client redis-cli -h "$host" -p 6379 INCR pronet:counter ;;
		3) client redis-cli -h "$host" -p 6379 PING ;;
		esac
	done

	n=$([ "$full" = 1 ] && echo 10 || echo 3)
	for i in $(seq 0 $((n - 1))); do
		if [ $((i % 2)) = 0 ]; then
			client mosquitto_pub -h "$host" -p 1883 -i "pronet-pub-$i" -q 1 -r \
				-t "pronet/sensor/$i" -m "{\"sensor\":$i,\"value\":$((i * 7))}"
		else
			client mosquitto_sub -h "$host" -p 1883 -i "pronet-sub-$i" -C 1 -W 3 \
				-t "pronet/sensor/$((i - 1))"
		fi
	done
}

KNOWN_PORTS='tcp port 80 or udp port 53 or tcp port 443 or tcp port 22 or tcp port 25 or tcp port 6379 or tcp port 1883'
DEMO_PORTS='tcp port 47474 or udp port 47475 or tcp port 47476'

write_python_helper
start_servers

capture_start "$WORK/loopback-mixed.pcap" "ip and ($KNOWN_PORTS)"
run_known 127.0.0.1 1
capture_stop

capture_start "$WORK/loopback-unknown.pcap" "ip and ($DEMO_PORTS)"
client python3 "$WORK/lohelp.py" demo 127.0.0.1 20 20 12
capture_stop

capture_start "$WORK/loopback-ipv6.pcap" "ip6 and ($KNOWN_PORTS or $DEMO_PORTS)"
run_known ::1 0
client python3 "$WORK/lohelp.py" demo ::1 3 3 2
capture_stop

for f in loopback-mixed.pcap loopback-unknown.pcap loopback-ipv6.pcap; do
	cp "$WORK/$f" "$OUTDIR/$f"
done
ls -l "$OUTDIR"/loopback-*.pcap
