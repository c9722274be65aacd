#!/bin/sh
# 0500-emulator: the local Auth0 emulator answers as Auth0 does: statuses,
# JSON shapes and texts from reference/auth0-api.md and the recordings.
. "${0%/*}/lib.sh"

command -v curl >/dev/null || skip_all "curl is not installed"
command -v jq >/dev/null || skip_all "jq is not installed"

E=$TOP/tests/emulator

# python3 may be a version manager's shim costing seconds a start: put the
# interpreter it resolves to first on PATH.
mkdir "$T/py" && ln -s "$(python3 -c 'import sys; print(sys.executable)')" \
    "$T/py/python3" && PATH=$T/py:$PATH
CON=con_A0EmulatorDb0001

# api METHOD PATH [CURL-ARGS...]: the answer's body, a newline and its
# status; the headers are left in $T/hdr.
api() {
	a_m=$1 a_p=$2
	shift 2
	curl -sS -X "$a_m" -o "$T/body" -D "$T/hdr" -w '%{http_code}\n' \
	    "$@" "$EMU_URL$a_p" > "$T/code" || return
	cat "$T/body"
	echo
	cat "$T/code"
}

# answer DESC STATUS BODY METHOD PATH [CURL-ARGS...]: the answer is BODY
# with STATUS.
answer() {
	printf '%s\n%s\n' "$3" "$2" > "$T/exp"
	a_d=$1
	shift 3
	check "$a_d" 0 '' "$T/exp" '' api "$@"
}

# jqok DESC FILTER FILE: jq -e FILTER holds on FILE.
jqok() { ok "$1" jqtrue "$2" "$3"; }
jqtrue() { jq -e "$@" > /dev/null; }

bail() { echo "Bail out! the emulator did not start"; exit 1; }

# use URL PID: talk to that emulator from now on.
use() { EMU_URL=$1 EMU_PID=$2; }

# token [CURL-ARGS...]: a fresh access token on stdout.
token() {
	curl -sS "$EMU_URL/oauth/token" -d grant_type=client_credentials \
	    -d client_id=a0-emulator-client -d client_secret=a0-emulator-secret \
	    --data-urlencode "audience=$EMU_URL/api/v2/" "$@" |
	    jq -r .access_token
}

# post_users FILE [CURL-ARGS...]: POST an import of FILE into $T/job.
post_users() {
	p_f=$1
	shift
	curl -sS -H "$AUTH" -F "users=@$p_f;type=application/json" \
	    -F connection_id=$CON "$@" "$EMU_URL/api/v2/jobs/users-imports" \
	    > "$T/job"
}

# wait_job: poll the job in $T/job until it is over; its last status in
# $T/status, the statuses seen in $T/seen, the last processing one in
# $T/processing.
wait_job() {
	w_id=$(jq -r .id "$T/job")
	: > "$T/seen"
	w_n=0
	while [ $w_n -lt 200 ]; do
		curl -sS -H "$AUTH" "$EMU_URL/api/v2/jobs/$w_id" > "$T/status"
		jq -r .status "$T/status" >> "$T/seen"
		case $(jq -r .status "$T/status") in
		completed|failed) return 0 ;;
		processing) cp "$T/status" "$T/processing" ;;
		esac
		sleep 0.05
		w_n=$((w_n + 1))
	done
	return 1
}

# job_errors: the failed users of the job in $T/job, into $T/body.
job_errors() {
	api GET "/api/v2/jobs/$(jq -r .id "$T/job")/errors" -H "$AUTH" \
	    > /dev/null
}

# jwt_claims: the claims of the JWT on stdin.
jwt_claims() {
	jq -R 'split(".")[1] | gsub("-"; "+") | gsub("_"; "/") |
	    . + ("=" * ((4 - length % 4) % 4)) | @base64d | fromjson'
}

# ---- start, the token endpoint ----
# A second tenant: slow jobs (the 2-job limit), short-lived tokens.
emu_start --job-seconds 1.5 --token-ttl 3 || bail
B_URL=$EMU_URL B_PID=$EMU_PID
OTHER=$(token)
curl -sS "$EMU_URL/oauth/token" -d grant_type=client_credentials \
    -d client_id=a0-emulator-client -d client_secret=a0-emulator-secret \
    --data-urlencode "audience=$EMU_URL/api/v2/" > "$T/tokb"
jqok "token-ttl: expires_in is the ttl" '.expires_in == 3' "$T/tokb"
answer "token-ttl: fresh token accepted" 200 "[]" GET \
    "/api/v2/connections?name=none" -H "Authorization: Bearer $OTHER"

emu_start --job-seconds 0.3 || bail
MAIN_URL=$EMU_URL MAIN_PID=$EMU_PID
ok "prints only its URL on stdout" \
    test "$(wc -l < "$T/emu.url")" -eq 1
ok "listens on loopback" grep -Eqx 'http://127\.0\.0\.1:[0-9]+' "$T/emu.url"

curl -sS "$EMU_URL/oauth/token" -d grant_type=client_credentials \
    -d client_id=a0-emulator-client -d client_secret=a0-emulator-secret \
    --data-urlencode "audience=$EMU_URL/api/v2/" > "$T/tok"
jqok "token: form body gives a Bearer token with the scopes" \
    '.token_type == "Bearer" and .expires_in == 86400 and
    .scope == "read:connections create:users read:users" and
    (.access_token | split(".") | length == 3)' "$T/tok"
jq -r .access_token "$T/tok" | jwt_claims > "$T/claims"
ok "token: JWT claims shaped like Auth0's" jqtrue --arg u "$EMU_URL" \
    '.iss == $u + "/" and .aud == $u + "/api/v2/" and
    .sub == "a0-emulator-client@clients" and .gty == "client-credentials" and
    .exp - .iat == 86400 and
    .scope == "read:connections create:users read:users"' \
    "$T/claims"
curl -sS "$EMU_URL/oauth/token" -H 'Content-Type: application/json' \
    -d "{\"grant_type\":\"client_credentials\",\"client_id\":\"a0-emulator-client\",\"client_secret\":\"a0-emulator-secret\",\"audience\":\"$EMU_URL/api/v2/\"}" \
    > "$T/tok2"
jqok "token: JSON body works too" '.access_token | length > 100' "$T/tok2"

TOK=$(jq -r .access_token "$T/tok")
AUTH="Authorization: Bearer $TOK"
TA="-d client_id=a0-emulator-client -d client_secret=a0-emulator-secret"
# Tables: DESCRIPTION|STATUS|BODY|CURL ARGUMENTS (shell words).
while IFS='|' read -r desc st body args; do
	eval "set -- $args"
	answer "token: $desc" "$st" "$body" POST /oauth/token "$@"
done <<EOF
wrong secret|401|{"error":"invalid_client","error_description":"Client authentication failed"}|-d grant_type=client_credentials -d client_id=a0-emulator-client -d client_secret=nope -d audience=$EMU_URL/api/v2/
unknown client|401|{"error":"invalid_client","error_description":"Client authentication failed"}|-d grant_type=client_credentials -d client_id=x -d client_secret=a0-emulator-secret -d audience=$EMU_URL/api/v2/
no client|401|{"error":"access_denied","error_description":"Unauthorized"}|-d grant_type=client_credentials -d audience=$EMU_URL/api/v2/
no grant_type|400|{"error":"invalid_request","error_description":"Missing required parameter: grant_type"}|$TA
other grant|400|{"error":"unsupported_grant_type","error_description":"Unsupported grant type: password"}|-d grant_type=password $TA
no audience|403|{"error":"access_denied","error_description":"No audience parameter was provided, and no default audience has been configured"}|-d grant_type=client_credentials $TA
other audience|403|{"error":"access_denied","error_description":"Service not enabled within domain: https://x.example/api/v2/"}|-d grant_type=client_credentials $TA -d audience=https://x.example/api/v2/
scope not granted|403|{"error":"access_denied","error_description":"Client has not been granted scopes: delete:users"}|-d grant_type=client_credentials $TA -d audience=$EMU_URL/api/v2/ -d scope=delete:users
EOF

# ---- authentication and scopes on the Management API ----
BADSIG=$(printf '%s' "$TOK" | sed 's/\.[^.]*$/.AAAA/')
NOCON=$(token -d scope=create:users)
NOUSR=$(token -d scope=read:connections)
C="/api/v2/connections?name=Username-Password-Authentication"
J=/api/v2/jobs/users-imports
while IFS='|' read -r desc st body m p hdr; do
	answer "auth: $desc" "$st" "$body" "$m" "$p" -H "$hdr"
done <<EOF
no token|401|{"statusCode":401,"error":"Unauthorized","message":"Missing authentication"}|GET|$C|X-None: 1
basic scheme|401|{"statusCode":401,"error":"Unauthorized","message":"Bad HTTP authentication header format"}|GET|$C|Authorization: Basic eDp5
not a JWT|401|{"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}}|GET|$C|Authorization: Bearer abc
bad signature|401|{"statusCode":401,"error":"Unauthorized","message":"Invalid signature received for JSON Web Token validation.","attributes":{"error":"Invalid signature received for JSON Web Token validation."}}|GET|$C|Authorization: Bearer $BADSIG
no read:connections|403|{"statusCode":403,"error":"Forbidden","message":"Insufficient scope; expected any of: read:connections.","errorCode":"insufficient_scope"}|GET|$C|Authorization: Bearer $NOCON
no create:users|403|{"statusCode":403,"error":"Forbidden","message":"Insufficient scope; expected any of: create:users.","errorCode":"insufficient_scope"}|POST|$J|Authorization: Bearer $NOUSR
no job scope|403|{"statusCode":403,"error":"Forbidden","message":"Insufficient scope; expected any of: create:users,read:users.","errorCode":"insufficient_scope"}|GET|/api/v2/jobs/job_AAAAAAAAAAAAAAAA|Authorization: Bearer $NOUSR
EOF

# A token from another tenant (another audience).
B="Bad audience: $B_URL/api/v2/"
answer "auth: token minted for another tenant" 401 \
    "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"$B\",\"attributes\":{\"error\":\"$B\"}}" \
    GET "$C" -H "Authorization: Bearer $OTHER"

# ---- connections ----
api GET "$C" -H "$AUTH" > /dev/null
jqok "connections: plain array with the database connection" \
    'length == 1 and .[0].id == "con_A0EmulatorDb0001" and
    .[0].name == "Username-Password-Authentication" and
    .[0].strategy == "auth0" and (.[0].options | type == "object")' "$T/body"
ok "connections: x-ratelimit-* headers" \
    grep -Eqi '^x-ratelimit-limit: 50' "$T/hdr"
ok "connections: x-ratelimit-reset is epoch seconds" \
    sh -c "r=\$(sed -n 's/^x-ratelimit-reset: *\\([0-9]*\\).*/\\1/Ip' '$T/hdr'); n=\$(date +%s); [ \"\$r\" -ge \"\$n\" ] && [ \"\$r\" -le \$((n + 5)) ]"
ok "connections: x-ratelimit-remaining below the limit" \
    grep -Eqi '^x-ratelimit-remaining: [0-9]+' "$T/hdr"
answer "connections: unknown name" 200 "[]" GET \
    "/api/v2/connections?name=nope" -H "$AUTH"
answer "connections: other strategy" 200 "[]" GET \
    "/api/v2/connections?strategy=google-oauth2" -H "$AUTH"
api GET "/api/v2/connections?strategy=auth0&fields=id,name" -H "$AUTH" >/dev/null
jqok "connections: strategy and fields" \
    '. == [{"id":"con_A0EmulatorDb0001","name":"Username-Password-Authentication"}]' \
    "$T/body"
api GET "/api/v2/connections?include_totals=true&name=Username-Password-Authentication&per_page=50" \
    -H "$AUTH" > /dev/null
jqok "connections: include_totals with page/per_page" \
    'keys == ["connections","limit","start","total"] and .total == 1 and
    .start == 0 and .limit == 50 and .connections[0].id == "con_A0EmulatorDb0001"' \
    "$T/body"
api GET "/api/v2/connections?take=50&name=Username-Password-Authentication" \
    -H "$AUTH" > /dev/null
jqok "connections: checkpoint from/take" \
    'keys == ["connections"] and .connections[0].id == "con_A0EmulatorDb0001"' \
    "$T/body"
answer "unknown route: hapi 404" 404 \
    '{"statusCode":404,"error":"Not Found","message":"Not Found"}' \
    GET /api/v2/nothing -H "$AUTH"

# ---- import request errors ----
printf '[{"email":"one@example.com"}]\n' > "$T/one.json"
: > "$T/empty.json"
head -c 512000 /dev/zero | tr '\0' ' ' > "$T/big.json"
head -c 3000000 /dev/zero | tr '\0' ' ' > "$T/huge.json"
P="Payload validation error:"
while IFS='|' read -r desc st body args; do
	eval "set -- $args"
	answer "import: $desc" "$st" "$body" POST "$J" -H "$AUTH" "$@"
done <<EOF
no users part|400|{"statusCode":400,"error":"Bad Request","message":"Must provide 'users' file as multipart part."}|-F connection_id=$CON
users not a file|400|{"statusCode":400,"error":"Bad Request","message":"Must provide 'users' file as multipart part."}|-F 'users=<$T/one.json' -F connection_id=$CON
no connection_id|400|{"statusCode":400,"error":"Bad Request","message":"Must provide 'connection_id' as multipart part."}|-F users=@$T/one.json
bad connection_id|400|{"statusCode":400,"error":"Bad Request","message":"$P 'String does not match pattern ^con_[A-Za-z0-9]{16}\$' on property connection_id.","errorCode":"invalid_body"}|-F users=@$T/one.json -F connection_id=con_short
bad upsert|400|{"statusCode":400,"error":"Bad Request","message":"$P 'Expected type boolean but found type string' on property upsert.","errorCode":"invalid_body"}|-F users=@$T/one.json -F connection_id=$CON -F upsert=yes
empty file|400|{"statusCode":400,"error":"Bad Request","message":"Users file must not be empty."}|-F users=@$T/empty.json -F connection_id=$CON
unknown connection|400|{"statusCode":400,"error":"Bad Request","message":"The connection does not exist."}|-F users=@$T/one.json -F connection_id=con_AAAAAAAAAAAAAAAA
not multipart|400|{"statusCode":400,"error":"Bad Request","message":"$P 'Invalid multipart payload format'.","errorCode":"invalid_body"}|-H Content-Type:application/json -d []
broken multipart|400|{"statusCode":400,"error":"Bad Request","message":"$P 'Invalid multipart payload format'.","errorCode":"invalid_body"}|-H 'Content-Type: multipart/form-data; boundary=xyz' --data-binary --xyz
over 512000 bytes|413|{"statusCode":413,"error":"Request Entity Too Large","message":"Payload content length greater than maximum allowed: 512000."}|-F users=@$T/big.json -F connection_id=$CON
3 MB, Expect: 100-continue|413|{"statusCode":413,"error":"Request Entity Too Large","message":"Payload content length greater than maximum allowed: 512000."}|-F users=@$T/huge.json -F connection_id=$CON
3 MB, no Expect|413|{"statusCode":413,"error":"Request Entity Too Large","message":"Payload content length greater than maximum allowed: 512000."}|-H Expect: -F users=@$T/huge.json -F connection_id=$CON
3 MB, chunked|413|{"statusCode":413,"error":"Request Entity Too Large","message":"Payload content length greater than maximum allowed: 512000."}|-H Transfer-Encoding:chunked -F users=@$T/huge.json -F connection_id=$CON
EOF
answer "import: 3 MB without a token is a 401" 401 \
    '{"statusCode":401,"error":"Unauthorized","message":"Missing authentication"}' \
    POST "$J" -F "users=@$T/huge.json" -F connection_id=$CON
ok "import: nothing of the refused requests became a job" \
    sh -c "curl -sS '$EMU_URL/__emulator/stats' | jq -e '.jobs == 0' >/dev/null"

# ---- a job's life ----
printf '[{"email":"Ann@Example.com","email_verified":true,"given_name":"Ann","username":"ann","user_id":"u1","custom_password_hash":{"algorithm":"md5","hash":{"value":"5f4dcc3b5aa765d61d8327deb882cf99","encoding":"hex"}}},{"email":"bob@example.com","user_id":"u2","username":"bob"},{"email":"ann@example.com"},{"email":"carl@example.com","username":"bob"},{"email":"dora@example.com","user_id":"u2"}]\n' \
    > "$T/first.json"
post_users "$T/first.json" -F upsert=false -F send_completion_email=false \
    -F external_id=batch-1
jqok "202: the recording's shape" \
    'keys == ["connection","connection_id","created_at","external_id","id","status","type"] and
    .type == "users_import" and .status == "pending" and
    .connection_id == "con_A0EmulatorDb0001" and
    .connection == "Username-Password-Authentication" and
    (.id | test("^job_[A-Za-z0-9]{16}$")) and
    (.created_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")) and
    .external_id == "batch-1"' "$T/job"
ok "job: completes" wait_job
ok "job: pending, processing, completed, in that order" \
    sh -c "uniq '$T/seen' | tr '\n' ' ' | grep -Eq '^(pending )?(processing )?completed \$'"
jqok "job: completed status shaped like the recording" \
    'keys == ["connection","connection_id","created_at","external_id","id","status","summary","type"] and
    .summary == {"failed":3,"updated":0,"inserted":2,"total":5}' "$T/status"
job_errors
jq -c '.[]' "$T/body" > "$T/errs"
cat > "$T/exp" <<'EOF'
{"user":{"email":"ann@example.com"},"errors":[{"code":"DUPLICATED_USER","message":"A user with this email was already provided."}]}
{"user":{"email":"carl@example.com","username":"bob"},"errors":[{"code":"DUPLICATED_USER","message":"A user with this username was already provided."}]}
{"user":{"email":"dora@example.com","user_id":"u2"},"errors":[{"code":"DUPLICATED_USER","message":"A user with this user_id was already provided."}]}
EOF
check "errors: duplicates in the file, by email, username, user_id" 0 '' \
    "$T/exp" '' cat "$T/errs"
curl -sS "$EMU_URL/__emulator/jobs" > "$T/jobs"
jqok "__emulator/jobs: the job, its flags, its failed users" \
    'length == 1 and .[0].upsert == false and
    .[0].send_completion_email == false and .[0].external_id == "batch-1" and
    .[0].errors == 3 and .[0].status == "completed"' "$T/jobs"
answer "job: unknown id" 404 \
    '{"statusCode":404,"error":"Not Found","message":"Job not found."}' \
    GET /api/v2/jobs/job_AAAAAAAAAAAAAAAA -H "$AUTH"
answer "job: unknown id, errors" 404 \
    '{"statusCode":404,"error":"Not Found","message":"Job not found."}' \
    GET /api/v2/jobs/job_AAAAAAAAAAAAAAAA/errors -H "$AUTH"
answer "job: malformed id" 400 \
    '{"statusCode":400,"error":"Bad Request","message":"Path validation error: '"'"'String does not match pattern ^job_[A-Za-z0-9]{16}$'"'"' on property id.","errorCode":"invalid_uri"}' \
    GET /api/v2/jobs/nope -H "$AUTH"

curl -sS "$EMU_URL/__emulator/users" > "$T/users"
jqok "users: stored as Auth0 stores them" \
    'length == 2 and .[0].user_id == "auth0|u1" and .[0].email == "ann@example.com" and
    .[0].identities == [{"provider":"auth0","connection":"Username-Password-Authentication","isSocial":false,"user_id":"u1"}] and
    .[0].name == "ann@example.com" and .[0].nickname == "ann" and
    .[1].user_id == "auth0|u2" and .[1].email_verified == false' "$T/users"

# Re-import without upsert: every user exists.
post_users "$T/first.json"
wait_job
jqok "re-import: all failed" \
    '.summary == {"failed":5,"updated":0,"inserted":0,"total":5}' "$T/status"
job_errors
jqok "re-import: existing users are the recording's DUPLICATED_USER" \
    '.[0].errors == [{"code":"DUPLICATED_USER","message":"The user already exist and upsert parameter is false"}] and
    .[1].errors == .[0].errors and length == 5' "$T/body"
jqok "re-import: hash.value masked in the report" \
    '.[0].user.custom_password_hash.hash.value == "*****" and
    .[0].user.custom_password_hash.hash.encoding == "hex"' "$T/body"

# Upsert: only upsertable fields change.
printf '[{"email":"ANN@example.com","given_name":"Anna","username":"anna","blocked":true,"user_metadata":{"a":1},"custom_password_hash":{"algorithm":"sha1","hash":{"value":"5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8","encoding":"hex"}}},{"email":"eve@example.com"}]\n' \
    > "$T/upsert.json"
post_users "$T/upsert.json" -F upsert=true
wait_job
jqok "upsert: one updated, one inserted" \
    '.summary == {"failed":0,"updated":1,"inserted":1,"total":2}' "$T/status"
JID=$(jq -r .id "$T/job")
answer "upsert: no errors is 204, empty" 204 "" GET \
    "/api/v2/jobs/$JID/errors" -H "$AUTH"
curl -sS "$EMU_URL/__emulator/users" > "$T/users"
jqok "upsert: upsertable fields changed, others kept" \
    '.[0].given_name == "Anna" and .[0].user_metadata == {"a":1} and
    .[0].custom_password_hash.algorithm == "sha1" and
    .[0].username == "ann" and (.[0] | has("blocked") | not) and
    .[0].email == "ann@example.com" and length == 3' "$T/users"
printf '[{"email":"zed@example.com","username":"ann"},{"email":"yan@example.com","user_id":"u2"}]\n' \
    > "$T/conflict.json"
post_users "$T/conflict.json" -F upsert=true
wait_job
job_errors
jqok "upsert: a username or user_id of another email conflicts" \
    '[.[].errors[0].code] == ["CONFLICT_USERNAME","CONFLICT"]' "$T/body"

# A phone number makes a user as much as an email does.
printf '[{"email":"pia@example.com","phone_number":"+15550100"}]\n' \
    > "$T/phone1.json"
printf '[{"email":"pia2@example.com","phone_number":"+15550100"},{"email":"pia3@example.com","phone_number":"+15550101"}]\n' \
    > "$T/phone2.json"
post_users "$T/phone1.json"
wait_job
post_users "$T/phone2.json"
wait_job
jqok "existing users: matched on phone_number too" \
    '.summary == {"failed":1,"updated":0,"inserted":1,"total":2}' "$T/status"
job_errors
jqok "existing users: a phone_number match is DUPLICATED_USER" \
    'length == 1 and .[0].user.email == "pia2@example.com" and
    .[0].errors[0].code == "DUPLICATED_USER"' "$T/body"

# ---- schema errors ----
cat > "$T/bad.json" <<'EOF'
[{"email_verified":true},
 {"email":"a1@example.com","nick":"x"},
 {"email":"a2@example.com","email_verified":"yes"},
 {"email":"a3@example.com","custom_password_hash":{"algorithm":"rot13","hash":{"value":"x"}}},
 {"email":"a4@example.com","custom_password_hash":{"algorithm":"md5"}},
 {"email":"a5@example.com","mfa_factors":[{"totp":{"secret":"abc"}}]},
 {"email":"a6@example.com","mfa_factors":[]},
 {"email":"a7@example.com","mfa_factors":[{"phone":{"value":"+1"},"email":{"value":"x@example.com"}}]},
 {"email":"not-an-email"},
 {"email":"a8@example.com","custom_password_hash":{"algorithm":"md5","hash":{"value":"x","encoding":"hexa"},"keylen":"8"}},
 42,
 {"email":"a9@example.com","app_metadata":[]}]
EOF
post_users "$T/bad.json"
wait_job
jqok "schema: every record failed" \
    '.summary == {"failed":12,"updated":0,"inserted":0,"total":12}' "$T/status"
job_errors
jq -r '.[] | [.errors[] | .code + " " + .path] | join(", ")' "$T/body" \
    > "$T/codes"
cat > "$T/exp" <<'EOF'
OBJECT_REQUIRED email
OBJECT_ADDITIONAL_PROPERTIES nick
INVALID_TYPE email_verified
ENUM_MISMATCH custom_password_hash.algorithm
OBJECT_REQUIRED custom_password_hash.hash
PATTERN mfa_factors[0].totp.secret
ARRAY_LENGTH_SHORT mfa_factors
OBJECT_PROPERTIES_MAXIMUM mfa_factors[0]
INVALID_FORMAT identities[0].profileData.email
ENUM_MISMATCH custom_password_hash.hash.encoding, INVALID_TYPE custom_password_hash.keylen
INVALID_TYPE 
INVALID_TYPE app_metadata
EOF
check "schema: Auth0's codes and paths" 0 '' "$T/exp" '' cat "$T/codes"
jq -r '.[].errors[].message' "$T/body" > "$T/msgs"
cat > "$T/exp" <<'EOF'
Error in email property - Missing required property: email
Error in nick property - Additional properties not allowed: nick
Error in email_verified property - Expected type boolean but found type string
Error in custom_password_hash.algorithm property - No enum match for: "rot13"
Error in custom_password_hash.hash property - Missing required property: hash
Error in mfa_factors[0].totp.secret property - String does not match pattern ^[A-Z2-7]+$: abc
Error in mfa_factors property - Array is too short (0), minimum 1
Error in mfa_factors[0] property - Too many properties defined (2), maximum 1
Error in identities[0].profileData.email property - Object didn't pass validation for format email: not-an-email
Error in custom_password_hash.hash.encoding property - No enum match for: "hexa"
Error in custom_password_hash.keylen property - Expected type integer but found type string
Expected type object but found type integer
Error in app_metadata property - Expected type object but found type array
EOF
check "schema: z-schema's messages" 0 '' "$T/exp" '' cat "$T/msgs"

# ---- files that are not an array, or empty arrays ----
for doc in '{"email":"x@example.com"}' '[{"email":' 'null'; do
	printf '%s' "$doc" > "$T/notarray.json"
	post_users "$T/notarray.json"
	wait_job
	jqok "not an array fails the job: $doc" \
	    '.status == "failed" and (.status_details | test("parse users file JSON"))' \
	    "$T/status"
done
job_errors
jqok "failed job: errors is the job object" \
    'keys == ["connection_id","created_at","id","status","status_details","type"] and
    .status == "failed"' "$T/body"
printf '[]' > "$T/none.json"
post_users "$T/none.json"
wait_job
jqok "an empty array completes with zero users" \
    '.status == "completed" and .summary == {"failed":0,"updated":0,"inserted":0,"total":0}' \
    "$T/status"

# ---- the 2-active-jobs limit, expired tokens ----
use "$B_URL" "$B_PID"
answer "token-ttl: expired token is Auth0's 401" 401 \
    '{"statusCode":401,"error":"Unauthorized","message":"Expired token received for JSON Web Token validation","attributes":{"error":"Expired token received for JSON Web Token validation"}}' \
    GET "/api/v2/connections?name=none" -H "Authorization: Bearer $OTHER"
TOK=$(token)
AUTH="Authorization: Bearer $TOK"
post_users "$T/one.json"
cp "$T/job" "$T/job1"
printf '[{"email":"two@example.com"}]' > "$T/two.json"
post_users "$T/two.json"
jqok "2 jobs: the second is accepted" '.status == "pending"' "$T/job"
answer "2 jobs: a third is Auth0's 429" 429 \
    '{"statusCode":429,"error":"Too Many Requests","message":"There are 2 active import users jobs, please wait until some of them are finished and try again"}' \
    POST "$J" -H "$AUTH" -F "users=@$T/one.json" -F connection_id=$CON
cp "$T/job1" "$T/job"
rm -f "$T/processing"
wait_job
post_users "$T/two.json"
jqok "2 jobs: accepted again once one is done" '.status == "pending"' "$T/job"
ok "2 jobs: progress seen on the way" grep -qx processing "$T/seen"
jqok "job: processing shows percentage_done and time_left_seconds" \
    '.status == "processing" and (.percentage_done | . >= 0 and . < 100) and
    (.time_left_seconds | . >= 0 and . <= 2) and (has("summary") | not)' \
    "$T/processing"

# ---- stats, users, reset, keep-alive ----
use "$MAIN_URL" "$MAIN_PID"
TOK=$(jq -r .access_token "$T/tok")
AUTH="Authorization: Bearer $TOK"
curl -sS "$EMU_URL/__emulator/stats" > "$T/stats0"
curl -sS -o /dev/null -H "$AUTH" "$EMU_URL$C" -o /dev/null "$EMU_URL$C?x=1"
curl -sS "$EMU_URL/__emulator/stats" > "$T/stats1"
ok "keep-alive: two requests, one connection" \
    test $(($(jq .connections "$T/stats1") - $(jq .connections "$T/stats0"))) -eq 2
jqok "stats: requests keyed by method and path without query" \
    '.requests["GET /api/v2/connections"] >= 10 and
    .requests["POST /api/v2/jobs/users-imports"] >= 20 and
    .tokens_issued == 4 and .jobs == 11 and
    (keys | contains(["connections","jobs","requests","tokens_issued"]))' \
    "$T/stats1"
jqok "stats: job paths literal" \
    "[.requests | keys[] | select(test(\"^GET /api/v2/jobs/job_\"))] | length > 5" \
    "$T/stats1"
answer "reset" 200 '{"reset":true}' POST /__emulator/reset
answer "reset: no users" 200 '[]' GET /__emulator/users
curl -sS "$EMU_URL/__emulator/stats" > "$T/stats2"
jqok "reset: no counts" '.jobs == 0 and .requests == {} and .tokens_issued == 0' \
    "$T/stats2"

# ---- rate limit ----
# Six requests on one connection, within milliseconds: a bucket of 2.
emu_start --rate-limit 2 || bail
U=$EMU_URL/api/v2/connections
curl -sS -D "$T/rl.h" -w '%{http_code}\n' -o "$T/rl.1" "$U" -o "$T/rl.2" "$U" \
    -o "$T/rl.3" "$U" -o "$T/rl.4" "$U" -o "$T/rl.5" "$U" -o "$T/rl.6" "$U" \
    > "$T/rl.codes"
printf '%s\n' 401 401 429 429 429 429 > "$T/exp"
check "rate limit: a bucket of 2, then 429s" 0 '' "$T/exp" '' cat "$T/rl.codes"
printf '%s' '{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}' \
    > "$T/exp"
check "rate limit: Auth0's body" 0 '' "$T/exp" '' cat "$T/rl.6"
ok "rate limit: Retry-After on each 429" \
    test "$(grep -ci '^retry-after: 1' "$T/rl.h")" -eq 4
ok "rate limit: x-ratelimit-limit on every answer" \
    test "$(grep -ci '^x-ratelimit-limit: 2' "$T/rl.h")" -eq 6
ok "rate limit: remaining counts down to 0" \
    test "$(sed -n 's/^x-ratelimit-remaining: *\([0-9]*\).*/\1/Ip' "$T/rl.h" |
    tr -d '\r' | tr '\n' ' ')" = "1 0 0 0 0 0 "
sleep 1.1
answer "rate limit: refilled" 401 \
    '{"statusCode":401,"error":"Unauthorized","message":"Missing authentication"}' \
    GET /api/v2/connections
emu_stop

# ---- faults ----
# The same seed twice: 12 Management API requests, then 4 token requests;
# each answer's curl status, HTTP status and time kept as $T/fRUN.*.
for run in 1 2; do
	emu_start --faults 5xx:0.25,429:0.25,drop:0.2,slow:0.3:0.3 --seed 9 ||
	    bail
	i=0
	: > "$T/f$run.seq"
	while [ $i -lt 16 ]; do
		i=$((i + 1))
		if [ $i -le 12 ]; then
			set -- "$EMU_URL/api/v2/connections"
		else
			set -- "$EMU_URL/oauth/token" -d grant_type=client_credentials \
			    -d client_id=a0-emulator-client \
			    -d client_secret=a0-emulator-secret \
			    --data-urlencode "audience=$EMU_URL/api/v2/"
		fi
		curl -sS -D "$T/f$run.h$i" -o "$T/f$run.b$i" \
		    -w '%{http_code} %{time_total}\n' "$@" > "$T/f$run.w$i" \
		    2> "$T/f$run.e$i"
		echo "$i $? $(cut -d' ' -f1 "$T/f$run.w$i")" >> "$T/f$run.seq"
	done
	for i in 1 2 3; do
		curl -sS -o /dev/null -w '%{http_code}\n' "$EMU_URL/__emulator/users"
	done > "$T/f$run.emu"
	curl -sS "$EMU_URL/__emulator/stats" > "$T/f$run.stats"
	emu_stop
done
ok "faults: the same seed gives the same answers" \
    cmp -s "$T/f1.seq" "$T/f2.seq"
ok "faults: none on /__emulator" \
    test "$(sort -u "$T/f1.emu")" = 200

# fault_check KIND PATTERN FIRST LAST TEST: requests FIRST..LAST answered
# with a status matching PATTERN exist, and TEST (a command, given $i) holds
# for each of them.
fault_check() {
	fc_n=0
	fc_i=$3
	while [ "$fc_i" -le "$4" ]; do
		if sed -n "${fc_i}p" "$T/f1.seq" | grep -Eq "$2"; then
			i=$fc_i
			eval "$5" || return 1
			fc_n=$((fc_n + 1))
		fi
		fc_i=$((fc_i + 1))
	done
	test $fc_n -gt 0
}
ok "fault 5xx: 500/502/503 with Auth0's body" fault_check 5xx \
    ' 0 50[023]$' 1 12 \
    'jq -e --argjson c "$(cut -d" " -f1 "$T/f1.w$i")" ".statusCode == \$c" "$T/f1.b$i" >/dev/null'
ok "fault 5xx: on /oauth/token too" fault_check 5xx ' 0 50[023]$' 13 16 true
ok "fault 429: Auth0's body, Retry-After, x-ratelimit-*" fault_check 429 \
    ' 0 429$' 1 12 \
    'grep -q "\"message\":\"Global limit has been reached\"" "$T/f1.b$i" &&
    grep -qi "^retry-after: 1" "$T/f1.h$i" &&
    grep -qi "^x-ratelimit-remaining: 0" "$T/f1.h$i" &&
    grep -qi "^x-ratelimit-reset: [0-9]" "$T/f1.h$i"'
ok "fault 429: OAuth body on /oauth/token" fault_check 429 ' 0 429$' 13 16 \
    'grep -q "^{\"error\":\"too_many_requests\"," "$T/f1.b$i"'
ok "fault drop: connection closed without an answer" fault_check drop \
    ' 52 000$' 1 16 'grep -q "Empty reply from server" "$T/f1.e$i"'
ok "fault drop: counted as drawn" test "$(grep -c ' 52 000$' "$T/f1.seq")" \
    -eq "$(jq '.faults.drop' "$T/f1.stats")"
ok "fault 5xx, 429: counted as drawn" \
    test "$(grep -Ec ' 0 (50[023]|429)$' "$T/f1.seq")" \
    -eq "$(jq '.faults["5xx"] + .faults["429"]' "$T/f1.stats")"
cat "$T"/f1.w* | awk '$2 >= 0.3' | wc -l > "$T/slowed"
ok "fault slow: delayed answers" \
    test "$(cat "$T/slowed")" -ge "$(jq '.faults.slow' "$T/f1.stats")" -a \
    "$(jq '.faults.slow' "$T/f1.stats")" -gt 0
ok "faults: some requests answered normally" \
    grep -Eq ' 0 (401|200)$' "$T/f1.seq"

# ---- the recordings replayed ----
R=$A0_REFERENCE/auth0-recordings
if command -v yq >/dev/null && [ -d "$R" ]; then
	emu_start --job-seconds 0 || bail
	(cd "$R" && yq -c . *.yaml */*.yaml) > "$T/recs.raw"
	(cd "$R" && printf '%s\n' *.yaml */*.yaml) > "$T/recs.names"
	jq -c -n --rawfile nm "$T/recs.names" '[inputs] as $c |
	    ($nm | split("\n")) as $n | range(0; $c | length) |
	    $c[.] + {name: $n[.]}' "$T/recs.raw" > "$T/recs"
	"$E/replay-recordings" -r < "$T/recs" > "$T/recs.exp"
	# This recording looked its user up before the job had run: it goes
	# to the tenant whose jobs take 1.5 s.
	grep -v NilOptions "$T/recs" | "$E/replay-recordings" "$EMU_URL" \
	    > "$T/recs.got"
	grep NilOptions "$T/recs" | "$E/replay-recordings" "$B_URL" \
	    >> "$T/recs.got"
	emu_stop
	while read -r n; do
		grep "^$n " "$T/recs.exp" > "$T/rec.exp"
		check "replay $n: recorded statuses and JSON keys" 0 '' \
		    "$T/rec.exp" '' grep "^$n " "$T/recs.got"
	done < "$T/recs.names"
else
	skip "yq or the recordings missing: replay"
fi

# ---- usage ----
check "bad --faults is a usage error" 2 '' '' 'fault' \
    python3 "$E/a0-emulator" --faults boom:1
if [ -f "$A0_REFERENCE/user-import-schema.json" ]; then
	check "the built-in schema is reference/user-import-schema.json" 0 '' '' '' \
	    python3 -c '
import importlib.machinery, json, sys
m = importlib.machinery.SourceFileLoader("emu", sys.argv[1]).load_module()
def strip(s):
    if isinstance(s, dict):
        return {k: strip(v) for k, v in s.items() if k != "description"}
    if isinstance(s, list):
        return [strip(v) for v in s]
    return s
ref = strip(json.load(open(sys.argv[2])))
sys.exit(0 if ref == m.SCHEMA else 1)' "$E/a0-emulator" "$A0_REFERENCE/user-import-schema.json"
else
	skip "no $A0_REFERENCE/user-import-schema.json: built-in schema"
fi

# ---- the official Node SDK ----
if command -v node >/dev/null && command -v npm >/dev/null; then
	use "$MAIN_URL" "$MAIN_PID"
	sh "$E/sdk-check.sh" "$EMU_URL" > "$T/sdk.out" 2> "$T/sdk.err"
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^SKIP' "$T/sdk.out"; then
		skip "$(sed -n 's/^SKIP *//p' "$T/sdk.out")"
	else
		ok "node SDK (auth0 v7): look-up, import, re-import, upsert" \
		    test $rc -eq 0
		sed 's/^/# /' "$T/sdk.out" "$T/sdk.err" | tail -40
	fi
else
	skip "node or npm not installed: SDK check"
fi

# ---- SIGTERM ----
use "$MAIN_URL" "$MAIN_PID"
kill -TERM "$EMU_PID"
check "SIGTERM: exits 0" 0 '' '' '' wait "$EMU_PID"
kill -TERM "$B_PID"
check "SIGTERM: exits 0, with a job running" 0 '' '' '' wait "$B_PID"

done_testing
