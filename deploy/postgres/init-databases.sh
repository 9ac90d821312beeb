#!/usr/bin/env bash
# One login role and one database per Kafaat process, each database owned by its own role and
# closed to the others: services never read each other's database.
#
# The postgres image runs it on the first start of an empty data directory
# (/docker-entrypoint-initdb.d). By hand, against any server, as a superuser:
#   PGHOST=db.example.org POSTGRES_USER=postgres KAFAAT_GATEWAY_DB_PASSWORD=... \
#   KAFAAT_OFFERS_DB_PASSWORD=... KAFAAT_BENEFICIARIES_DB_PASSWORD=... \
#   KAFAAT_NETWORK_DB_PASSWORD=... deploy/postgres/init-databases.sh
# Running it again changes nothing. KAFAAT_DB_NAME_PREFIX prefixes every role and database.
set -euo pipefail

prefix="${KAFAAT_DB_NAME_PREFIX:-}"
for name in gateway offers beneficiaries network; do
    password_variable="KAFAAT_${name^^}_DB_PASSWORD"
    password="${!password_variable:?$password_variable is required}"
    role="${prefix}kafaat_${name}"
    database="${prefix}${name}"
    psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-${PGUSER:-postgres}}" --dbname "${POSTGRES_DB:-postgres}" \
        -v role="$role" -v database="$database" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SELECT format('GRANT ALL ON DATABASE %I TO %I', :'database', :'role') \gexec
SQL
    echo "database ${database} owned by ${role}"
done
