#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts (after the templates are rendered):
# writes the proxies whose X-Forwarded-For/-Proto/-Host the edge believes, from
# KAFAAT_EDGE_TRUSTED_PROXIES (CIDRs separated by spaces or commas; empty or unset: none, the
# socket peer is the client). kafaat.conf includes the file (see src/kafaat/edge.py).
set -eu

out="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}/kafaat-trusted-proxies.inc"
proxies=$(printf '%s' "${KAFAAT_EDGE_TRUSTED_PROXIES:-}" | tr ',' ' ')
for cidr in $proxies; do
    case "$cidr" in
        *[!0-9A-Fa-f.:/]* | "")
            echo "$0: KAFAAT_EDGE_TRUSTED_PROXIES: '$cidr' is not a network such as 10.0.0.0/8" >&2
            exit 1
            ;;
    esac
done
{
    echo "# Generated when the edge started, from KAFAAT_EDGE_TRUSTED_PROXIES."
    for cidr in $proxies; do
        echo "set_real_ip_from $cidr;"
    done
    echo "geo \$realip_remote_addr \$kafaat_trusted_peer {"
    echo "    default 0;"
    for cidr in $proxies; do
        echo "    $cidr 1;"
    done
    echo "}"
} >"$out"
