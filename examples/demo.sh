#!/bin/sh
# demo.sh: the whole a0 pipeline against a local Auth0 emulator, as
# `make demo` runs it.  It starts the emulator on a free loopback port,
# imports a few thousand synthetic users by hand through a0-validate,
# a0-chunk and a0-submit, then an example file with every feature (custom
# password hashes, MFA factors, metadata, one invalid record, one duplicate
# and one user the tenant already has) through a0-import, and shows the
# job results, the rejects and a summary.  The emulator is stopped on the
# way out, whatever happens.

top=$(cd "${0%/*}/.." && pwd) || exit 3
PATH=$top/bin:$PATH
export PATH
count=${A0_DEMO_USERS:-3000}
conn=Username-Password-Authentication

for t in a0-template a0-validate a0-chunk a0-submit a0-import; do
	if [ ! -x "$top/bin/$t" ]; then
		echo "demo: $top/bin/$t is missing: run make first" >&2
		exit 2
	fi
done
command -v python3 > /dev/null || {
	echo "demo: python3 is needed for the emulator" >&2
	exit 2
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/a0-demo.XXXXXX") || exit 3
emu=
cleanup() {
	if [ -n "$emu" ]; then
		kill "$emu" 2> /dev/null
		wait "$emu" 2> /dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# A reader that went away (make demo | head) ends the demo, cleanly too.
trap 'exit 141' PIPE

bold='' off=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	bold=$(printf '\033[1m') off=$(printf '\033[0m')
fi

# step TITLE: a heading.
step() {
	printf '\n%s== %s%s\n' "$bold" "$*" "$off"
}

# run STATUS COMMAND: show a shell command, run it, show its status when
# not 0, and count it as a failure of the demo when it is not STATUS.
unexpected=0
run() {
	want=$1
	shift
	printf '$ %s\n' "$*"
	eval "$*" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || printf '(exit status %d)\n' "$rc"
	if [ "$rc" -ne "$want" ]; then
		printf 'demo: that should have been exit status %d\n' "$want"
		unexpected=$((unexpected + 1))
	fi
}

# The file exists before the loop below reads it: the background job
# may not have opened it yet.
: > "$tmp/emu.url"
python3 "$top/tests/emulator/a0-emulator" --job-seconds 1 \
    > "$tmp/emu.url" 2> "$tmp/emu.log" &
emu=$!
url=
i=0
while [ $i -lt 100 ]; do
	url=$(sed -n 1p "$tmp/emu.url")
	case $url in http://127.0.0.1:*) break ;; esac
	kill -0 "$emu" 2> /dev/null || break
	sleep 0.1
	i=$((i + 1))
done
case $url in
http://127.0.0.1:*) ;;
*)
	echo "demo: the emulator did not start:" >&2
	cat "$tmp/emu.log" >&2
	exit 3
	;;
esac
AUTH0_DOMAIN=$url
AUTH0_CLIENT_ID=a0-emulator-client
AUTH0_CLIENT_SECRET=a0-emulator-secret
export AUTH0_DOMAIN AUTH0_CLIENT_ID AUTH0_CLIENT_SECRET
unset AUTH0_API_TOKEN
# a0-import keeps its journal and failed users there: in the demo's
# directory, gone with it.
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME
cp "$top/examples/users.json" "$top/examples/export.ndjson" "$tmp/" || exit 3
cd "$tmp" || exit 3
start=$(date +%s)

step "A local Auth0 tenant (the emulator) listens on $url"
echo "Credentials come from the environment, never from the command line:"
echo "AUTH0_DOMAIN=$url AUTH0_CLIENT_ID=a0-emulator-client AUTH0_CLIENT_SECRET=..."

step "The templates of auth0-cli, and $count synthetic users built from one"
run 0 "a0-template -l"
run 0 "a0-template -n $count basic > users-$count.json"
run 0 "ls -l users-$count.json | awk '{ print \$5, \"bytes:\", \$NF }'"

step "The pipeline by hand: validate, cut into chunks, one import job per chunk"
run 0 "a0-validate users-$count.json | a0-chunk -d chunks |
    a0-submit -c $conn --email-results=false -r failed.jsonl"
run 0 "ls chunks"

step "An example file with every feature, checked: one invalid record, one duplicate"
run 1 "a0-validate -r rejects.json users.json > valid.json"
echo "The rejected records, ready to fix and import again:"
run 0 "cat rejects.json"

step "The same file as 'auth0 users import' would take it, through a0-import"
echo "(user000042@example.com was imported above: Auth0 fails it as a duplicate)"
run 1 "a0-import -c $conn --email-results=false < users.json"

step "An Auth0 export (NDJSON) is not importable as it is..."
run 0 "a0-validate -n export.ndjson 2>&1 | head -3"
step "...examples/migrate-export.sh makes it so (needs jq)"
if command -v jq > /dev/null; then
	run 0 "sh $top/examples/migrate-export.sh -c $conn export.ndjson"
else
	echo "(jq is not installed: skipped)"
fi

step "Summary"
curl -sS "$url/__emulator/users" > tenant-users.json &&
    curl -sS "$url/__emulator/stats" > tenant-stats.json &&
    python3 - tenant-users.json tenant-stats.json <<'EOF'
import json, re, sys
users = json.load(open(sys.argv[1]))
stats = json.load(open(sys.argv[2]))
req = stats.get("requests", {})
jobs = req.get("POST /api/v2/jobs/users-imports", 0)
print("The tenant now holds %d users, imported by %d import jobs." %
      (len(users), jobs))
hashed = sum(1 for u in users if u.get("custom_password_hash") or
             u.get("password_hash"))
mfa = sum(1 for u in users if u.get("mfa_factors"))
print("%d of them with a password hash, %d with MFA factors." % (hashed, mfa))
byroute = {}
for k, v in req.items():
    k = re.sub(r"job_[A-Za-z0-9]+", "{id}", k)
    byroute[k] = byroute.get(k, 0) + v
print("Requests: " + ", ".join("%s %d" % (k, v)
                               for k, v in sorted(byroute.items())))
EOF
echo "Run time: $(($(date +%s) - start)) s. The emulator is stopped on exit."
if [ "$unexpected" -ne 0 ]; then
	echo "demo: $unexpected steps did not end as they should" >&2
	exit 1
fi
