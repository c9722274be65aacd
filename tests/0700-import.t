#!/bin/sh
# a0-import: the flags, prompts, messages and exit statuses of
# `auth0 users import`, each example of its usage page, and what it does
# beyond it (any size, job results), against the emulator.
. "${0%/*}/lib.sh"

C=Username-Password-Authentication
V=$(sed -n 's/^#define A0_VERSION.*"\(.*\)"/\1/p' "$TOP/common/a0.h")

cat > "$T/usage" <<'EOF'
usage: a0-import [-c name] [-t template | -u users] [--upsert[=bool]]
	[--email-results[=bool]] [--no-input] [--tenant domain] [--debug]
	[--no-color]
EOF
echo "a0-import $V" > "$T/version"
: > "$T/none"

# Usage errors come before any credential is looked at.
check "-h prints the usage"          0 '' "$T/usage" '' a0-import -h
check "--help prints the usage"      0 '' "$T/usage" '' a0-import --help
check "-V prints the version"        0 '' "$T/version" '' a0-import -V
check "--version prints the version" 0 '' "$T/version" '' a0-import --version
check "-t with -u: cobra's message"  2 '' '' \
    'a0-import: if any flags in the group \[template users\] are set none of the others can be; \[template users\] were set' \
    a0-import -c "$C" -t basic -u '[]'
check "unknown flag"                 2 '' '' 'a0-import: unknown flag: --bogus$' \
    a0-import --bogus
check "unknown shorthand flag"       2 '' '' "unknown shorthand flag: 'x' in -x" \
    a0-import -x
check "-c without its argument"      2 '' '' "flag needs an argument: 'c' in -c" \
    a0-import -c
check "--users without its argument" 2 '' '' 'flag needs an argument: --users' \
    a0-import --users
check "--upsert=maybe"               2 '' '' \
    'invalid argument "maybe" for "--upsert" flag' a0-import -c "$C" --upsert=maybe
check "--email-results=2"            2 '' '' \
    'invalid argument "2" for "--email-results" flag' \
    a0-import -c "$C" --email-results=2
check "an argument"                  2 '' '' 'unknown command "users.json"' \
    a0-import -c "$C" users.json
check "empty connection name"        2 '' '' 'Name cannot be empty' \
    a0-import -c '' -u '[]'
check "no -c without a terminal"     2 '' '' \
    'required flag\(s\) "connection-name" not set' a0-import -u '[]'
check "--no-input without -c names the flag" 2 '' '' \
    'required flag\(s\) "connection-name" not set \(--no-input\)' \
    a0-import --no-input -u '[]'
check "no credentials"               2 '' '' 'a0-import: no tenant: set AUTH0_DOMAIN' \
    a0-import -c "$C" -u '[]'
check "no client secret"             2 '' '' 'a0-import: missing credentials' \
    env AUTH0_DOMAIN=example.auth0.com AUTH0_CLIENT_ID=x a0-import -c "$C" -u '[]'
check "plain HTTP to a remote host"  2 '' '' 'plain HTTP is refused' \
    env AUTH0_API_TOKEN=x a0-import -c "$C" --tenant http://example.com -u '[]'

emu_start --job-seconds 0.2 || skip_all "emulator did not start"

# users N PREFIX: N distinct users as a JSON array, one per line.
users() {
	i=0
	printf '['
	while [ $i -lt "$1" ]; do
		i=$((i + 1))
		[ $i -eq 1 ] || printf ','
		printf '\n{"email":"%s%d@example.com","email_verified":true}' "$2" $i
	done
	printf '\n]\n'
}
users 3 u > "$T/users.json"
reset() { curl -sS -X POST "$EMU_URL/__emulator/reset" > /dev/null; }
# count: the number of users the tenant holds.
count() { emu_get /__emulator/users | grep -o '"email":' | wc -l | tr -d ' '; }
imports() {
	i_n=$(emu_get /__emulator/stats |
	    sed -n 's/.*"POST \/api\/v2\/jobs\/users-imports": *\([0-9]*\).*/\1/p')
	echo "${i_n:-0}"
}
is() { [ "$1" = "$2" ] || { echo "#   got '$1', want '$2'"; return 1; }; }

JOB="Job with ID 'job_[A-Za-z0-9]+' successfully started\."
DONE="Job 'job_[A-Za-z0-9]+' completed: 3 inserted, 0 updated, 0 failed, 3 total\."
UPD="Job 'job_[A-Za-z0-9]+' completed: 0 inserted, 3 updated, 0 failed, 3 total\."
SUM="imported 3 of 3 users in 1 job: 3 inserted, 0 updated, 0 failed"

# The examples of auth0-cli's usage page (the interactive ones below).
reset
check "--connection-name --users '[]'" 0 '' '' 'Nothing to import' \
    a0-import --connection-name "$C" --users "[]"
ok "... sends no job" is "$(imports)" 0
check "--connection-name --users \"\$(cat users.json)\"" 0 '' '' "$JOB" \
    a0-import --connection-name "$C" --users "$(cat "$T/users.json")"
grep -Eq "$DONE" "$T/err" && grep -q "$SUM" "$T/err" &&
    grep -q '=== 127.0.0.1:[0-9]* started user import job' "$T/err"
ok "... shows the job's result and a summary" [ $? -eq 0 ]
ok "... says the results will be emailed" \
    grep -q 'Results of your user import job will be sent to your email' "$T/err"
ok "... the tenant has the 3 users" is "$(count)" 3
reset
check "cat users.json | --connection-name" 0 "$T/users.json" '' "$DONE" \
    a0-import --connection-name "$C"
reset
check "-c --template \"Basic Example\"" 0 '' '' \
    "Job '.*' completed: 1 inserted" a0-import -c "$C" --template "Basic Example"
emu_get /__emulator/users > "$T/u"
ok "... imports john.doe@contoso.com" grep -q john.doe@contoso.com "$T/u"
reset
check "the users, to update next" 0 '' '' "$DONE" \
    a0-import -c "$C" -u "$(cat "$T/users.json")"
check "--users --upsert --email-results" 0 '' '' "$UPD" \
    a0-import -c "$C" --users "$(cat "$T/users.json")" --upsert --email-results
check "--users --upsert --email-results --no-input" 0 '' '' "$UPD" \
    a0-import -c "$C" --users "$(cat "$T/users.json")" --upsert --email-results \
    --no-input
check "cat | --upsert --email-results --no-input" 0 "$T/users.json" '' "$UPD" \
    a0-import -c "$C" --upsert --email-results --no-input
check "-u --upsert --email-results" 0 '' '' "$UPD" \
    a0-import -c "$C" -u "$(cat "$T/users.json")" --upsert --email-results
check "cat | --upsert --email-results" 0 "$T/users.json" '' "$UPD" \
    a0-import -c "$C" --upsert --email-results
reset
check "-t \"Basic Example\" --upsert --email-results" 0 '' '' \
    "Job '.*' completed: 1 inserted" \
    a0-import -c "$C" -t "Basic Example" --upsert --email-results
check "-t \"Basic Example\" --upsert=false --email-results=false: a duplicate" \
    1 '' '' 'Failed: john.doe@contoso.com: DUPLICATED_USER' \
    a0-import -c "$C" -t "Basic Example" --upsert=false --email-results=false
ok "... no email with --email-results=false" \
    sh -c '! grep -q "sent to your email" "$1"' sh "$T/err"
ok "... the summary counts the failure" \
    grep -q 'imported 0 of 1 users in 1 job: 0 inserted, 0 updated, 1 failed' "$T/err"
ok "... no colour without a terminal" \
    sh -c '! grep -q "$(printf "\033")" "$1"' sh "$T/err"

# auth0-cli's integration tests, and the empty inputs.
reset
echo "[]" > "$T/empty.json"
check 'echo "[]" | --email-results=false --no-input' 0 "$T/empty.json" '' \
    'Nothing to import' \
    a0-import -c "$C" --email-results=false --no-input
check '--users "[]" --email-results=false --no-input' 0 '' '' 'Nothing to import' \
    a0-import -c "$C" --users "[]" --email-results=false --no-input
check "an empty stdin" 0 "$T/none" '' 'Nothing to import' a0-import -c "$C"
ok "... no job was sent" is "$(imports)" 0

# Input sources: stdin that holds something wins over -t, as in auth0-cli;
# -t works without a terminal; NDJSON.
reset
check "piped stdin wins over -t" 0 "$T/users.json" '' "$DONE" \
    a0-import -c "$C" -t basic
check "-t with an empty stdin" 0 "$T/none" '' "completed: 4 inserted" \
    a0-import -c "$C" -t "MFA Factors Example"
sed -n 's/^\({.*}\),\{0,1\}$/\1/p' "$T/users.json" | sed 's/u\([0-9]\)@/n\1@/' \
    > "$T/users.ndjson"
check "NDJSON on stdin" 0 "$T/users.ndjson" '' "$DONE" a0-import -c "$C"
echo 'not JSON at all' > "$T/garbage"
check "--users: stdin is not read" 0 "$T/garbage" '' "completed: 0 inserted, 3 updated" \
    a0-import -c "$C" --upsert --users "$(cat "$T/users.json")"
check "--debug shows the pipeline, never the secret" 0 "$T/users.json" '' \
    'a0-import: debug: a0-validate .*\| a0-chunk .*\| a0-submit -C con_A0EmulatorDb0001 ' \
    a0-import -c "$C" --upsert --debug
ok "... and a0-import's own requests" grep -q \
    'a0-import: debug: .*/api/v2/connections/con_A0EmulatorDb0001/clients -> 200' \
    "$T/err"
ok "... no secret in the trace" \
    sh -c '! grep -q "$AUTH0_CLIENT_SECRET" "$1"' sh "$T/err"
check "unknown template" 2 '' '' 'a0-template' a0-import -c "$C" -t nosuch

# Statuses.
cp "$TOP/examples/users.json" "$T/features.json"
reset
check "rejected records: exit 1, each reported" 1 "$T/features.json" '' \
    'record 11: /custom_password_hash/hash/encoding: ENUM_MISMATCH' \
    a0-import -c "$C" --email-results=false
grep -q 'record 12: /email: DUPLICATED_USER' "$T/err" &&
    grep -q 'imported 11 of 13 users in 1 job: 11 inserted, 0 updated, 0 failed, 2 rejected by a0-validate' "$T/err"
ok "... the duplicate too, and the summary counts both" [ $? -eq 0 ]
check "malformed JSON: exit 3" 3 '' '' '.' \
    a0-import -c "$C" -u '[{"email":"a@example.com"},{"email":'
reset
check "unknown connection: exit 4 with auth0-cli's message" 4 "$T/users.json" '' \
    '^a0-import: failed to read connection with name "No-Such-Connection": 404 Not Found: Connection not found$' \
    a0-import -c No-Such-Connection
ok "... nothing sent" is "$(imports)" 0
check "bad client secret: exit 4" 4 "$T/users.json" '' '.' \
    env AUTH0_CLIENT_SECRET=wrong a0-import -c "$C"

# Size: 5 MB on stdin, in several jobs; nothing left in TMPDIR.
reset
a0-template -n 17000 basic > "$T/big.json"
ok "the big input is over 5 MB" [ "$(wc -c < "$T/big.json")" -gt 5000000 ]
mkdir "$T/tmpdir"
check "5 MB on stdin" 0 "$T/big.json" '' \
    'imported 17000 of 17000 users in [0-9]+ jobs: 17000 inserted' \
    env TMPDIR="$T/tmpdir" a0-import -c "$C" --email-results=false
ok "... in more than one job" [ "$(grep -c 'successfully started' "$T/err")" -gt 1 ]
ok "... the tenant has them all" is "$(count)" 17000
ok "... the private directory is gone" is "$(ls -A "$T/tmpdir")" ""
check "5 MB to an unknown connection: 4, not the SIGPIPE of the stages before" \
    4 "$T/big.json" '' 'No-Such-Connection' \
    env TMPDIR="$T/tmpdir" a0-import -c No-Such-Connection
ok "... the private directory is gone" is "$(ls -A "$T/tmpdir")" ""
check "the network is down: exit 5" 5 "$T/users.json" '' \
    '^a0-import: http://127\.0\.0\.1:9/oauth/token: curl: .*Failed to connect' \
    env AUTH0_DOMAIN=http://127.0.0.1:9 A0_RETRY_MAX=1 a0-import -c "$C"
check "A0_RETRY_MAX out of range: exit 2" 2 "$T/users.json" '' \
    '^a0-import: A0_RETRY_MAX: 0: too small$' \
    env A0_RETRY_MAX=0 a0-import -c "$C"
check "A0_TIMEOUT not a number: exit 2" 2 "$T/users.json" '' \
    '^a0-import: A0_TIMEOUT: 5s: invalid$' \
    env A0_TIMEOUT=5s a0-import -c "$C"
check "A0_RETRY_TIME too large: exit 2" 2 "$T/users.json" '' \
    '^a0-import: A0_RETRY_TIME: 86401: too large$' \
    env A0_RETRY_TIME=86401 a0-import -c "$C"

# The interactive path, through a real terminal: tmux when it is
# installed (A0_TEST_PTY=python forces the other way), else a small
# python3 driver that runs the program in a pseudo-terminal, logs what it
# shows and types what it is sent through a FIFO.
pty_kind=python
if [ "${A0_TEST_PTY:-}" != python ] && command -v tmux > /dev/null; then
	pty_kind=tmux
fi
echo "# terminal: $pty_kind"
cat > "$T/ptydrive.py" <<'EOF'
import os, pty, select, signal, sys
fifo, log = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    # A background job of sh starts with SIGINT ignored: undo that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    os.execvp(sys.argv[3], sys.argv[3:])
def stop(sig, frame):
    os.killpg(pid, signal.SIGHUP)  # as a terminal that closes
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
out = open(log, "ab", buffering=0)
keys = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
hold = os.open(fifo, os.O_WRONLY)
while True:
    ready = select.select([fd, keys], [], [])[0]
    if keys in ready:
        os.write(fd, os.read(keys, 4096))
    if fd in ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        out.write(data)
os.waitpid(pid, 0)
EOF
tty_n=0
tty_pid=
TMUX_SOCK=$T/tmux.0.sock
tm() { tmux -S "$TMUX_SOCK" "$@"; }
# tty_stop: end the terminal session, if any.
tty_stop() {
	if [ $pty_kind = tmux ]; then
		[ ! -S "$TMUX_SOCK" ] || tm kill-server >> "$T/tmux.log" 2>&1
	elif [ -n "$tty_pid" ]; then
		kill "$tty_pid"
		wait "$tty_pid"
		tty_pid=
	fi
}
trap 'tty_stop; t_cleanup' EXIT
# tty_start ARGS...: a new terminal running ARGS.
tty_start() {
	tty_stop
	tty_n=$((tty_n + 1))
	if [ $pty_kind = tmux ]; then
		TMUX_SOCK=$T/tmux.$tty_n.sock
		tm new-session -d -x 200 -y 50 "$@"
	else
		mkfifo "$T/keys.$tty_n"
		: > "$T/screen.$tty_n"
		python3 "$T/ptydrive.py" "$T/keys.$tty_n" "$T/screen.$tty_n" "$@" &
		tty_pid=$!
		t_pids="$t_pids $tty_pid"
	fi
}
# keys KEY...: type KEYs (Enter, C-c, or text) in the terminal.
keys() {
	if [ $pty_kind = python ] && ! kill -0 "$tty_pid"; then
		echo "#   the terminal is gone"
		return 1
	fi
	for k; do
		case $pty_kind:$k in
		tmux:*) tm send-keys "$k" ;;
		*:Enter) printf '\r' > "$T/keys.$tty_n" ;;
		*:C-c) printf '\003' > "$T/keys.$tty_n" ;;
		*) printf '%s' "$k" > "$T/keys.$tty_n" ;;
		esac
	done
}
# screen: what the terminal shows, colours included.
screen() {
	if [ $pty_kind = tmux ]; then
		tm capture-pane -p -e -S -
	else
		tr -d '\r' < "$T/screen.$tty_n"
	fi
}

# interact ARGS...: run a0-import with ARGS in a new terminal, with $TTY_ENV
# before it; its exit status goes to $T/tty.rc.
interact() {
	rm -f "$T/tty.rc"
	{
		echo "PATH='$PATH' AUTH0_DOMAIN='$AUTH0_DOMAIN'"
		echo "AUTH0_CLIENT_ID='$AUTH0_CLIENT_ID'"
		echo "AUTH0_CLIENT_SECRET='$AUTH0_CLIENT_SECRET'"
		echo "EDITOR='$T/editor' TERM=xterm LC_ALL=C"
		echo "export PATH AUTH0_DOMAIN AUTH0_CLIENT_ID AUTH0_CLIENT_SECRET"
		echo "export EDITOR TERM LC_ALL"
		echo "unset VISUAL NO_COLOR"
		echo "trap : INT"
		echo "${TTY_ENV:-} a0-import \"\$@\""
		echo "echo \$? > '$T/tty.rc'"
		echo "sleep 60"
	} > "$T/tty.sh"
	tty_start sh "$T/tty.sh" "$@"
}
# wait_for ERE: until the terminal shows ERE (10 s at most).
wait_for() {
	w_i=0
	while [ $w_i -lt 200 ]; do
		screen > "$T/pane" && grep -Eq -- "$1" "$T/pane" &&
		    return 0
		sleep 0.05
		w_i=$((w_i + 1))
	done
	echo "#   the terminal never showed /$1/:"
	sed 's/^/#   | /' "$T/pane"
	return 1
}
# wait_rc N: until a0-import has exited in the terminal, with status N.
wait_rc() {
	w_i=0
	while [ ! -s "$T/tty.rc" ] && [ $w_i -lt 200 ]; do
		sleep 0.05
		w_i=$((w_i + 1))
	done
	is "$(cat "$T/tty.rc")" "$1"
}
# The editor puts our users in place of the template it is given.
printf '#!/bin/sh\ngrep -q "^\\[" "$1" && cp "%s" "$1"\n' "$T/users.json" \
    > "$T/editor"
chmod +x "$T/editor"
ESC=$(printf '\033')
SGR="$ESC\[[0-9;]*m"

reset
interact
ok "a0-import at a terminal: the connection menu" \
    wait_for '1\) Username-Password-Authentication'
keys 9 Enter
ok "... asks again after a wrong answer" wait_for 'Please answer with a number'
keys Enter
ok "... then the template menu" wait_for '2\) Basic Example'
ok "... which offers auth0-cli's four templates" \
    grep -q '4) MFA Factors Example' "$T/pane"
keys 2 Enter
ok "... then, after the editor, the confirmation" \
    wait_for 'Do you want to import these user\(s\)\? \[Y/n\]'
keys y Enter
ok "... then the job's result" wait_for "$SUM"
ok "... in colour" grep -q "${ESC}\[32m" "$T/pane"
ok "... exit 0" wait_rc 0
ok "... the edited users were imported" is "$(count)" 3

reset
interact -c "$C" -u "$(cat "$T/users.json")"
ok "-c -u at a terminal: the confirmation only" \
    wait_for 'Do you want to import these user\(s\)\?'
ok "... no menu" sh -c '! grep -q "Choose" "$1"' sh "$T/pane"
keys n Enter
ok "... declined: exit 0" wait_rc 0
ok "... nothing sent" is "$(imports)" 0

reset
interact -c "$C" -t mfa
ok "-c -t at a terminal: the editor on that template, then the confirmation" \
    wait_for 'Do you want to import these user\(s\)\?'
ok "... no template menu" sh -c '! grep -q "Template:" "$1"' sh "$T/pane"
keys Enter
ok "... yes by default" wait_for "$SUM"
ok "... exit 0" wait_rc 0

reset
interact -c "$C" -u "$(cat "$T/users.json")"
ok "Ctrl-C at the confirmation" \
    wait_for 'Do you want to import these user\(s\)\?'
keys C-c
ok "... ends the run quietly: exit 0" wait_rc 0
ok "... nothing sent" is "$(imports)" 0

TTY_ENV="EDITOR=false" interact -c "$C"
ok "an editor that fails" wait_for 'Choose 1-4'
keys Enter
ok "... exit 3" wait_rc 3
ok "... says so" wait_for 'failed to capture input from the editor'

reset
TTY_ENV="NO_COLOR=1" interact -c "$C" -t basic --no-input
ok "--no-input at a terminal: no question" wait_for "completed: 1 inserted"
ok "... NO_COLOR: no colour" sh -c '! grep -Eq "$2" "$1"' sh "$T/pane" "$SGR"
ok "... no confirmation" sh -c '! grep -q "Do you want" "$1"' sh "$T/pane"
ok "... exit 0" wait_rc 0
reset
TTY_ENV='' interact --no-color -c "$C" -t basic --no-input
ok "--no-color: no colour" wait_for "Job with ID"
ok "... none" sh -c '! grep -Eq "$2" "$1"' sh "$T/pane" "$SGR"
ok "... exit 0" wait_rc 0

# The connection, as auth0-cli checks it before anything is sent: enabled
# for an application (GET /connections/{id}/clients not empty); the menu
# offers the database connections that are, every page of them.  The
# emulator's Database-0001 to Database-0150 are enabled but for those
# whose number is a multiple of 3.
tty_stop
emu_stop
ok "an emulator with 150 more connections" \
    emu_start --job-seconds 0.2 --connections 150
DIS='failed to continue due to the connection with name "Database-0003" being disabled, enable an application on this connection and try again'
# in_conn NAME: how many of the tenant's users were imported into NAME.
in_conn() { emu_get /__emulator/users | grep -o "\"connection\":\"$1\"" | wc -l |
    tr -d ' '; }
check "-c a connection enabled for no application: exit 4" 4 "$T/users.json" \
    '' "^a0-import: $DIS\$" a0-import -c Database-0003
ok "... no import sent" is "$(imports)" 0
check "... with -u and --no-input too" 4 '' '' "^a0-import: $DIS\$" \
    a0-import -c Database-0003 --no-input -u "$(cat "$T/users.json")"
check "... with -t too" 4 '' '' "^a0-import: $DIS\$" \
    a0-import -c Database-0003 -t basic
ok "... still no import sent" is "$(imports)" 0
check "-c an enabled connection past the first page" 0 "$T/users.json" '' \
    "$DONE" a0-import -c Database-0149
ok "... the users went into it" is "$(in_conn Database-0149)" 3

reset
interact -u "$(cat "$T/users.json")"
ok "the menu goes past the first 100 connections" \
    wait_for '101\) Database-0149'
ok "... Choose 1-101" grep -q 'Choose 1-101 \[1\]' "$T/pane"
ok "... the default connection first" \
    grep -q '^  1) Username-Password-Authentication$' "$T/pane"
# The Database-N of the menu: how many, and how many of them have an N
# that is a multiple of 3.
ok "... the 100 enabled Database-N, none of the 50 others" is "$(
    sed -n 's/^ *[0-9]*) Database-0*\([0-9][0-9]*\)$/\1/p' "$T/pane" |
    awk '$1 % 3 == 0 { d++ } END { print NR, d + 0 }')" "100 0"
keys 101 Enter
ok "... picking the 101st asks to confirm" \
    wait_for 'Do you want to import these user\(s\)\?'
keys Enter
ok "... then imports into it" wait_for "$SUM"
ok "... exit 0" wait_rc 0
ok "... the users went into Database-0149" is "$(in_conn Database-0149)" 3

# The check's own failure: a rate limit of one request a second, no
# retries; with retries (Retry-After) it passes.
tty_stop
emu_stop
ok "an emulator allowing one request a second" \
    emu_start --job-seconds 0.2 --rate-limit 1
CHK='failed to check enabled clients for connection "Username-Password-Authentication": 429 Too Many Requests: Global limit has been reached'
TTY_ENV="A0_RETRY_MAX=1" interact -u "$(cat "$T/users.json")"
ok "the menu's check rate-limited past the retries" wait_for "a0-import: $CHK"
ok "... exit 5" wait_rc 5
sleep 1.2
check "-c: the check rate-limited past the retries: exit 5" 5 "$T/users.json" \
    '' "^a0-import: $CHK\$" env A0_RETRY_MAX=1 a0-import -c "$C"
ok "... no import sent" is "$(imports)" 0
check "... retried as Retry-After says, it passes" 0 "$T/users.json" '' \
    "$DONE" a0-import -c "$C"

done_testing
