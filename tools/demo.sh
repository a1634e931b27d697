#!/usr/bin/env bash
# `npm run demo`: the whole system on this machine. Installs what is missing, brings up the
# local stack (Kafka, schema registry, Postgres), migrates the database, creates a demo
# tenant with API keys, starts the five services and streams generated alerts into ingest
# until Ctrl-C. The stack keeps running afterwards: `npm run stack -- down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
# The services run compiled (dist/), as in production; the CLI runs from the sources.
npm run -s build

eval "$(npm run -s stack -- up)"
export KAFKA_BROKERS SCHEMA_REGISTRY_URL DATABASE_URL

mkdir -p .stack/demo
# Co-partitioned topics must agree: reuse the count of those a test run or an earlier demo
# left on this stack, or create them with 3.
TOPIC_PARTITIONS="${TOPIC_PARTITIONS:-$(node -r ./tools/register.cjs tools/demo-partitions.ts 3)}"
export TOPIC_PARTITIONS
export INGEST_HTTP_PORT="${INGEST_HTTP_PORT:-8080}"
export QUERY_API_HTTP_PORT="${QUERY_API_HTTP_PORT:-8090}"
export PROJECTOR_HTTP_PORT="${PROJECTOR_HTTP_PORT:-8091}"
export CORRELATOR_HTTP_PORT="${CORRELATOR_HTTP_PORT:-8092}"
export INTEL_HTTP_PORT="${INTEL_HTTP_PORT:-8093}"
# Threat intel offline: a local feed (abuse.ch Feodo Tracker CSV); VIRUSTOTAL_API_KEY or
# ABUSEIPDB_API_KEY, when set in the environment, turn the remote lookups on.
export INTEL_FEEDS="${INTEL_FEEDS:-feodo=plain:libs/domain/src/intel/fixtures/plain/feodo-ipblocklist.csv#dst_ip,malware}"
export SYSLOG_TENANT_ID=demo SYSLOG_TCP_PORT="${SYSLOG_TCP_PORT:-5514}" SYSLOG_UDP_PORT="${SYSLOG_UDP_PORT:-5514}"
# Generated traffic spans hours of event time in minutes of wall time; keep windows short.
export ALERT_CORRELATION_WINDOW="${ALERT_CORRELATION_WINDOW:-15m}"
# The generator numbers its alerts from 1 on every start, and ingest remembers what the alert
# log holds for its re-delivery horizon: a short one lets a restarted demo's alerts through.
export INGEST_REDELIVERY_HORIZON="${INGEST_REDELIVERY_HORIZON:-1m}"

npm run -s soc -- db migrate >/dev/null
# Each service connects as a login of its own, in its least-privilege role (README
# "Security"); DATABASE_URL, the schema owner, only migrates and is not given to them.
service_login() {
  local service="$1" variable="$2" user="soc_demo_$1" password url
  password="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))')"
  SOC_DB_LOGIN_PASSWORD="$password" npm run -s soc -- db create-login --role "soc_$service" --user "$user" >/dev/null
  url="$(node -e 'const u=new URL(process.argv[1]);u.username=process.argv[2];u.password=process.argv[3];process.stdout.write(u.href)' "$DATABASE_URL" "$user" "$password")"
  export "$variable=$url"
}
service_login ingest INGEST_DATABASE_URL
service_login correlator CORRELATOR_DATABASE_URL
service_login projector PROJECTOR_DATABASE_URL
service_login query QUERY_API_DATABASE_URL
service_login intel INTEL_DATABASE_URL
export DB_MIGRATE=false
keys="$(npm run -s soc -- tenant create --tenant demo --name 'Demo SOC')"
ingest_key="$(node -e 'const k=JSON.parse(process.argv[1]);process.stdout.write(k.keys.ingest)' "$keys")"
analyst_key="$(node -e 'const k=JSON.parse(process.argv[1]);process.stdout.write(k.keys.analyst)' "$keys")"
admin_key="$(node -e 'const k=JSON.parse(process.argv[1]);process.stdout.write(k.keys.admin)' "$keys")"

pids=()
start() {
  local name="$1"
  env -u DATABASE_URL node "dist/apps/$name/src/main.js" >".stack/demo/$name.log" 2>&1 &
  pids+=("$!")
  echo "started $name (pid $!, log .stack/demo/$name.log)" >&2
}
stop_all() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "services stopped; the stack is still up (npm run stack -- down)" >&2
}
trap stop_all EXIT INT TERM

start ingest
start correlator
start intel
start projector
start query-api

wait_http() {
  local url="$1"
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "no answer from $url; see .stack/demo/*.log" >&2
  return 1
}
wait_http "http://127.0.0.1:${INGEST_HTTP_PORT}/health"
wait_http "http://127.0.0.1:${QUERY_API_HTTP_PORT}/health"
# The asset inventory raises the priority of incidents that touch crown jewels.
curl -fsS -o /dev/null -H "x-api-key: ${admin_key}" -H 'content-type: text/csv' \
  --data-binary @deploy/demo/assets.csv "http://127.0.0.1:${QUERY_API_HTTP_PORT}/api/v1/admin/assets"

cat >&2 <<MSG

  Dashboard:  http://127.0.0.1:${QUERY_API_HTTP_PORT}/dashboard/ (sign in with the analyst key: ${analyst_key})
  API docs:   http://127.0.0.1:${QUERY_API_HTTP_PORT}/docs
  Ingest:     curl -H 'x-api-key: ${ingest_key}' -H 'content-type: application/json' \\
                -d @deploy/demo/sample-alert.json http://127.0.0.1:${INGEST_HTTP_PORT}/api/v1/alerts

  Streaming generated alerts (several SIEM formats) into ingest; Ctrl-C stops the services.

MSG

npm run -s soc -- simulate --tenant demo --rate "${DEMO_ALERTS_PER_SECOND:-20}" --realtime \
  | npm run -s soc -- send --url "http://127.0.0.1:${INGEST_HTTP_PORT}/api/v1/alerts" --key "$ingest_key"
