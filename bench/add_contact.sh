#!/bin/sh
# Durable add_contact against nginx's fixed reply, measured in one run:
# wrk, 2 threads, 64 connections, 10 s each, the same 220-byte JSON POST,
# in ROUNDS rounds that alternate the two servers (this shared machine's
# speed drifts by 2x within minutes; alternating puts both under the same
# drift). Prints each round, then the medians and their ratio.
# usage: bench/add_contact.sh [BINARY]   (default build/rel/campaignd)
# env:   BENCH_SECONDS (10), BENCH_ROUNDS (3)
set -eu
BIN=${1:-build/rel/campaignd}
DUR=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
OUT=$(mktemp -d)
trap 'kill $CD_PID $NG_PID 2>/dev/null || true; rm -rf "$OUT"' EXIT INT TERM
CD_PID=""
NG_PID=""

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- campaignd on a fresh store
CD_PORT=$(free_port)
"$BIN" serve --db "$OUT/bench.db" --listen "127.0.0.1:$CD_PORT" \
	--sim-time-scale 0 --rate-limit 0 ${CAMPAIGND_ARGS:-} >"$OUT/key" 2>"$OUT/cd.log" &
CD_PID=$!
for _ in $(seq 50); do
	curl -sf "http://127.0.0.1:$CD_PORT/health" >/dev/null && break
	sleep 0.1
done
KEY=$(head -n1 "$OUT/key")
U="http://127.0.0.1:$CD_PORT/api/v1"
post() {
	curl -sf -X POST "$U/$1" -H "Authorization: Bearer $KEY" \
		-H "Content-Type: application/json" -d "$2" >/dev/null
}
post agents '{"name": "Bench", "welcome_message": "Hi {{first_name}}", "prompt": "p"}'
post phone_numbers '{"number": "+15550009999", "provider": "sim", "agent_id": 1}'
# A paused campaign: contacts are stored durably but not dialled, so the
# figure is the webhook and the store alone.
post calls/bulk_call/create '{"name": "Bench", "phone_number_id": 1, "is_dynamic": true}'
curl -sf -X PUT "$U/calls/bulk_call/1" -H "Authorization: Bearer $KEY" \
	-H "Content-Type: application/json" -d '{"action": "pause"}' >/dev/null

BODY='{"to_number": "+15551234567", "custom_variables": {"first_name": "Jo", "plan": "gold", "city": "Austin"}, "metadata": {"crm_id": "lead-000123456", "source": "webform"}}'
cat >"$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA

# --- nginx answering a fixed small JSON reply
NG_PORT=$(free_port)
mkdir -p "$OUT/ng/logs"
cat >"$OUT/ng/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
error_log $OUT/ng/logs/error.log;
pid $OUT/ng/nginx.pid;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $OUT/ng/body;
	server {
		listen 127.0.0.1:$NG_PORT;
		location / {
			default_type application/json;
			return 200 '{"status": "success", "campaign_status": "in_progress", "line_id": 1}';
		}
	}
}
NGINX
nginx -p "$OUT/ng" -c "$OUT/ng/nginx.conf" &
NG_PID=$!
sleep 0.5

run_wrk() {
	wrk -t2 -c64 -d"${DUR}s" --latency -s "$OUT/post.lua" "$1" 2>&1
}

summary() {
	rps=$(awk '/Requests\/sec/ {print $2}' "$1")
	p50=$(awk '$1 == "50%" {print $2}' "$1")
	p99=$(awk '$1 == "99%" {print $2}' "$1")
	bad=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' "$1")
	printf '%-10s %10s req/s   p50 %8s   p99 %8s   errors: %s\n' \
		"$2" "$rps" "$p50" "$p99" "${bad:-none}"
}

for r in $(seq "$ROUNDS"); do
	run_wrk "$U/calls/bulk_call/1/add_contact" >"$OUT/cd.$r.txt"
	run_wrk "http://127.0.0.1:$NG_PORT/api/v1/calls/bulk_call/1/add_contact" \
		>"$OUT/ng.$r.txt"
	echo "round $r"
	summary "$OUT/cd.$r.txt" campaignd
	summary "$OUT/ng.$r.txt" nginx
done

# The median of a column of numbers (the middle one, rounds being odd).
median() {
	sort -n | awk '{v[NR] = $1} END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# wrk prints latencies with units: in ms.
to_ms() {
	awk '{ v = $1
		if (v ~ /us$/) v = v / 1000
		else if (v ~ /ms$/) v = v + 0
		else if (v ~ /s$/) v = v * 1000
		print v }'
}
cd_rps=$(cat "$OUT"/cd.*.txt | awk '/Requests\/sec/ {print $2}' | median)
ng_rps=$(cat "$OUT"/ng.*.txt | awk '/Requests\/sec/ {print $2}' | median)
cd_p99=$(cat "$OUT"/cd.*.txt | awk '$1 == "99%" {print $2}' | to_ms | median)
cd_max=$(cat "$OUT"/cd.*.txt | awk '$1 == "99%" {print $2}' | to_ms |
	sort -n | tail -1)
errors=$(cat "$OUT"/cd.*.txt | awk '/Non-2xx|Socket errors/' | wc -l)
acked=$(cat "$OUT"/cd.*.txt | awk '/requests in/ {n += $1} END {print n}')
echo "median     campaignd $cd_rps req/s (p99 $cd_p99 ms, worst round" \
	"$cd_max ms), nginx $ng_rps req/s"
echo "$cd_rps $ng_rps" |
	awk '{printf "ratio      %.1f%% of nginx (medians)\n", 100 * $1 / $2}'
echo "errors     $errors round(s) with error responses"
echo "disk       $(grep -c 'sync took' "$OUT/cd.log" || true) sync(s) over 100 ms" \
	"logged by the daemon"
LINES=$(curl -sf "$U/calls/bulk_call/1" -H "Authorization: Bearer $KEY" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["total_lines"])')
echo "stored     $LINES lines for $acked acknowledged requests"
