#!/bin/sh
# a0-import: `auth0 users import` with its flags, prompts and messages, run
# as the pipeline a0-validate | a0-chunk | a0-submit, so that an input of any
# size is imported in as many jobs as it needs, each job's lines shown as it
# starts and ends, and a stopped run resumed.  The shell only asks, runs the
# stages and combines their exit statuses: what comes from Auth0 comes from
# the C tools (a0-connections for the menu, a0-submit for the rest).

prog=a0-import
version=@VERSION@

# The other a0 tools: those installed next to this one first.  They speak
# in a0-import's name.
case $0 in
*/*) PATH=${0%/*}:$PATH ;;
esac
A0_PROGNAME=$prog
export A0_PROGNAME

usage() {
	cat <<'EOF'
usage: a0-import [-c name] [-t template | -u users] [--upsert[=bool]]
	[--email-results[=bool]] [-s state] [-r rejects] [--no-input]
	[--tenant domain] [--debug] [--no-color]
EOF
}

help() {
	usage
	cat <<'EOF'

  -c, --connection-name name    connection to import into (default: a menu)
  -t, --template template       a template's users (default: a menu)
  -u, --users users             the users, as JSON text (default: stdin)
      --upsert[=bool]           update the users that exist (default: false)
      --email-results[=bool]    email each job's results (default: true)
  -s, --state state             the run's journal (default: $XDG_STATE_HOME/a0/import-...)
  -r, --rejects rejects         the users that failed (default: STATE.failed.jsonl)
      --no-input                never ask (default: false)
      --tenant domain           the tenant's domain (default: $AUTH0_DOMAIN)
      --debug                   show the stages and the requests (default: false)
      --no-color                no colours (default: false)
  -h, --help                    print this help and exit
  -V, --version                 print the version and exit
EOF
}

# fail STATUS MESSAGE: say what went wrong and leave with STATUS.
fail() {
	printf '%s: %s\n' "$prog" "$2" >&2
	exit "$1"
}

# bad MESSAGE: a usage error.
bad() {
	printf '%s: %s\n' "$prog" "$1" >&2
	usage >&2
	exit 2
}

# setbool VAR FLAG VALUE: VAR=true or false, as Go's strconv.ParseBool
# and a0_parse_bool() read VALUE.
setbool() {
	case $3 in
	[Tt][Rr][Uu][Ee] | [Tt] | 1 | [Yy][Ee][Ss]) eval "$1=true" ;;
	[Ff][Aa][Ll][Ss][Ee] | [Ff] | 0 | [Nn][Oo]) eval "$1=false" ;;
	*) bad "invalid argument \"$3\" for \"$2\" flag: not a boolean" ;;
	esac
}

cflag='' cset='' tflag='' tset='' uflag='' uset='' tenant='' tset2=''
sflag='' rflag=''
upsert=false email=true noinput=false debug=false nocolor=false

# Flags as cobra/pflag read them: -c X, -cX, -c=X, --name X, --name=X;
# booleans as --flag or --flag=bool.
while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	--connection-name | --template | --users | --tenant | --state | \
	--rejects)
		[ $# -ge 2 ] || bad "flag needs an argument: $opt"
		val=$2
		shift
		;;
	-[ctusr])
		[ $# -ge 2 ] || bad "flag needs an argument: '${opt#-}' in $opt"
		val=$2
		shift
		;;
	--connection-name=* | --template=* | --users=* | --tenant=* | \
	--state=* | --rejects=*)
		val=${opt#*=}
		opt=${opt%%=*}
		;;
	-[ctusr]=*)
		val=${opt#-?=}
		opt=${opt%%=*}
		;;
	-[ctusr]?*)
		val=${opt#-?}
		opt=${opt%"$val"}
		;;
	esac
	case $opt in
	-c | --connection-name) cflag=$val cset=1 ;;
	-t | --template) tflag=$val tset=1 ;;
	-u | --users) uflag=$val uset=1 ;;
	-s | --state) sflag=$val ;;
	-r | --rejects) rflag=$val ;;
	--tenant) tenant=$val tset2=1 ;;
	--upsert) upsert=true ;;
	--upsert=*) setbool upsert --upsert "${opt#*=}" ;;
	--email-results) email=true ;;
	--email-results=*) setbool email --email-results "${opt#*=}" ;;
	--no-input) noinput=true ;;
	--no-input=*) setbool noinput --no-input "${opt#*=}" ;;
	--debug) debug=true ;;
	--debug=*) setbool debug --debug "${opt#*=}" ;;
	--no-color) nocolor=true ;;
	--no-color=*) setbool nocolor --no-color "${opt#*=}" ;;
	-h | --help)
		help || exit 3
		exit 0
		;;
	-V | --version)
		echo "a0-import $version" || exit 3
		exit 0
		;;
	--)
		shift
		break
		;;
	--*) bad "unknown flag: ${opt%%=*}" ;;
	-?*) bad "unknown shorthand flag: '$(printf '%.1s' "${opt#-}")' in $opt" ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 0 ] || bad "unknown command \"$1\" for \"a0-import\""
if [ -n "$tset" ] && [ -n "$uset" ]; then
	bad "if any flags in the group [template users] are set none of the others can be; [template users] were set"
fi
if [ -n "$cset" ] && [ -z "$cflag" ]; then
	bad "--connection-name: Name cannot be empty"
fi
[ -z "$tset2" ] || [ -n "$tenant" ] || bad "--tenant: empty domain"
# -u takes the users themselves: a file name there is a common slip.
case $uset:$uflag in
*'['* | *'{'*) ;;
1:*.json | 1:*.jsonl | 1:*.ndjson | 1:*/*) hint=1 ;;
1:*) [ ! -f "$uflag" ] || hint=1 ;;
esac
[ -z "${hint:-}" ] ||
    bad "-u takes the users as JSON text, not a file name: use -u \"\$(cat $uflag)\", or < $uflag"

if [ -n "$tset" ] && ! a0-template "$tflag" > /dev/null 2>&1; then
	bad "unknown template \"$tflag\": use Empty, Basic Example, Custom Password Hash Example or MFA Factors Example (or empty, basic, custom-password-hash, mfa)"
fi

# Interactive, as auth0-cli's canPrompt(): stdin and stdout are terminals
# and --no-input is absent.
interactive=false
if [ "$noinput" = false ] && [ -t 0 ] && [ -t 1 ]; then
	interactive=true
fi
if [ -z "$cset" ] && [ "$interactive" = false ]; then
	if [ "$noinput" = true ]; then
		bad 'required flag(s) "connection-name" not set (--no-input)'
	fi
	bad 'required flag(s) "connection-name" not set (no terminal to ask on)'
fi
domain=${tenant:-${AUTH0_DOMAIN:-}}
[ -n "$domain" ] ||
    fail 2 "no tenant: set AUTH0_DOMAIN or use --tenant"
if [ -z "${AUTH0_API_TOKEN:-}" ] &&
    { [ -z "${AUTH0_CLIENT_ID:-}" ] || [ -z "${AUTH0_CLIENT_SECRET:-}" ]; }; then
	fail 2 "missing credentials: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or AUTH0_API_TOKEN"
fi

# Colour only on a terminal, never with --no-color or NO_COLOR.
c_green='' c_off=''
if [ "$nocolor" = false ] && [ -z "${NO_COLOR:-}" ] && [ -t 2 ]; then
	c_green=$(printf '\033[32m') c_off=$(printf '\033[0m')
fi
arrow=" $c_green▸$c_off    "

statedir=${XDG_STATE_HOME:-${HOME:-/}/.local/state}/a0
tmp=
interrupted=
# stages [BUT]: the pids of the stages still running (but the one whose
# pid file is BUT).
# shellcheck disable=SC2317 # called by the traps
stages() {
	for _f in "$tmp"/pid.*; do
		[ "$_f" != "${1:-}" ] && [ -f "$_f" ] &&
		    [ ! -f "$tmp/st.${_f##*.}" ] && cat "$_f"
	done 2> /dev/null
}
# shellcheck disable=SC2317 # called by the traps
cleanup() {
	[ -n "$tmp" ] || return 0
	_p=$(stages)
	# shellcheck disable=SC2086 # one pid a word
	[ -z "$_p" ] || kill -TERM $_p 2> /dev/null
	[ -z "${pipe:-}" ] || wait "$pipe" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# Declining a prompt or interrupting it ends the run quietly, as auth0-cli.
trap 'exit 0' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE
tmp=$(mktemp -d "${TMPDIR:-/tmp}/a0-import.XXXXXX") ||
    fail 3 "cannot create a temporary directory"
chmod 700 "$tmp" || fail 3 "$tmp: cannot make it private"

# ask PROMPT: yes (the default) or no, on the terminal.
ask() {
	while :; do
		printf '%s' "$1" >&2
		IFS= read -r _ans || exit 0
		case $_ans in
		'' | [Yy] | [Yy][Ee][Ss]) return 0 ;;
		[Nn] | [Nn][Oo]) return 1 ;;
		esac
	done
}

# choose TITLE FILE: a menu of FILE's lines (the name, then maybe a tab
# and more) a screen at a time; the answer is a number, a name or the
# start of one (any case), + or - for another page, nothing for the
# first.  Sets choice to the name chosen.
choose() {
	_n=$(($(wc -l < "$2")))
	_per=$(stty size 2> /dev/null < /dev/tty | cut -d ' ' -f 1)
	_per=$((${_per:-24} - 4))
	[ "$_per" -ge 3 ] || _per=3
	_page=0 _show=1
	while :; do
		[ -z "$_show" ] || awk -F '\t' -v t="$1" -v p="$_page" \
		    -v k="$_per" -v n="$_n" '
		    NR == 1 { a = p * k + 1; b = a + k - 1; if (b > n) b = n
			print t (n > k ? " (" a "-" b " of " n \
			    "; + next page, - previous)" : "") }
		    NR >= a && NR <= b { printf "  %d) %s\n", NR, $1 }' "$2" >&2
		_show=
		printf 'Number, name or prefix [1]: ' >&2
		IFS= read -r _ans || exit 0
		case $_ans in
		+) [ $(((_page + 1) * _per)) -ge "$_n" ] || _page=$((_page + 1)) ;;
		-) [ "$_page" -eq 0 ] || _page=$((_page - 1)) ;;
		esac
		case $_ans in + | -)
			_show=1
			continue
			;;
		esac
		_ans=$(awk -F '\t' -v a="${_ans:-1}" -v n="$_n" '
		    BEGIN { a = tolower(a); num = a ~ /^[0-9]+$/ }
		    num { exit }
		    { k = tolower($1) }
		    k == a && !x { x = NR }
		    index(k, a) == 1 { if (++m == 1) f = NR
			if (m <= 4) l = l (m > 1 ? ", " : "") $1 }
		    END { if (num) print ((a + 0 >= 1 && a + 0 <= n) ? a + 0 : "0 0 ")
			else if (x) print x
			else if (m == 1) print f
			else print "0 " m + 0 " " l (m > 4 ? ", ..." : "") }' "$2")
		case $_ans in
		'0 0 '*)
			printf 'Nothing by that name: a number from 1 to %d, a name or the start of one.\n' \
			    "$_n" >&2
			;;
		'0 '*)
			_ans=${_ans#0 }
			printf '%s start so: %s; type more of the name.\n' \
			    "${_ans%% *}" "${_ans#* }" >&2
			;;
		*)
			choice=$(sed -n "${_ans}p" "$2" | cut -f 1)
			return
			;;
		esac
	done
}

# pick_connection: the menu of the tenant's database connections enabled
# for an application, from a0-connections, which also hands over the
# token (on a pipe) for a0-submit: one token for the run.
pick_connection() {
	set -- -e --token-fd 3
	[ -z "$tenant" ] || set -- "$@" --tenant "$tenant"
	[ "$debug" = false ] || set -- "$@" --debug
	AUTH0_API_TOKEN=$(a0-connections "$@" 3>&1 > "$tmp/conns") || exit
	export AUTH0_API_TOKEN
	[ -s "$tmp/conns" ] ||
	    fail 4 "there are currently no active database connections to choose from"
	choose "Connection Name:" "$tmp/conns"
	cflag=$choice
}

# keep FILE: move the users in FILE beside the state, where they stay.
keep() {
	kept=$statedir/edit-$(date +%Y%m%d-%H%M%S)-$$.json
	(umask 077 && mkdir -p "$statedir" && cp "$1" "$kept") ||
	    fail 3 "$1: cannot keep it in $statedir"
}

# edit_template: the template menu (unless -t), then the editor on it, as
# auth0-cli; the edit is checked, and edited again, before it is used.
edit_template() {
	if [ -z "$tset" ]; then
		printf '%s\n' Empty "Basic Example" "Custom Password Hash Example" \
		    "MFA Factors Example" > "$tmp/templates"
		choose "Template:" "$tmp/templates"
		tflag=$choice
	fi
	efile=$tmp/$(printf '%s' "$tflag" | tr -c 'A-Za-z0-9_.-' '-').json
	a0-template "$tflag" > "$efile" || exit
	_ed=${VISUAL:-${EDITOR:-vi}}
	while :; do
		sh -c "$_ed \"\$1\"" sh "$efile" ||
		    fail 3 "failed to capture input from the editor: $_ed exited with status $?"
		a0-validate -n "$efile" && return
		ask "The users above are not valid. Edit them again? [Y/n] " &&
		    continue
		keep "$efile"
		fail 3 "your edit is kept in $kept"
	done
}

# Where the users come from: --users, else piped stdin, else the template
# (read without a terminal too), else the editor.
src=stdin
if [ -n "$uset" ]; then
	src=users
elif [ -t 0 ]; then
	if [ "$interactive" = true ]; then
		src=editor
	elif [ -n "$tset" ]; then
		src=template
	else
		bad "no users: use --users, --template or pipe them on stdin"
	fi
elif [ -n "$tset" ]; then
	# stdin wins over -t when it holds something, as in auth0-cli.
	dd bs=1 count=1 of="$tmp/first" 2> "$tmp/dd.err"
	if [ -s "$tmp/first" ]; then
		src=peeked
	else
		src=template
	fi
fi
# A file on stdin that can be opened again (Linux's /proc): its name for
# the resume command, its digest for the state's name.
infile=
if [ "$src" != users ] && [ "$src" != template ] && [ -f /dev/stdin ] &&
    [ -e /proc/self/fd/0 ]; then
	infile=$(readlink /proc/self/fd/0 2> /dev/null) || infile=
	case $infile in /*) [ -f "$infile" ] || infile= ;; *) infile= ;; esac
fi

if [ "$interactive" = true ]; then
	[ -n "$cset" ] || pick_connection
	[ "$src" != editor ] || edit_template
	ask "Do you want to import these user(s)? [Y/n] " || exit 0
fi

# input: the users, as they come.
input() {
	case $src in
	users) printf '%s' "$uflag" ;;
	stdin) cat ;;
	peeked) cat "$tmp/first" - ;;
	template) a0-template "$tflag" ;;
	editor) cat "$efile" ;;
	esac
}
# digest: a short digest of the users, when they can be read twice.
digest() {
	case $src in
	users | template | editor) input ;;
	*)
		if [ -n "$infile" ]; then
			cat /dev/stdin
		else
			printf 'stdin'
		fi
		;;
	esac | sha256sum | cut -c 1-16
}
# name WORD: WORD made safe for a file name.
name() { printf '%s' "$1" | tr -c 'A-Za-z0-9.-' '_'; }

_t=${domain#*://}
mine=$statedir/import-$(name "${_t%%/*}")-$(name "$cflag")-$(digest)
state=${sflag:-$mine}
if [ -z "$sflag" ]; then
	(umask 077 && mkdir -p "$statedir") ||
	    fail 3 "$statedir: cannot create it"
fi
rejects=${rflag:-$state.failed.jsonl}

# Auth0 sends one email per job: say how many this input may make (a job
# takes at most 500KB of users, less whitespace).
if [ "$email" = true ]; then
	case $src in
	stdin | peeked) [ -z "$infile" ] || size=$(wc -c < "$infile") ;;
	*) size=$(input | wc -c) ;;
	esac
	n="one per 500KB of users"
	[ -z "${size:-}" ] || n="up to about $(((size + 511999) / 512000))"
	printf '%sAuth0 emails the tenant'\''s owners as each job ends: %s for this input (--email-results=false for none).\n' \
	    "$arrow" "$n" >&2
fi

# q WORD: WORD quoted for the shell.
q() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=@+-]*)
		printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
		;;
	*) printf '%s' "$1" ;;
	esac
}
# resume: the command that goes on with this run.
resume() {
	_c="a0-import -c $(q "$cflag")"
	[ "$upsert" = false ] || _c="$_c --upsert"
	[ "$email" = true ] || _c="$_c --email-results=false"
	[ -z "$tenant" ] || _c="$_c --tenant $(q "$tenant")"
	_c="$_c -s $(q "$state")"
	[ -z "$rflag" ] || _c="$_c -r $(q "$rflag")"
	case $src in
	users) _c="$_c -u $(q "$uflag")" ;;
	template) _c="$_c -t $(q "$tflag")" ;;
	editor)
		keep "$efile"
		_c="$_c < $(q "$kept")"
		;;
	*)
		if [ -n "$infile" ]; then
			_c="$_c < $(q "$infile")"
		else
			_c="(the same input) | $_c"
		fi
		;;
	esac
	printf '%s' "$_c"
}

set -- -c "$cflag" -f text --upsert="$upsert" --email-results="$email" \
    -s "$state" -r "$rejects"
[ -z "$tenant" ] || set -- "$@" --tenant "$tenant"
[ "$debug" = false ] || set -- "$@" --debug
[ "$nocolor" = false ] || set -- "$@" --no-color
if [ "$debug" = true ]; then
	printf '%s: debug: a0-validate | a0-chunk -d %s | a0-submit %s\n' \
	    "$prog" "$tmp/chunks" "$*" >&2
fi

# stage NAME COMMAND...: one stage of the pipeline, its pid in pid.NAME
# while it runs, its exit status in st.NAME once it is over.
stage() {
	_s=$1
	shift
	sh -c 'echo $$ > "$1" && shift && exec "$@"' sh "$tmp/pid.$_s" "$@"
	echo $? > "$tmp/st.$_s"
}
pipeline() {
	{
		input
		echo $? > "$tmp/st.src"
	} | stage val a0-validate | stage chk a0-chunk -d "$tmp/chunks" |
	    stage sub a0-submit "$@" >&2
}
# A stop asks every stage to stop: a0-submit journals what it has done
# and ends; the journal lets the same command go on later.
# shellcheck disable=SC2317 # called by the traps
stop() {
	interrupted=$1
	trap '' INT TERM HUP
	# Ctrl-C reaches a0-submit from the terminal: a second signal would
	# stop it before the posts in flight are journaled.
	if [ "$1" = 130 ]; then
		_p=$(stages "$tmp/pid.sub")
	else
		_p=$(stages)
	fi
	# shellcheck disable=SC2086 # one pid a word
	[ -z "$_p" ] || kill -TERM $_p 2> /dev/null
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop 129' HUP
exec 3<&0
pipeline "$@" <&3 3<&- &
pipe=$!
exec 3<&-
while :; do
	wait "$pipe"
	kill -0 "$pipe" 2> /dev/null || break
done
pipe=

# exit status: the signal's, or each stage's, worst first: 2 (fix the
# command), 3 (the input or disk), 4 (the tenant), 5 (try again), 1 (some
# users), 0.  A stage killed by SIGPIPE because a later one gave up does
# not count.
status=0
for s in sub chk val src; do
	[ -z "$interrupted" ] || break
	st=$(cat "$tmp/st.$s" 2> /dev/null) || st=141
	[ "$st" -gt 128 ] && [ "$status" -ne 0 ] && continue
	case $st in
	[0-5]) ;;
	*)
		printf '%s: the %s stage ended with status %s\n' "$prog" "$s" \
		    "$st" >&2
		st=3
		;;
	esac
	for w in 2 3 4 5 1; do
		if [ "$st" -eq "$w" ] || [ "$status" -eq "$w" ]; then
			status=$w
			break
		fi
	done
done
if [ -s "$rejects" ]; then
	printf '%sThe users that failed are kept in %s (jq -c .user gives them back as records).\n' \
	    "$arrow" "$rejects" >&2
elif [ -z "$rflag" ]; then
	rm -f "$rejects"
fi
# The default state goes once the run is through, or when it holds
# nothing; a state named by -s stays.
[ "$state" != "$mine" ] || [ -s "$state" ] || rm -f "$state"
case ${interrupted:-$status} in
0 | 1) [ "$state" != "$mine" ] || rm -f "$state" ;;
5 | 1[2-4]?)
	printf '%s: stopped; to go on where it stopped, run:\n  %s\n' \
	    "$prog" "$(resume)" >&2
	;;
esac
exit "${interrupted:-$status}"
