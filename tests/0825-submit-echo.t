#!/bin/sh
# 0825-submit-echo: a server (or a proxy before it) that echoes the
# request in its answers: the client secret and the bearer token stay out
# of everything a0-submit prints from an answer (messages, the result
# line's error and details, the rejects, --debug), as they are and
# percent-encoded.
. "${0%/*}/lib.sh"

CON=con_A0EmulatorDb0001
# A secret and a token with bytes that percent-encoding changes.
SECRET='s3cr3t+wi/th=odd&chars~x y'
TOKEN='eyJ0b2tlbi.ec+ho/ed=.tok~en'
printf '[{"email":"a@example.com"}]\n' > "$T/one.json"

# The server's answer to each request depends on the mode in $T/mode.
cat > "$T/echo.py" <<'EOF'
import http.server, json, sys, urllib.parse
mode_file, token = sys.argv[1], sys.argv[2]
def enc(s, lower=False):
    e = "".join("%%%02X" % b for b in s.encode())
    return e.lower() if lower else e
class H(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def echo(self):
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else auth
        return "%s; token %s, %s, %s" % (auth, tok, enc(tok),
                                          enc(tok, True))
    def do_POST(self):
        mode = open(mode_file).read().strip()
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        if self.path == "/oauth/token":
            if mode == "token":
                sec = urllib.parse.parse_qs(body)["client_secret"][0]
                return self.answer(401, {
                    "error": "access_denied",
                    "error_description": "Unauthorized: %s; secret %s, "
                    "%s, %s, %s" % (body, sec, enc(sec), enc(sec, True),
                                    urllib.parse.quote_plus(sec))})
            return self.answer(200, {"access_token": token,
                                     "expires_in": 86400,
                                     "token_type": "Bearer"})
        if mode == "import":
            return self.answer(400, {"statusCode": 400,
                                     "error": "Bad Request",
                                     "message": "Invalid token " +
                                     self.echo()})
        return self.answer(202, {"id": "job_0123456789abcdef",
                                 "status": "pending"})
    def do_GET(self):
        mode = open(mode_file).read().strip()
        if mode == "job401":
            return self.answer(401, {"statusCode": 401,
                                     "error": "Unauthorized",
                                     "message": "Invalid token " +
                                     self.echo()})
        if self.path.endswith("/errors"):
            return self.answer(200, [{
                "user": {"email": "a@example.com",
                         "app_metadata": {"seen": self.echo()}},
                "errors": [{"code": "DUPLICATED_USER",
                            "message": "User exists: " + self.echo()}]}])
        job = {"id": "job_0123456789abcdef", "type": "users_import",
               "status": "completed", "connection_id": sys.argv[3],
               "summary": {"failed": 1, "updated": 0, "inserted": 0,
                           "total": 1}}
        if mode == "details":
            job["status"] = "failed"
            job["status_details"] = "echo: " + self.echo()
        return self.answer(200, job)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print("http://127.0.0.1:%d" % s.server_address[1], flush=True)
s.serve_forever()
EOF
echo token > "$T/mode"
"$PYTHON" "$T/echo.py" "$T/mode" "$TOKEN" "$CON" > "$T/echo.url" \
    2> "$T/echo.log" &
t_pids="$t_pids $!"
n=0
until grep -q '^http' "$T/echo.url" || [ $n -ge 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
grep -q '^http' "$T/echo.url" || skip_all "the echo server did not start"

# The forms a server may show them in: as they are, percent-encoded
# (either case), '+' for a space; and a piece of each, as a cut could
# leave.
"$PYTHON" - "$SECRET" "$TOKEN" > "$T/secrets" <<'EOF'
import sys, urllib.parse
for s in sys.argv[1:]:
    e = "".join("%%%02X" % b for b in s.encode())
    for f in (s, e, e.lower(), urllib.parse.quote_plus(s),
              urllib.parse.quote(s, safe="")):
        print(f)
    print(s[:12])
EOF
# clean FILE...: none of the files holds a secret in any of its forms.
clean() {
	if grep -F -f "$T/secrets" "$@" > "$T/leak"; then
		sed 's/^/#   leaked: /' "$T/leak"
		return 1
	fi
}

AUTH0_DOMAIN=$(cat "$T/echo.url")
AUTH0_CLIENT_ID=a0-echo-client
AUTH0_CLIENT_SECRET=$SECRET
export AUTH0_DOMAIN AUTH0_CLIENT_ID AUTH0_CLIENT_SECRET

# mode M: what the server does from now on.
mode() { echo "$1" > "$T/mode"; }

mode token
check "the secret echoed by /oauth/token: exit 4" 4 '' '' \
    '^a0-submit: POST /oauth/token: 401 access_denied: Unauthorized: .*client_secret=\[redacted\].*; secret \[redacted\], \[redacted\], \[redacted\], \[redacted\]$' \
    a0-submit -C "$CON" "$T/one.json"
ok "the secret echoed by /oauth/token: not shown" clean "$T/err"
check "--debug: the same" 4 '' '' '^a0-submit: debug: ' \
    a0-submit -C "$CON" --debug "$T/one.json"
ok "--debug: the echoed secret not traced" clean "$T/err"

mode import
check "the token echoed in a 400 to the post: exit 4" 4 '' - \
    '^a0-submit: .*one\.json: 400 Bad Request: Invalid token Bearer \[redacted\]; token \[redacted\], \[redacted\], \[redacted\]$' \
    a0-submit -C "$CON" "$T/one.json"
ok "the result line's error: hidden" \
    grep -q '"error":"400 Bad Request: Invalid token Bearer \[redacted\]; token \[redacted\], \[redacted\], \[redacted\]"' "$T/out"
ok "the token echoed in a 400: not in stdout or stderr" \
    clean "$T/out" "$T/err"
check "--debug: the same" 4 '' - '^a0-submit: debug: ' \
    a0-submit -C "$CON" --debug "$T/one.json"
ok "--debug: the echoed token not traced" clean "$T/out" "$T/err"
check "AUTH0_API_TOKEN echoed: exit 4" 4 '' - 'Invalid token Bearer \[redacted\]' \
    env AUTH0_API_TOKEN="$TOKEN" a0-submit -C "$CON" "$T/one.json"
ok "AUTH0_API_TOKEN echoed: not shown" clean "$T/out" "$T/err"

mode details
check "the token echoed in a job's status_details: exit 1" 1 '' - - \
    a0-submit -C "$CON" "$T/one.json"
ok "status_details: hidden" \
    grep -q '"details":"echo: Bearer \[redacted\]; token \[redacted\], \[redacted\], \[redacted\]"' "$T/out"
ok "status_details: not shown" clean "$T/out" "$T/err"

mode errors
check "the token echoed in the failed users: exit 1" 1 '' - '' \
    a0-submit -C "$CON" -r "$T/rejects" "$T/one.json"
ok "the rejects: the echoed token hidden, the user kept" \
    grep -q '^{"user":{"email":"a@example.com","app_metadata":{"seen":"Bearer \[redacted\]; token \[redacted\], \[redacted\], \[redacted\]"}}' \
    "$T/rejects"
ok "the rejects: not shown" clean "$T/rejects" "$T/out" "$T/err"

mode job401
check "the token echoed in a 401 to a look at the job: exit 4" 4 '' - \
    '^a0-submit: .*one\.json: GET /api/v2/jobs/job_0123456789abcdef: 401 Unauthorized: Invalid token Bearer \[redacted\]' \
    a0-submit -C "$CON" "$T/one.json"
ok "the 401: not shown" clean "$T/out" "$T/err"

done_testing
