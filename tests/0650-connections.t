#!/bin/sh
# a0-connections: the tenant's connections and whether each is enabled
# for an application; the token it hands over; the audience; retries.
. "${0%/*}/lib.sh"

cat > "$T/usage" <<'EOF'
usage: a0-connections [-aej] [--token-fd fd] [--tenant domain] [--debug]
	[name ...]
EOF
check "-h prints the usage and the flags" 0 '' - '' a0-connections -h
head -2 "$T/out" > "$T/h2"
ok "... the usage first" cmp -s "$T/usage" "$T/h2"
ok "... then --token-fd and its default" \
    grep -q '^      --token-fd fd .*(default: none)$' "$T/out"
check "an unknown flag"           2 '' '' 'usage: a0-connections' \
    a0-connections --bogus
check "no tenant"                 2 '' '' \
    '^a0-connections: AUTH0_DOMAIN is not set \(nor --tenant\)$' a0-connections
check "no credentials"            2 '' '' \
    '^a0-connections: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or AUTH0_API_TOKEN$' \
    env AUTH0_DOMAIN=example.auth0.com a0-connections
check "plain http to a remote host" 2 '' '' 'plain http is allowed only to a loopback host' \
    env AUTH0_DOMAIN=http://example.com AUTH0_API_TOKEN=x a0-connections
check "--token-fd 1: not a descriptor of its own" 2 '' '' \
    'a0-connections: --token-fd 1: too small' \
    env AUTH0_DOMAIN=example.auth0.com AUTH0_API_TOKEN=x \
    a0-connections --token-fd 1
check "--token-fd 7: not open"    2 '' '' 'a0-connections: --token-fd 7: not open' \
    env AUTH0_DOMAIN=example.auth0.com AUTH0_API_TOKEN=x \
    a0-connections --token-fd 7

emu_start --connections 150 --other-connections ||
    skip_all "emulator did not start"
tokens() { emu_figure tokens_issued; }

printf 'Username-Password-Authentication\tcon_A0EmulatorDb0001\tauth0\tenabled\n' \
    > "$T/first"
check "the database connections, every page" 0 '' - '' a0-connections
ok "... 151 of them" [ "$(wc -l < "$T/out")" -eq 151 ]
head -1 "$T/out" > "$T/got1"
ok "... the default one first, enabled" cmp -s "$T/first" "$T/got1"
ok "... Database-0003 is enabled for no application" \
    grep -q "^Database-0003	con_A0EmulatorEx0003	auth0	disabled$" "$T/out"
ok "... Database-0150 is on the last page" grep -q '^Database-0150	' "$T/out"
ok "... none that is not a database connection" \
    sh -c '! grep -q "	email	" "$1"' sh "$T/out"
check "-a: every connection"      0 '' - '' a0-connections -a
ok "... 153 of them" [ "$(wc -l < "$T/out")" -eq 153 ]
ok "... the passwordless one with its strategy" \
    grep -q "^email	con_A0EmulatorEm0001	email	enabled$" "$T/out"
check "by name, whatever its strategy" 0 '' - '' a0-connections google-oauth2
ok "... google-oauth2" grep -q "^google-oauth2	con_A0EmulatorGo0001	google-oauth2	enabled$" \
    "$T/out"
check "-e: the enabled ones only" 0 '' - '' a0-connections -e
ok "... 101 of them" [ "$(wc -l < "$T/out")" -eq 101 ]
ok "... no disabled one" sh -c '! grep -q disabled "$1"' sh "$T/out"
echo '{"id":"con_A0EmulatorEx0003","name":"Database-0003","strategy":"auth0","enabled":false}' \
    > "$T/json"
check "-j, by name"               0 '' "$T/json" '' a0-connections -j Database-0003
check "an unknown name: the others listed, exit 4" 4 '' - \
    '^a0-connections: No-Such: no such connection$' \
    a0-connections Database-0003 No-Such
ok "... the known one listed" grep -q '^Database-0003	' "$T/out"

# One token for a run: handed over on a descriptor, used by the next tool.
t0=$(tokens)
AUTH0_API_TOKEN=$(a0-connections --token-fd 3 Database-0001 3>&1 \
    > "$T/conn1") 2> "$T/err"
ok "--token-fd hands the token over" [ -n "$AUTH0_API_TOKEN" ]
ok "... and lists as well" grep -q '^Database-0001	' "$T/conn1"
check "the token, used by the next run" 0 '' - '' \
    env AUTH0_API_TOKEN="$AUTH0_API_TOKEN" a0-connections Database-0002
ok "... one token asked for in all" [ "$(tokens)" -eq $((t0 + 1)) ]
check "a refused token and no client credentials: exit 4" 4 '' '' \
    '^a0-connections: GET /api/v2/connections: 401 Unauthorized: Invalid token$' \
    env AUTH0_API_TOKEN=not-a-token AUTH0_CLIENT_ID= a0-connections
check "a refused token is renewed with the client credentials" 0 '' - '' \
    env AUTH0_API_TOKEN=not-a-token a0-connections Database-0001

# AUTH0_AUDIENCE: a tenant behind a custom domain is asked for a token of
# its canonical audience; the emulator's is https://HOST:PORT/api/v2/.
check "AUTH0_AUDIENCE, the https audience of the emulator" 0 '' - '' \
    env AUTH0_AUDIENCE="https://${EMU_URL#http://}/api/v2/" \
    a0-connections Database-0001
check "AUTH0_AUDIENCE of another API: refused, exit 4" 4 '' '' \
    'POST /oauth/token: 403 access_denied: Service not enabled within domain: https://example.com/api/v2/' \
    env AUTH0_AUDIENCE=https://example.com/api/v2/ a0-connections

# Network trouble: each retry said (always with --debug, on a terminal
# without), the end worded as every tool words it.
check "a host that refuses: retried, then exit 5" 5 '' '' \
    '^a0-connections: POST /oauth/token: .*\(gave up after 3 tries in [0-9]+ s\)$' \
    env AUTH0_DOMAIN=http://127.0.0.1:9 A0_RETRY_MAX=3 a0-connections
ok "... no retry shown off a terminal" [ "$(wc -l < "$T/err")" -eq 1 ]
check "... with --debug, each retry shown" 5 '' '' \
    'retrying in [0-9]+ s \(2/3\): .*127\.0\.0\.1' \
    env AUTH0_DOMAIN=http://127.0.0.1:9 A0_RETRY_MAX=3 a0-connections --debug
ok "... once a retry" [ "$(grep -c 'retrying in' "$T/err")" -eq 2 ]
check "on a terminal, each retry shown as it is decided" 5 '' - '' \
    env AUTH0_DOMAIN=http://127.0.0.1:9 A0_RETRY_MAX=2 "$PYTHON" -c '
import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)' a0-connections
ok "... retrying in 1 s (2/2): the reason" grep -Eq \
    'a0-connections: POST /oauth/token: retrying in 1 s \(2/2\): .*127\.0\.0\.1' \
    "$T/out"
check "by default a host that cannot be reached is given up on in time" 5 \
    '' '' 'gave up after [1-7] tries in [0-9]+ s\)$' \
    env AUTH0_DOMAIN=http://127.0.0.1:9 a0-connections
check "A0_RETRY_TIME bounds it instead" 5 '' '' 'gave up after [0-9]+ tries' \
    env AUTH0_DOMAIN=http://127.0.0.1:9 A0_RETRY_TIME=1 a0-connections
check "A0_RETRY_MAX out of range: exit 2" 2 '' '' \
    '^a0-connections: A0_RETRY_MAX: 0: too small$' \
    env A0_RETRY_MAX=0 a0-connections

check "a full disk: exit 3" 3 '' - 'a0-connections: stdout' \
    sh -c 'a0-connections > /dev/full'

done_testing
