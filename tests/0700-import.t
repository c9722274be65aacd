#!/bin/sh
# a0-import: the flags, prompts, messages and exit statuses of
# `auth0 users import`, each example of its usage page, and what it does
# beyond it (any size, each job's lines as it starts and ends, a stopped
# run resumed, one token a run), against the emulator.
. "${0%/*}/lib.sh"

C=Username-Password-Authentication
V=$(sed -n 's/^#define A0_VERSION.*"\(.*\)"/\1/p' "$TOP/common/a0.h")

cat > "$T/usage" <<'EOF'
usage: a0-import [-c name] [-t template | -u users] [--upsert[=bool]]
	[--email-results[=bool]] [-s state] [-r rejects] [--no-input]
	[--tenant domain] [--debug] [--no-color]
EOF
echo "a0-import $V" > "$T/version"
: > "$T/none"

# Usage errors come before any credential is looked at.
check "-h prints the usage and the flags" 0 '' - '' a0-import -h
head -3 "$T/out" > "$T/h3"
ok "... the usage first" cmp -s "$T/usage" "$T/h3"
# Every flag of the usage has a line, with its default.
for f in connection-name template users upsert email-results state rejects \
    no-input tenant debug no-color; do
	ok "... --$f and its default" grep -Eq -- "--$f( |\[).*\(default: " "$T/out"
done
check "--help too"                   0 '' - '' a0-import --help
check "-V prints the version"        0 '' "$T/version" '' a0-import -V
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
check "-s without its argument"      2 '' '' "flag needs an argument: 's' in -s" \
    a0-import -c "$C" -s
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
check "-u given a file name: a hint" 2 '' '' \
    '^a0-import: -u takes the users as JSON text, not a file name: use -u "\$\(cat path/to/users\.json\)", or < path/to/users\.json$' \
    a0-import -c "$C" -u path/to/users.json
check "an unknown template, in a0-import's words" 2 '' '' \
    '^a0-import: unknown template "nosuch": use Empty, Basic Example' \
    a0-import -c "$C" -t nosuch
ok "... no other tool's name" sh -c '! grep -q "a0-template" "$1"' sh "$T/err"
check "no credentials"               2 '' '' 'a0-import: no tenant: set AUTH0_DOMAIN' \
    a0-import -c "$C" -u '[]'
check "no client secret"             2 '' '' 'a0-import: missing credentials' \
    env AUTH0_DOMAIN=example.auth0.com AUTH0_CLIENT_ID=x a0-import -c "$C" -u '[]'
check "plain HTTP to a remote host"  2 '' '' \
    '^a0-import: http://example.com: plain http is allowed only to a loopback host$' \
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
imports() { emu_figure "POST /api/v2/jobs/users-imports"; }
tokens() { emu_figure tokens_issued; }
is() { [ "$1" = "$2" ] || { echo "#   got '$1', want '$2'"; return 1; }; }
# no_stages: no stage of a0-import of this test runs any more.
no_stages() { ! ps -eo args | grep -E "^[^ ]*a0-(submit|chunk) .*$T/"; }
# no_inner: stderr names no other tool.
no_inner() { ! grep -Eq 'a0-(validate|chunk|submit|template|connections):' "$T/err"; }

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
ok "... says once how many emails the run may send" \
    [ "$(grep -c 'emails the tenant.s owners as each job ends: up to about 1 for this input' "$T/err")" -eq 1 ]
ok "... the tenant has the 3 users" is "$(count)" 3
ok "... with one token" is "$(tokens)" 1
ok "... no other tool's name" no_inner
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
reset
check "-t \"Basic Example\" --upsert --email-results" 0 '' '' \
    "Job '.*' completed: 1 inserted" \
    a0-import -c "$C" -t "Basic Example" --upsert --email-results
check "-t \"Basic Example\" --upsert=false --email-results=false: a duplicate" \
    1 '' '' 'Failed: john.doe@contoso.com: DUPLICATED_USER' \
    a0-import -c "$C" -t "Basic Example" --upsert=false --email-results=false
ok "... no email with --email-results=false" \
    sh -c '! grep -q "email" "$1"' sh "$T/err"
ok "... the summary counts the failure" \
    grep -q 'imported 0 of 1 users in 1 job: 0 inserted, 0 updated, 1 failed' "$T/err"
ok "... no colour without a terminal" \
    sh -c '! grep -q "$(printf "\033")" "$1"' sh "$T/err"
F=$(sed -n 's/^.*The users that failed are kept in \(.*\) (jq.*$/\1/p' "$T/err")
ok "... the failed user kept beside the state, its path printed" \
    grep -q '"code":"DUPLICATED_USER"' "$F"
case $F in "$XDG_STATE_HOME"/a0/import-127.0.0.1_*-$C-*.failed.jsonl) f_ok=0 ;;
*) f_ok=1 ;; esac
ok "... named from the tenant and the connection: $F" [ $f_ok -eq 0 ]
ok "... as JSON Lines a0-submit's -r writes" "$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]): json.loads(l)["user"]["email"]' "$F"
ok "... the journal of the finished run is gone" [ ! -e "${F%.failed.jsonl}" ]
check "-r FILE keeps the failed users there" 1 '' '' 'kept in '"$T"'/failed\.jsonl' \
    a0-import -c "$C" -t basic --email-results=false -r "$T/failed.jsonl"
ok "... one line" [ "$(wc -l < "$T/failed.jsonl")" -eq 1 ]

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
check "--debug shows the stages, never the secret" 0 "$T/users.json" '' \
    'a0-import: debug: a0-validate \| a0-chunk .*\| a0-submit -c Username-Password-Authentication ' \
    a0-import -c "$C" --upsert --debug
ok "... and the requests" grep -q 'a0-import: debug: > GET /api/v2/connections' "$T/err"
ok "... no secret in the trace" \
    sh -c '! grep -q "$AUTH0_CLIENT_SECRET" "$1"' sh "$T/err"

# Statuses.
cp "$TOP/examples/users.json" "$T/features.json"
reset
check "rejected records: exit 1, each reported" 1 "$T/features.json" '' \
    'record 11: /custom_password_hash/hash/encoding: ENUM_MISMATCH' \
    a0-import -c "$C" --email-results=false
grep -q 'record 12: /email: DUPLICATED_USER' "$T/err" &&
    grep -q 'imported 11 of 11 users in 1 job: 11 inserted, 0 updated, 0 failed' "$T/err"
ok "... the duplicate too, and the summary" [ $? -eq 0 ]
check "malformed JSON: exit 3, in a0-import's words" 3 '' '' \
    '^a0-import: -:1:[0-9]+: unexpected end of input' \
    a0-import -c "$C" -u '[{"email":"a@example.com"},{"email":'
ok "... no other tool's name" no_inner
reset
check "unknown connection: exit 4" 4 "$T/users.json" '' \
    '^a0-import: No-Such-Connection: no such connection$' \
    a0-import -c No-Such-Connection
ok "... nothing sent" is "$(imports)" 0
check "bad client secret: exit 4" 4 "$T/users.json" '' \
    '^a0-import: POST /oauth/token: 401 invalid_client: Client authentication failed$' \
    env AUTH0_CLIENT_SECRET=wrong a0-import -c "$C"

# Size: 5 MB on stdin, in several jobs, each job's lines as it ends;
# nothing left in TMPDIR.
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
check "the network is down: exit 5, as every tool words it" 5 "$T/users.json" '' \
    '^a0-import: POST /oauth/token: .*Failed to connect.* \(gave up after 2 tries in [0-9]+ s\)' \
    env AUTH0_DOMAIN=http://127.0.0.1:9 A0_RETRY_MAX=2 a0-import -c "$C"
ok "... and says how to go on" grep -q 'to go on where it stopped, run:' "$T/err"
check "A0_RETRY_MAX out of range: exit 2" 2 "$T/users.json" '' \
    '^a0-import: A0_RETRY_MAX: 0: too small$' \
    env A0_RETRY_MAX=0 a0-import -c "$C"

# Live: each job's lines when it ends, while later jobs still run.
emu_stop
ok "an emulator whose jobs take a second" emu_start --job-seconds 1
reset
a0-template -n 12000 basic > "$T/live.json"
: > "$T/live.err"
env TMPDIR="$T/tmpdir" a0-import -c "$C" --email-results=false \
    < "$T/live.json" > "$T/live.out" 2> "$T/live.err" &
l_pid=$!
l_i=0
until grep -q 'completed:' "$T/live.err" || [ $l_i -gt 400 ]; do
	sleep 0.05
	l_i=$((l_i + 1))
done
ok "a job's result is shown while the run goes on" kill -0 "$l_pid"
ok "... with its start before it" grep -Eq "$JOB" "$T/live.err"
wait "$l_pid"
ok "... the run ends well" [ $? -eq 0 ]

# Stop and resume: SIGTERM once two jobs have started; the printed
# command goes on, posts no chunk twice, imports every user once.
reset
: > "$T/stop.err"
env TMPDIR="$T/tmpdir" a0-import -c "$C" --email-results=false \
    < "$T/live.json" > "$T/stop.out" 2> "$T/stop.err" &
l_pid=$!
l_i=0
until [ "$(grep -c 'successfully started' "$T/stop.err")" -ge 2 ] ||
    [ $l_i -gt 400 ]; do
	sleep 0.05
	l_i=$((l_i + 1))
done
kill -TERM "$l_pid"
wait "$l_pid"
ok "SIGTERM: exit 143" is $? 143
ok "... prints the command that goes on" \
    grep -q 'a0-import: stopped; to go on where it stopped, run:' "$T/stop.err"
sed -n '/to go on where it stopped/{n;s/^  //p;}' "$T/stop.err" > "$T/resume"
ok "... which names the state and the input" \
    grep -q "a0-import -c $C --email-results=false -s .* < $T/live.json" "$T/resume"
ok "... no stage is left running" \
    no_stages
ok "... the private directory is gone" is "$(ls -A "$T/tmpdir")" ""
jobs=$(grep -c 'successfully started' "$T/stop.err")
check "the printed command resumes" 0 '' '' 'imported 12000 of 12000' \
    env TMPDIR="$T/tmpdir" sh -c "$(cat "$T/resume")"
ok "... every user imported once" is "$(count)" 12000
ok "... no user failed" sh -c '! grep -q Failed "$1"' sh "$T/err"
nchunks=$(a0-chunk -d "$T/c" < "$T/live.json" | wc -l)
ok "... no chunk posted twice ($nchunks chunks)" is "$(imports)" "$nchunks"

# Without -s, the same command again resumes.
reset
XDG_STATE_HOME=$T/state2
: > "$T/stop.err"
env TMPDIR="$T/tmpdir" a0-import -c "$C" --email-results=false \
    < "$T/live.json" > "$T/stop.out" 2> "$T/stop.err" &
l_pid=$!
l_i=0
until grep -q 'successfully started' "$T/stop.err" || [ $l_i -gt 400 ]; do
	sleep 0.05
	l_i=$((l_i + 1))
done
kill -HUP "$l_pid"
wait "$l_pid"
ok "SIGHUP: exit 129" is $? 129
check "the same command again resumes it" 0 "$T/live.json" '' \
    'imported 12000 of 12000' \
    env TMPDIR="$T/tmpdir" a0-import -c "$C" --email-results=false
ok "... every user imported once" is "$(count)" 12000
ok "... no chunk posted twice" is "$(imports)" "$nchunks"
ok "... the journal is gone once done" is "$(ls -A "$XDG_STATE_HOME/a0")" ""
XDG_STATE_HOME=$T/xdg-state

# SIGPIPE: a reader that goes away leaves nothing behind.
reset
env TMPDIR="$T/tmpdir" a0-import -c "$C" --email-results=false --debug \
    < "$T/users.json" 2>&1 | head -1 > /dev/null
ok "SIGPIPE: no stage is left running" \
    no_stages
ok "... the private directory is gone" is "$(ls -A "$T/tmpdir")" ""

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
keys zzz Enter
ok "... says so in a line after a wrong answer" wait_for 'Nothing by that name'
ok "... without showing the list again" \
    is "$(grep -c '1) Username' "$T/pane")" 1
keys user Enter
ok "... takes the start of a name; then the template menu" \
    wait_for '2\) Basic Example'
keys 2 Enter
ok "... then, after the editor, the confirmation" \
    wait_for 'Do you want to import these user\(s\)\? \[Y/n\]'
keys y Enter
ok "... then the job's result" wait_for "$SUM"
ok "... in colour" grep -q "${ESC}\[32m" "$T/pane"
ok "... exit 0" wait_rc 0
ok "... the edited users were imported" is "$(count)" 3
ok "... with one token, handed from the menu to the import" is "$(tokens)" 1

reset
interact -c "$C" -u "$(cat "$T/users.json")"
ok "-c -u at a terminal: the confirmation only" \
    wait_for 'Do you want to import these user\(s\)\?'
ok "... no menu" sh -c '! grep -q "Number, name" "$1"' sh "$T/pane"
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
ok "an editor that fails" wait_for 'Number, name or prefix'
keys Enter
ok "... exit 3" wait_rc 3
ok "... says so" wait_for 'a0-import: failed to capture input from the editor'

# An edit that is not valid: checked before the confirmation, edited again.
printf '#!/bin/sh\nif [ -e "%s" ]; then cp "%s" "$1"; else : > "%s"; echo "[{" > "$1"; fi\n' \
    "$T/edited" "$T/users.json" "$T/edited" > "$T/editor2"
chmod +x "$T/editor2"
reset
rm -f "$T/edited"
TTY_ENV="EDITOR='$T/editor2'" interact -c "$C" -t basic
ok "an invalid edit is found before the confirmation" \
    wait_for 'Edit them again\? \[Y/n\]'
ok "... in a0-import's words" grep -q '^a0-import: .*/basic\.json:2:1: ' "$T/pane"
ok "... not yet the confirmation" sh -c '! grep -q "Do you want" "$1"' sh "$T/pane"
keys Enter
ok "... edited again, then confirmed" wait_for 'Do you want to import'
keys Enter
ok "... and imported" wait_for "$SUM"
ok "... exit 0" wait_rc 0
rm -f "$T/edited"
TTY_ENV="EDITOR='$T/editor2'" interact -c "$C" -t basic
ok "an invalid edit, not edited again" wait_for 'Edit them again'
keys n Enter
ok "... exit 3" wait_rc 3
ok "... the edit is kept, its path printed" \
    wait_for 'a0-import: your edit is kept in .*/a0/edit-'
k=$(sed -n 's/.*your edit is kept in \([^ ]*\.json\).*/\1/p' "$T/pane" | head -1)
ok "... with what was typed" grep -q '^\[{$' "$k"

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

# Network trouble on a terminal: a line a retry, as it is decided.
TTY_ENV="AUTH0_DOMAIN=http://127.0.0.1:9 A0_RETRY_MAX=3" \
    interact -c "$C" -u "$(cat "$T/users.json")" --no-input
ok "a host that refuses, on a terminal: each retry shown" \
    wait_for 'retrying in [0-9]+ s \(3/3\): .*127\.0\.0\.1'
ok "... then exit 5" wait_rc 5

# Ctrl-C while importing: every stage stops, the command to go on is
# printed; it imports the rest.
reset
tty_stop
emu_stop
ok "an emulator whose jobs take a second" emu_start --job-seconds 1
a0-template -n 6000 basic > "$T/six.json"
TTY_ENV="exec < '$T/six.json'; TMPDIR='$T/tmpdir'" interact -c "$C" \
    --email-results=false -s "$T/int.state"
ok "Ctrl-C while importing" wait_for 'successfully started'
keys C-c
ok "... exit 130" wait_rc 130
ok "... the command that goes on" \
    wait_for "a0-import -c $C --email-results=false -s $T/int.state < $T/six.json"
ok "... no stage is left running" \
    no_stages
ok "... the private directory is gone" is "$(ls -A "$T/tmpdir")" ""
check "... which imports the rest" 0 "$T/six.json" '' 'imported 6000 of 6000' \
    a0-import -c "$C" --email-results=false -s "$T/int.state"
ok "... every user once" is "$(count)" 6000
nchunks=$(a0-chunk -d "$T/c6" < "$T/six.json" | wc -l)
ok "... no chunk posted twice" is "$(imports)" "$nchunks"

# The connection menu of a tenant with 150 more connections: a screen at
# a time; a number, a name or the start of one.
tty_stop
emu_stop
ok "an emulator with 150 more connections" \
    emu_start --job-seconds 0.2 --connections 150
in_conn() { emu_get /__emulator/users | grep -o "\"connection\":\"$1\"" | wc -l |
    tr -d ' '; }
interact -u "$(cat "$T/users.json")"
ok "the menu fits the screen" wait_for 'Connection Name: \(1-46 of 101; \+ next page, - previous\)'
ok "... the default connection first" \
    grep -q '^  1) Username-Password-Authentication$' "$T/pane"
ok "... one screen of it" sh -c '! grep -q "47)" "$1"' sh "$T/pane"
keys + Enter
ok "... + shows the next page" wait_for '47\) Database-0068'
keys database-014 Enter
ok "... the start of several names: they are said" \
    wait_for '[0-9]+ start so: Database-0140, Database-0142'
keys database-0149 Enter
ok "... a name, in any case, picks it" \
    wait_for 'Do you want to import these user\(s\)\?'
keys Enter
ok "... then imports into it" wait_for "$SUM"
ok "... exit 0" wait_rc 0
ok "... the users went into Database-0149" is "$(in_conn Database-0149)" 3

# The connection is checked by a0-submit, before anything is sent.
reset
check "-c a connection enabled for no application: exit 4" 4 "$T/users.json" \
    '' '^a0-import: Database-0003: Connection must be enabled\.$' \
    a0-import -c Database-0003
ok "... no import sent" is "$(imports)" 0

# The man page's sample output is what the program prints.
mandoc -Tutf8 "$TOP/man/a0-import.1" 2> /dev/null | sed 's/.\x08//g' \
    > "$T/man.txt"
ok "the man page shows ▸, as the program does" \
    grep -q " ▸    Job with ID 'job_" "$T/man.txt"
ok "... and its lines" grep -q " ▸    Failed: jane@example.com: DUPLICATED_USER" \
    "$T/man.txt"

done_testing
