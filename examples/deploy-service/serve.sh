# Serve /health and /metrics (Prometheus text format) from /www on 127.0.0.1:$PORT.
# A background loop rewrites /www/metrics every second: 10 requests a second, ERROR_PERCENT of them 500s.
set -eu
mkdir -p /www
if [ "$HEALTHY" = true ]; then echo ok > /www/health; fi
requests=0
errors=0
while :; do
  requests=$((requests + 10))
  errors=$((errors + 10 * ERROR_PERCENT / 100))
  {
    echo '# HELP demo_http_requests_total Requests served, by status code.'
    echo '# TYPE demo_http_requests_total counter'
    echo "demo_http_requests_total{code=\"200\"} $((requests - errors))"
    echo "demo_http_requests_total{code=\"500\"} $errors"
    echo '# HELP demo_build_info The running build.'
    echo '# TYPE demo_build_info gauge'
    echo "demo_build_info{version=\"$VERSION\"} 1"
  } > /www/.metrics.tmp
  mv /www/.metrics.tmp /www/metrics
  sleep 1
done &
exec httpd -f -p "127.0.0.1:$PORT" -h /www
