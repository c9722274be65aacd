#!/bin/sh
# 0670-copy-tenant: two emulators are two tenants; examples/copy-tenant.sh
# copies a connection from one to the other with the credentials file,
# and proves the copy whole.  Also: credentials go only where they belong.
. "${0%/*}/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"
command -v jq >/dev/null || skip_all "jq is not installed"

C=Username-Password-Authentication
HASH='$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234'

emu_start --job-seconds 0.2 || exit 1
SRC=$EMU_URL SRC_PID=$EMU_PID
mv "$T/emu.log" "$T/src.log"
emu_start --job-seconds 0.2 || exit 1
DST=$EMU_URL
unset AUTH0_DOMAIN AUTH0_CLIENT_ID AUTH0_CLIENT_SECRET

# The source: 30 users, some with a password hash and a chosen id.
"$PYTHON" - "$HASH" > "$T/src.json" <<'PY'
import json, sys
u = [{"email": "c-%d@example.com" % i, "username": "c%d" % i,
      "user_metadata": {"i": i}} for i in range(30)]
for i in range(0, 30, 3):
    u[i]["password_hash"] = sys.argv[1]
    u[i]["user_id"] = "%024x" % i
print(json.dumps(u))
PY

mkdir -p "$XDG_CONFIG_HOME/a0"
CRED=$XDG_CONFIG_HOME/a0/credentials
cat > "$CRED" <<CR
# the two tenants
$SRC client_id=a0-emulator-client client_secret=a0-emulator-secret
$DST token=not-a-token
CR
chmod 600 "$CRED"

# ---- credentials: each tenant gets its own ----
check "credentials file: the source's entry" 0 '' '' '' \
    a0-export --tenant "$SRC" -c "$C"
check "credentials file: the target's token, refused by the target" 4 '' '' \
    '401' a0-export --tenant "$DST" -c "$C"
ok "credentials: the source's secret never went to the target" \
    test "$(curl -sS "$DST/__emulator/stats" | jq .tokens_issued)" = 0
chmod 644 "$CRED"
check "credentials file others may read: refused, exit 2" 2 '' '' \
    "credentials: refused: mode 0644.*chmod 600" \
    a0-export --tenant "$SRC" -c "$C"
chmod 600 "$CRED"
check "a tenant not in the file, env for another: exit 2" 2 '' '' \
    'http://127.0.0.1:1: no credentials for this tenant' \
    env AUTH0_DOMAIN="$SRC" AUTH0_CLIENT_ID=a0-emulator-client \
    AUTH0_CLIENT_SECRET=a0-emulator-secret \
    a0-export --tenant http://127.0.0.1:1 -c "$C"
check "A0_CREDENTIALS names the file" 0 '' '' '' \
    env A0_CREDENTIALS="$CRED" XDG_CONFIG_HOME=/nonexistent \
    a0-export --tenant "$SRC" -c "$C"
check "A0_CREDENTIALS names no file: exit 2" 2 '' '' 'nosuch: No such file' \
    env A0_CREDENTIALS="$T/nosuch" a0-export --tenant "$SRC" -c "$C"

# The target's right credentials from here on.
sed -i "s|^$DST .*|$DST client_id=a0-emulator-client client_secret=a0-emulator-secret|" \
    "$CRED"

# ---- the copy: both tenants' credentials from the file only ----
a0-submit --tenant "$SRC" -c "$C" "$T/src.json" > /dev/null
curl -sS "$SRC/__emulator/password-hashes" > "$T/hashes"

check "copy-tenant.sh: 30 users, all whole" 0 '' '' \
    "30 users copied from $SRC to $DST, all whole" \
    sh "$TOP/examples/copy-tenant.sh" -H "$T/hashes" -w "$T/w" \
    "$SRC" "$C" "$DST" "$C"
ok "copy-tenant.sh: the target holds the same users" sh -c "
    curl -sS '$SRC/__emulator/users' | jq -S '[.[] | del(.created_at, .updated_at, .picture)] | sort_by(.email)' > '$T/a'
    curl -sS '$DST/__emulator/users' | jq -S '[.[] | del(.created_at, .updated_at, .picture)] | sort_by(.email)' > '$T/b'
    cmp -s '$T/a' '$T/b'"
ok "copy-tenant.sh: the hashes came along" test \
    "$(curl -sS "$DST/__emulator/password-hashes" | wc -l | tr -d ' ')" = 10
ok "copy-tenant.sh: no credentials in the environment" \
    test -z "${AUTH0_CLIENT_ID:-}${AUTH0_CLIENT_SECRET:-}${AUTH0_DOMAIN:-}"
ok "copy-tenant.sh: the work files kept with -w" \
    test -s "$T/w/source.ndjson" -a -s "$T/w/target.ndjson"

# In the target, a user changed, and one removed whose username another
# user took since, so that copying it again fails: both reported.
TOKEN=$(curl -sS "$DST/oauth/token" -d grant_type=client_credentials \
    -d client_id=a0-emulator-client -d client_secret=a0-emulator-secret \
    --data-urlencode "audience=$DST/api/v2/" | jq -r .access_token)
curl -sS -X DELETE -H "Authorization: Bearer $TOKEN" \
    "$DST/api/v2/users/auth0%7C000000000000000000000003" > /dev/null
printf '[{"email":"c-1@example.com","username":"c1","user_metadata":{"i":"changed"}},
{"email":"squatter@example.com","username":"c3"}]\n' > "$T/change.json"
a0-submit --tenant "$DST" --upsert -c "$C" "$T/change.json" > /dev/null
check "copy-tenant.sh again: what is not whole, exit 1" 1 '' '' \
    '2 of 30 users not copied whole' \
    sh "$TOP/examples/copy-tenant.sh" "$SRC" "$C" "$DST" "$C"
ok "copy-tenant.sh: the changed user" grep -q \
    'copy-tenant.sh: [0-9a-f]*: differs in the target' "$T/err"
ok "copy-tenant.sh: the missing user" grep -q \
    'copy-tenant.sh: 000000000000000000000003: missing in the target' "$T/err"
ok "copy-tenant.sh: two reported" test "$(grep -c ': \(differs\|missing\) in' "$T/err")" = 2

check "copy-tenant.sh: a source connection that does not exist: exit 4" 4 \
    '' '' 'Nope: no such connection' \
    sh "$TOP/examples/copy-tenant.sh" "$SRC" Nope "$DST" "$C"
check "copy-tenant.sh: bad usage: exit 2" 2 '' '' '^usage: copy-tenant.sh' \
    sh "$TOP/examples/copy-tenant.sh" "$SRC" "$C"
kill "$SRC_PID"
done_testing
