# lib.sh: what every test script shares.  Source it first:
#	. "${0%/*}/lib.sh"
# It gives a private temporary directory $T (removed on exit), LC_ALL=C,
# the built tools first on PATH (wrapped in $VALGRIND when set), TAP
# output, one assertion (check), and the local Auth0 emulator (emu_start).

set -u
LC_ALL=C
export LC_ALL
unset NO_COLOR AUTH0_DOMAIN AUTH0_CLIENT_ID AUTH0_CLIENT_SECRET AUTH0_API_TOKEN
unset A0_CREDENTIALS

TOP=$(cd "${0%/*}/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/a0-test.XXXXXX") || exit 1
# a0-import's journals and failed users: inside $T, not in $HOME.
XDG_STATE_HOME=$T/xdg-state
export XDG_STATE_HOME
unset AUTH0_AUDIENCE A0_PROGNAME
# No credentials file of the user's is read: the tests make their own.
XDG_CONFIG_HOME=$T/.config
export XDG_CONFIG_HOME
t_n=0
t_failed=0
t_pids=

t_cleanup() {
	for p in $t_pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap 't_cleanup' EXIT
trap 'exit 1' HUP INT TERM

# Tools under test come from bin/, each wrapped in $VALGRIND when set.
if [ -n "${VALGRIND:-}" ]; then
	mkdir "$T/.bin"
	for p in "$TOP"/bin/a0-*; do
		case $p in *.tmp) continue ;; esac
		if head -c 2 "$p" | grep -q '#!'; then
			ln -s "$p" "$T/.bin/${p##*/}"
		else
			printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$VALGRIND" "$p" \
			    > "$T/.bin/${p##*/}"
			chmod +x "$T/.bin/${p##*/}"
		fi
	done
	PATH="$T/.bin:$TOP/bin:$PATH"
else
	PATH="$TOP/bin:$PATH"
fi
export PATH

A0_JSONTESTSUITE=${A0_JSONTESTSUITE:-$TOP/../shared/reference/JSONTestSuite}
A0_REFERENCE=${A0_REFERENCE:-$TOP/../shared/reference}
EMULATOR=$TOP/tests/emulator/a0-emulator
# Debian's interpreter starts faster than a version manager's shim.
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi

plan() { echo "1..$1"; }

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# ok DESC COMMAND...: a test that passes when COMMAND exits 0.
ok() {
	t_desc=$1
	shift
	t_n=$((t_n + 1))
	if "$@"; then
		echo "ok $t_n - $t_desc"
	else
		echo "not ok $t_n - $t_desc"
		echo "#   command failed: $*"
		t_failed=$((t_failed + 1))
	fi
}

skip() { t_n=$((t_n + 1)); echo "ok $t_n # SKIP $*"; }

# check DESC STATUS STDIN EXPECT ERRPAT COMMAND...
#	Run COMMAND with STDIN (a file; '' for /dev/null).  Its stdout must
#	equal the file EXPECT ('' for no output, '-' for anything), its
#	stderr must match the extended regular expression ERRPAT ('' for no
#	output, '-' for anything), and it must exit with STATUS.  stdout and
#	stderr are left in $T/out and $T/err for further checks.
check() {
	c_desc=$1 c_status=$2 c_in=$3 c_exp=$4 c_err=$5
	shift 5
	[ -n "$c_in" ] || c_in=/dev/null
	"$@" < "$c_in" > "$T/out" 2> "$T/err"
	c_got=$?
	c_why=
	[ "$c_got" -eq "$c_status" ] ||
	    c_why="exit status $c_got, want $c_status"
	case $c_exp in
	-) ;;
	'') [ -s "$T/out" ] && c_why="$c_why${c_why:+; }unexpected stdout" ;;
	*) cmp -s "$c_exp" "$T/out" || c_why="$c_why${c_why:+; }stdout differs" ;;
	esac
	case $c_err in
	-) ;;
	'') [ -s "$T/err" ] && c_why="$c_why${c_why:+; }unexpected stderr" ;;
	*) grep -Eq -- "$c_err" "$T/err" ||
	    c_why="$c_why${c_why:+; }stderr does not match /$c_err/" ;;
	esac
	t_n=$((t_n + 1))
	if [ -z "$c_why" ]; then
		echo "ok $t_n - $c_desc"
		return 0
	fi
	echo "not ok $t_n - $c_desc"
	t_failed=$((t_failed + 1))
	echo "#   $c_why"
	echo "#   command: $*"
	if [ "$c_exp" != - ] && [ -n "$c_exp" ]; then
		diff -u "$c_exp" "$T/out" | head -40 | sed 's/^/#   /'
	else
		head -c 2000 "$T/out" | sed 's/^/#   stdout: /'
	fi
	head -c 2000 "$T/err" | sed 's/^/#   stderr: /'
	return 1
}

# emu_start [ARGS...]: start the emulator on a free loopback port; sets
# EMU_URL and the credential variables the tools read.  It is stopped
# when the test exits.
emu_start() {
	: > "$T/emu.url"
	"$PYTHON" "$EMULATOR" "$@" > "$T/emu.url" 2> "$T/emu.log" &
	EMU_PID=$!
	t_pids="$t_pids $EMU_PID"
	e_try=0
	EMU_URL=
	while [ $e_try -lt 200 ]; do
		EMU_URL=$(sed -n 1p "$T/emu.url")
		case $EMU_URL in http://127.0.0.1:*) break ;; esac
		kill -0 "$EMU_PID" 2>/dev/null || break
		sleep 0.05
		e_try=$((e_try + 1))
	done
	case $EMU_URL in
	http://127.0.0.1:*) ;;
	*) echo "# emulator did not start: $(cat "$T/emu.log")"; return 1 ;;
	esac
	AUTH0_DOMAIN=$EMU_URL
	AUTH0_CLIENT_ID=a0-emulator-client
	AUTH0_CLIENT_SECRET=a0-emulator-secret
	export AUTH0_DOMAIN AUTH0_CLIENT_ID AUTH0_CLIENT_SECRET EMU_URL EMU_PID
}

# emu_stop: stop the emulator started by emu_start.
emu_stop() {
	kill "$EMU_PID" 2>/dev/null
	wait "$EMU_PID" 2>/dev/null
}

# emu_get PATH: the emulator's answer to GET PATH on stdout.
emu_get() { curl -sS "$EMU_URL$1"; }

# emu_emails: the sorted emails of the users the emulator holds.
emu_emails() {
	emu_get /__emulator/users | "$PYTHON" -c '
import json, sys
for e in sorted(u["email"] for u in json.load(sys.stdin)): print(e)'
}

# emu_figure KEY: a request count ("METHOD /path"), an answer count
# ("statuses.429") or a top-level figure (summed when it is a set).
emu_figure() {
	emu_get /__emulator/stats | "$PYTHON" -c '
import json, sys
s = json.load(sys.stdin); k = sys.argv[1]
if " " in k: v = s["requests"].get(k, 0)
elif "." in k: v = s[k.split(".")[0]].get(k.split(".")[1], 0)
else: v = s.get(k, 0)
print(sum(v.values()) if isinstance(v, dict) else v)' "$1"
}

# emu_token: an access token from the emulator, on stdout.
emu_token() {
	curl -sS "$EMU_URL/oauth/token" -d grant_type=client_credentials \
	    -d "client_id=$AUTH0_CLIENT_ID" \
	    -d "client_secret=$AUTH0_CLIENT_SECRET" \
	    --data-urlencode "audience=$EMU_URL/api/v2/" | "$PYTHON" -c '
import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# mkchunk FILE PREFIX FIRST LAST: a chunk of the users
# PREFIX-FIRST@example.com to PREFIX-LAST@example.com.
mkchunk() {
	"$PYTHON" - "$@" <<'EOF'
import json, sys
f, p, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
u = [{"email": "%s-%d@example.com" % (p, i), "email_verified": False}
     for i in range(a, b + 1)]
with open(f, "w") as o:
    json.dump(u, o, separators=(",", ":"))
    o.write("\n")
EOF
}

# mkchunks PREFIX N USERS: chunks $T/PREFIX-1.json to $T/PREFIX-N.json of
# USERS users each, from PREFIX-0@example.com on.
mkchunks() {
	m_c=1
	while [ "$m_c" -le "$2" ]; do
		mkchunk "$T/$1-$m_c.json" "$1" $(((m_c - 1) * $3)) \
		    $((m_c * $3 - 1))
		m_c=$((m_c + 1))
	done
}

# want_emails PREFIX FIRST LAST...: the sorted emails of those ranges.
want_emails() {
	while [ $# -ge 3 ]; do
		w_i=$2
		while [ "$w_i" -le "$3" ]; do
			echo "$1-$w_i@example.com"
			w_i=$((w_i + 1))
		done
		shift 3
	done | sort
}

# results KEYS...: those fields of each a0-submit result line in $T/out,
# tab-separated, the lines sorted.
results() {
	"$PYTHON" -c '
import json, sys
rows = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    rows.append("\t".join(str(r.get(k)) for k in sys.argv[2:]))
for r in sorted(rows): print(r)' "$T/out" "$@"
}

# Call last: prints the plan and gives the exit status.
done_testing() {
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
}
