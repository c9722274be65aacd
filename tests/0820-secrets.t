#!/bin/sh
# Secrets and personal data: the client secret and the access token are
# never in argv, --debug traces, messages or files; files holding users
# are created 0600 whatever the umask; plain http only to loopback; TLS
# peers verified; a server that accepts and never answers is given up
# on after A0_TIMEOUT seconds, and the run ends with exit 5.
. "${0%/*}/lib.sh"

command -v curl > /dev/null || skip_all "curl is not installed"
C=Username-Password-Authentication
SECRET=a0-emulator-secret
# What no output may hold: the secret, and any JWT (the emulator's tokens
# start with the base64 of '{"', as Auth0's do).
printf '%s\neyJ\n' "$SECRET" > "$T/secrets"
# clean FILE...: none of the files holds a secret.
clean() { ! grep -F -q -f "$T/secrets" "$@"; }

# A server that accepts connections and never answers, started first:
# a0-submit waits for it in the background while the rest runs.
cat > "$T/hang.py" <<'EOF'
import socket, sys, time
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(16)
print('http://127.0.0.1:%d' % s.getsockname()[1], flush=True)
held = []
end = time.time() + 60
s.settimeout(1)
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
python3 "$T/hang.py" > "$T/hang.url" &
t_pids="$t_pids $!"
n=0
until grep -q '^http' "$T/hang.url" || [ $n -ge 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
printf '[{"email":"a@example.com"}]\n' > "$T/one.json"
hang_start=$(date +%s)
(
	AUTH0_DOMAIN=$(cat "$T/hang.url") AUTH0_CLIENT_ID=a0-emulator-client \
	AUTH0_CLIENT_SECRET=$SECRET A0_RETRY_MAX=1 A0_RETRY_TIME=1 \
	A0_TIMEOUT=2 \
	    exec timeout -k 5 60 a0-submit -c "$C" -s "$T/hang.state" \
	    "$T/one.json" > "$T/hang.out" 2> "$T/hang.err"
) &
hang_pid=$!

emu_start --job-seconds 1 || skip_all "the emulator did not start"

# ---- argv, during a run ----
a0-template -n 300 > "$T/users.json"
mkdir "$T/ck"
(cd "$T/ck" && a0-chunk -b 20K < "$T/users.json" > "$T/chunks")
a0-submit -c "$C" -s "$T/state" -r "$T/rejects" --debug $(cat "$T/chunks" |
    sed "s|^|$T/ck/|") > "$T/run.out" 2> "$T/run.err" &
run=$!
sleep 0.5
ps -eo pid,args > "$T/ps"
ok "argv: a0-submit was running when looked at" \
    grep -q "^ *$run .*a0-submit" "$T/ps"
ok "argv: no secret, no token" clean "$T/ps"
wait $run
ok "a0-submit: the run completed" [ $? -eq 0 ]
ok "--debug: traces were written" grep -q '^a0-submit: debug: > POST' \
    "$T/run.err"
ok "--debug: Authorization redacted" \
    grep -q '^a0-submit: debug: > Authorization: \[redacted\]$' "$T/run.err"
ok "--debug: client_secret redacted" \
    grep -q 'client_secret=\[redacted\]' "$T/run.err"
ok "--debug: access_token redacted" \
    grep -q '"access_token":"\[redacted\]"' "$T/run.err"
ok "--debug, stdout, journal: no secret, no token" \
    clean "$T/run.err" "$T/run.out" "$T/state"

# a0-import runs the pipeline itself: its children's argv too.
a0-import -c "$C" --upsert --no-input < "$T/users.json" \
    > "$T/imp.out" 2> "$T/imp.err" &
run=$!
sleep 0.5
ps -eo pid,args > "$T/ps"
ok "argv: a0-import's a0-submit was running when looked at" \
    grep -q 'a0-submit' "$T/ps"
ok "argv: a0-import and its stages: no secret, no token" clean "$T/ps"
wait $run
ok "a0-import: the run completed" [ $? -eq 0 ]
ok "a0-import: output, messages: no secret, no token" \
    clean "$T/imp.out" "$T/imp.err"

# A token given ready-made is no more shown than one obtained.
TOKEN=$(emu_token)
ok "a token from the emulator" [ "${#TOKEN}" -gt 20 ]
printf '%s\n' "$TOKEN" >> "$T/secrets"
check "AUTH0_API_TOKEN: a run with --debug" 0 '' - - \
    env AUTH0_API_TOKEN="$TOKEN" AUTH0_CLIENT_SECRET= \
    a0-submit -c "$C" --upsert --debug "$T/ck/chunk-000001.json"
ok "AUTH0_API_TOKEN: --debug and stdout: no token" clean "$T/out" "$T/err"

# ---- error messages ----
check "a wrong secret: exit 4" 4 '' '' \
    '^a0-submit: POST /oauth/token: 401 invalid_client' \
    env AUTH0_CLIENT_SECRET="wrong-$SECRET" \
    a0-submit -c "$C" --debug "$T/one.json"
ok "a wrong secret: not in the messages" clean "$T/err"
# A secret that the form encoding changes: neither its plain nor its
# percent-encoded form may show (the trace is redacted by key, not only by
# looking for the secret as given).
check "a secret with / and +: exit 4" 4 '' '' \
    '^a0-submit: POST /oauth/token: 401 invalid_client' \
    env AUTH0_CLIENT_SECRET='abc/def+ghi' \
    a0-submit -c "$C" --debug "$T/one.json"
ok "a secret with / and +: client_secret redacted" \
    grep -q 'client_secret=\[redacted\]' "$T/err"
ok "a secret with / and +: neither form anywhere" \
    sh -c '! grep -F -i -e "abc/def+ghi" -e "abc%2Fdef" -e "def%2Bghi" "$@"' \
    sh "$T/out" "$T/err"
check "a wrong token: exit 4" 4 '' '' \
    '^a0-submit: .*AUTH0_API_TOKEN was refused' \
    env AUTH0_API_TOKEN="x$TOKEN" AUTH0_CLIENT_ID= a0-submit -c "$C" \
    "$T/one.json"
ok "a wrong token: not in the messages" clean "$T/err"
# The secret where no key names it (here in a URL): --debug still hides it.
check "the secret in a URL: exit 4" 4 '' '' \
    "^a0-submit: $SECRET: no such connection" \
    a0-submit -c "$SECRET" --debug "$T/one.json"
grep '^a0-submit: debug: ' "$T/err" > "$T/debug"
ok "the secret in a URL: the trace shows the request, hidden" \
    grep -q '^a0-submit: debug: > GET /api/v2/connections?.*\[redacted\]' \
    "$T/debug"
ok "the secret in a URL: not in the trace" clean "$T/debug"

# ---- files holding users: 0600, whatever the umask ----
mode() { [ "$(stat -c %a "$1")" = 600 ]; }
sed 's/"email":/"emale":/' "$T/users.json" > "$T/bad.json"
(
	umask 000
	a0-validate -q -r "$T/v.rejects" "$T/bad.json" > "$T/v.out" 2>&1
	a0-submit -c "$C" -s "$T/s.state" -r "$T/s.rejects" \
	    "$T/ck/chunk-000001.json" > "$T/s.out" 2>&1
	mkdir "$T/c0" && cd "$T/c0" && a0-chunk < "$T/users.json" > /dev/null
)
ok "umask 000: a0-validate -r: rejects 0600" mode "$T/v.rejects"
ok "umask 000: a0-submit -s: journal 0600" mode "$T/s.state"
ok "umask 000: a0-submit -r: rejects 0600" mode "$T/s.rejects"
ok "umask 000: a0-submit -r: the failed users are there" \
    grep -q '"DUPLICATED_USER"' "$T/s.rejects"
ok "umask 000: a0-chunk: chunks 0600" mode "$T/c0/chunk-000001.json"
ok "rejects, journal, messages: no secret, no token" \
    clean "$T/s.state" "$T/s.rejects" "$T/v.rejects" "$T/s.out" "$T/v.out"

# ---- plain http only to loopback; TLS always verified ----
while read -r domain; do
	check "plain http refused: $domain" 2 '' '' \
	    'plain http is allowed only to a loopback host' \
	    env AUTH0_DOMAIN="$domain" timeout 20 a0-submit -c "$C" \
	    "$T/one.json"
done <<'EOF'
http://example.com
http://10.0.0.1:8089
HTTP://192.168.1.1
http://127.0.0.1.example.com
http://localhost.example.com
http://127.0.0.300
http://127.0.0.8089
http://127..0.1
EOF
check "plain http refused: --tenant http://example.com" 2 '' '' \
    'plain http is allowed only to a loopback host' \
    a0-submit -c "$C" --tenant http://example.com "$T/one.json"
for flag in -k --insecure --no-verify; do
	check "no way to switch TLS verification off: $flag" 2 '' '' \
	    '^(a0-submit: .*|usage: a0-submit)' \
	    a0-submit -c "$C" "$flag" "$T/one.json"
done

# A TLS server with a certificate no one signed: the handshake fails,
# and no request (no secret) is sent.
if command -v openssl > /dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" > "$T/openssl.log" 2>&1; then
	cat > "$T/tls.py" <<'EOF'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        with open(sys.argv[3], 'a') as f:
            f.write(self.requestline + '\n')
        self.send_response(500)
        self.end_headers()
    do_GET = do_POST
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = c.wrap_socket(s.socket, server_side=True)
print('https://127.0.0.1:%d' % s.server_address[1], flush=True)
s.serve_forever()
EOF
	: > "$T/tls.requests"
	python3 "$T/tls.py" "$T/cert.pem" "$T/key.pem" "$T/tls.requests" \
	    > "$T/tls.url" 2> "$T/tls.log" &
	t_pids="$t_pids $!"
	n=0
	until grep -q '^https' "$T/tls.url" || [ $n -ge 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	check "TLS: a self-signed certificate is refused" 5 '' '' \
	    '^a0-submit: POST /oauth/token: .*(certificate|SSL)' \
	    env AUTH0_DOMAIN="$(cat "$T/tls.url")" A0_RETRY_MAX=1 \
	    A0_RETRY_TIME=1 timeout 30 a0-submit -c "$C" "$T/one.json"
	ok "TLS: nothing was sent" [ ! -s "$T/tls.requests" ]
else
	skip "openssl cannot make a certificate: no TLS verification check"
fi

# ---- a credentials file ----
# The secret in a file only its owner may read, none in the environment.
mkdir -p "$T/cf"
printf '%s client_id=a0-emulator-client client_secret=%s\n' "$EMU_URL" \
    "$SECRET" > "$T/cf/credentials"
chmod 600 "$T/cf/credentials"
for mode in 644 640 604; do
	chmod "$mode" "$T/cf/credentials"
	check "credentials file mode $mode: refused, exit 2" 2 '' '' \
	    "^a0-submit: .*credentials: refused: mode 0$mode" \
	    env -u AUTH0_CLIENT_ID -u AUTH0_CLIENT_SECRET \
	    A0_CREDENTIALS="$T/cf/credentials" \
	    a0-submit -c "$C" --tenant "$EMU_URL" "$T/one.json"
done
chmod 600 "$T/cf/credentials"
check "credentials file mode 600: the import runs" 0 '' - 'debug: > POST /oauth/token' \
    env -u AUTH0_DOMAIN -u AUTH0_CLIENT_ID -u AUTH0_CLIENT_SECRET \
    A0_CREDENTIALS="$T/cf/credentials" \
    a0-submit -c "$C" --tenant "$EMU_URL" --debug "$T/one.json"
ok "credentials file: no secret in the trace" clean "$T/err"
check "credentials file: another tenant gets nothing, exit 2" 2 '' '' \
    '^a0-submit: http://localhost:1: no credentials' \
    env -u AUTH0_DOMAIN -u AUTH0_CLIENT_ID -u AUTH0_CLIENT_SECRET \
    A0_CREDENTIALS="$T/cf/credentials" \
    a0-submit -c "$C" --tenant http://localhost:1 "$T/one.json"

# ---- the server that never answers ----
wait $hang_pid
st=$?
took=$(($(date +%s) - hang_start))
ok "never answers: exit 5 after ${took}s" [ "$st" -eq 5 ]
ok "never answers: given up after A0_TIMEOUT" grep -q \
    '^a0-submit: POST /oauth/token: nothing sent or received for 2 s' \
    "$T/hang.err"
ok "never answers: says how to resume" \
    grep -q '^a0-submit: POST /oauth/token: .*run again' "$T/hang.err"
ok "never answers: no secret in the message" clean "$T/hang.err"

done_testing
