#!/bin/sh
# a0-import: `auth0 users import` with its flags, prompts and messages, run
# as the pipeline a0-validate | a0-chunk | a0-submit, so that an input of any
# size is imported in as many jobs as it needs and the user sees each job's
# outcome, not only its id.

prog=a0-import
version=@VERSION@

# The other a0 tools: those installed next to this one first.
case $0 in
*/*) PATH=${0%/*}:$PATH ;;
esac

usage() {
	cat <<'EOF'
usage: a0-import [-c name] [-t template | -u users] [--upsert[=bool]]
	[--email-results[=bool]] [--no-input] [--tenant domain] [--debug]
	[--no-color]
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
upsert=false email=true noinput=false debug=false nocolor=false

# Flags as cobra/pflag read them: -c X, -cX, -c=X, --name X, --name=X;
# booleans as --flag or --flag=bool.
while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	--connection-name | --template | --users | --tenant)
		[ $# -ge 2 ] || bad "flag needs an argument: $opt"
		val=$2
		shift
		;;
	-[ctu])
		[ $# -ge 2 ] || bad "flag needs an argument: '${opt#-}' in $opt"
		val=$2
		shift
		;;
	--connection-name=* | --template=* | --users=* | --tenant=*)
		val=${opt#*=}
		opt=${opt%%=*}
		;;
	-[ctu]=*)
		val=${opt#-?=}
		opt=${opt%%=*}
		;;
	-[ctu]?*)
		val=${opt#-?}
		opt=${opt%"$val"}
		;;
	esac
	case $opt in
	-c | --connection-name) cflag=$val cset=1 ;;
	-t | --template) tflag=$val tset=1 ;;
	-u | --users) uflag=$val uset=1 ;;
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
		usage || exit 3
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
# envnum NAME MIN MAX DEFAULT: the number in the environment variable NAME,
# read and reported as a0-submit does, or DEFAULT when it is unset or empty.
envnum() {
	eval "_v=\${$1:-}"
	if [ -z "$_v" ]; then
		echo "$4"
		return
	fi
	case $_v in
	*[!0-9]* | 0?*) fail 2 "$1: $_v: invalid" ;;
	esac
	if [ ${#_v} -gt 6 ] || [ "$_v" -gt "$3" ]; then
		fail 2 "$1: $_v: too large"
	fi
	[ "$_v" -ge "$2" ] || fail 2 "$1: $_v: too small"
	echo "$_v"
}
# a0-import's own requests are retried as a0-submit's are.
retry_max=$(envnum A0_RETRY_MAX 1 1000 8) || exit
retry_time=$(envnum A0_RETRY_TIME 1 86400 600) || exit
stall=$(envnum A0_TIMEOUT 1 86400 60) || exit

case $domain in
http://* | https://*) base=${domain%/} ;;
*) base=https://${domain%/} ;;
esac
tenantname=${base#*://}
case $base in
http://127.0.0.1 | http://127.0.0.1:* | http://localhost | http://localhost:* | \
http://\[::1\] | http://\[::1\]:* | https://*) ;;
*) fail 2 "$base: plain HTTP is refused for a host that is not loopback" ;;
esac

# Colour only on a terminal, never with --no-color or NO_COLOR.
c_green='' c_faint='' c_bold='' c_red='' c_off=''
if [ "$nocolor" = false ] && [ -z "${NO_COLOR:-}" ] && [ -t 2 ]; then
	esc=$(printf '\033')
	c_green="${esc}[32m" c_faint="${esc}[2m" c_bold="${esc}[1m"
	c_red="${esc}[31m" c_off="${esc}[0m"
fi
arrow=" $c_green▸$c_off    "

tmp=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
}
trap cleanup EXIT
# Declining a prompt or interrupting it ends the run quietly, as auth0-cli.
trap 'exit 0' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
tmp=$(mktemp -d "${TMPDIR:-/tmp}/a0-import.XXXXXX") ||
    fail 3 "cannot create a temporary directory"
chmod 700 "$tmp" || fail 3 "$tmp: cannot make it private"

# jflat, an awk function: flatten one JSON text into K[1..n] (the JSON
# Pointer of each value) and V[1..n] (the scalar, strings unescaped; "{" or
# "[" for a container); returns n.  Enough JSON for Auth0's answers and
# a0-submit's result lines; records themselves never pass through it.
jflat='
function jflat(s,	n, i, len, c, d, j, str, ch, h, ptr, pre, typ, idx, key, wk) {
	n = 0; d = 0; len = length(s); i = 1
	pre[0] = ""; typ[0] = ""
	while (i <= len) {
		c = substr(s, i, 1)
		if (c == " " || c == "\t" || c == "\r" || c == "\n") { i++; continue }
		if (c == ",") {
			if (typ[d] == "a") idx[d]++; else wk[d] = 1
			i++; continue
		}
		if (c == ":") { wk[d] = 0; i++; continue }
		if (c == "}" || c == "]") { d--; i++; continue }
		if (c == "\"") {
			str = ""
			for (j = i + 1; j <= len; j++) {
				ch = substr(s, j, 1)
				if (ch == "\"") break
				if (ch == "\\") {
					j++; ch = substr(s, j, 1)
					if (ch == "n") ch = "\n"
					else if (ch == "t") ch = "\t"
					else if (ch == "r") ch = "\r"
					else if (ch == "b") ch = "\b"
					else if (ch == "f") ch = "\f"
					else if (ch == "u") {
						h = substr(s, j + 1, 4); j += 4
						ch = (h ~ /^00[2-7][0-9A-Fa-f]$/) ? \
						    sprintf("%c", hexval(h)) : "\\u" h
					}
				}
				str = str ch
			}
			i = j + 1
			if (typ[d] == "o" && wk[d]) {
				gsub(/~/, "~0", str); gsub(/\//, "~1", str)
				key[d] = str
				continue
			}
			ptr = (d == 0) ? "" : pre[d] "/" (typ[d] == "a" ? idx[d] : key[d])
			K[++n] = ptr; V[n] = str
			continue
		}
		ptr = (d == 0) ? "" : pre[d] "/" (typ[d] == "a" ? idx[d] : key[d])
		if (c == "{" || c == "[") {
			K[++n] = ptr; V[n] = c
			d++; pre[d] = ptr; typ[d] = (c == "{") ? "o" : "a"
			idx[d] = 0; wk[d] = (c == "{"); i++
			continue
		}
		for (j = i; j <= len; j++) {
			ch = substr(s, j, 1)
			if (ch == "," || ch == "}" || ch == "]" || ch == " " || \
			    ch == "\t" || ch == "\r" || ch == "\n") break
		}
		K[++n] = ptr; V[n] = substr(s, i, j - i)
		i = j
	}
	return n
}
function hexval(h,	i, v) {
	v = 0
	for (i = 1; i <= length(h); i++)
		v = v * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
	return v
}
# get(n, ptr): the value at ptr among K/V[1..n], or "".
function get(n, ptr,	i) {
	for (i = 1; i <= n; i++)
		if (K[i] == ptr) return V[i]
	return ""
}
'

# curlrun CONFIG: curl with the curl configuration CONFIG (headers and
# body: the secrets), which reaches it through a pipe from the shell's
# printf, so that no secret is ever in a process's arguments or in a
# file; rate limits (honouring Retry-After), 5xx answers and timeouts are
# tried again.  Its messages go to $tmp/curl.err.
curlrun() {
	printf '%s\n' "$1" |
	    curl -sS --config - --retry $((retry_max - 1)) \
	    --retry-max-time "$retry_time" --connect-timeout "$stall" \
	    --speed-limit 1 --speed-time "$stall" 2> "$tmp/curl.err"
}

# cfgq TEXT: TEXT quoted for a curl configuration's "...".
cfgq() {
	printf '%s' "$1" | sed 's/[\\"]/\\&/g'
}

# api STATUSVAR OUT URL CONFIG [WHAT]: one Management API request, its
# answer to OUT.  Sets STATUSVAR to the HTTP status; a network failure
# ends the run (exit 5) with a message that begins with WHAT (default: the
# URL).
api() {
	_code=$(curlrun "$4
url = \"$(cfgq "$3")\"
output = \"$(cfgq "$2")\"
write-out = \"%{http_code}\"")
	_rc=$?
	if [ "$debug" = true ]; then
		printf '%s: debug: %s -> %s\n' "$prog" "${3%%\?*}" "$_code" >&2
	fi
	if [ $_rc -ne 0 ]; then
		fail 5 "${5:-${3%%\?*}}: $(sed -n '$p' "$tmp/curl.err")"
	fi
	eval "$1=\$_code"
}

# apierr_text FILE: "error: message" of the Auth0 error answer in FILE.
apierr_text() {
	awk "$jflat"'
	    { s = s $0 "\n" }
	    END { n = jflat(s); e = get(n, "/error"); m = get(n, "/message")
		if (m == "") m = get(n, "/error_description")
		print e (e != "" && m != "" ? ": " : "") m }' "$1"
}

# apierr STATUS FILE WHAT: report an Auth0 error answer ("404 Not Found:
# message") and leave with 4, or 5 for 429 and 5xx.
apierr() {
	_msg=$(apierr_text "$2")
	case $1 in
	429 | 5??) fail 5 "$3: $1 $_msg" ;;
	*) fail 4 "$3: $1 $_msg" ;;
	esac
}

# get_token: set token to a Management API access token: AUTH0_API_TOKEN,
# or one from the client credentials grant.
get_token() {
	if [ -n "${AUTH0_API_TOKEN:-}" ]; then
		token=$AUTH0_API_TOKEN
		return
	fi
	# JSON-escape each value, then curl-config-escape the body; the
	# values reach sed through a pipe, never as arguments.
	_esc='s/[\\"]/\\&/g'
	_id=$(printf '%s' "$AUTH0_CLIENT_ID" | sed "$_esc")
	_sec=$(printf '%s' "$AUTH0_CLIENT_SECRET" | sed "$_esc")
	_aud=$(printf '%s' "$base/api/v2/" | sed "$_esc")
	_body=$(printf '{"grant_type":"client_credentials","client_id":"%s","client_secret":"%s","audience":"%s"}' \
	    "$_id" "$_sec" "$_aud" | sed "$_esc")
	api _st "$tmp/token.json" "$base/oauth/token" \
	    "header = \"Content-Type: application/json\"
data = \"$_body\""
	[ "$_st" = 200 ] || apierr "$_st" "$tmp/token.json" "$base/oauth/token"
	token=$(awk "$jflat"'{ s = s $0 "\n" }
	    END { print get(jflat(s), "/access_token") }' "$tmp/token.json")
	rm -f "$tmp/token.json"
	[ -n "$token" ] || fail 4 "$base/oauth/token: no access_token in the answer"
}

# choose TITLE FILE: a numbered menu of FILE's lines on the terminal; sets
# choice to the line chosen (the first by default) and choice_n to its
# number.
choose() {
	_n=$(wc -l < "$2")
	while :; do
		printf '%s\n' "$1" >&2
		awk '{ printf "  %d) %s\n", NR, $0 }' "$2" >&2
		printf 'Choose 1-%d [1]: ' "$_n" >&2
		IFS= read -r _ans || exit 0
		case $_ans in
		'') _ans=1 ;;
		*[!0-9]*) _ans=0 ;;
		esac
		if [ "$_ans" -ge 1 ] && [ "$_ans" -le "$_n" ]; then
			choice=$(sed -n "${_ans}p" "$2")
			choice_n=$_ans
			return
		fi
		printf 'Please answer with a number from 1 to %d.\n' "$_n" >&2
	done
}

# conns_page FILE ONLY: the connections of the answer in FILE as lines
# "id<TAB>name" (only those of strategy ONLY, when it is not empty) on
# stdout, and "TOTAL COUNT" (TOTAL -1 when the answer has none, COUNT the
# connections in the answer) in $tmp/conns.count.
conns_page() {
	awk -v only="$2" -v count="$tmp/conns.count" "$jflat"'
	{ s = s $0 "\n" }
	END {
		n = jflat(s)
		total = get(n, "/total")
		for (i = 1; i <= n; i++) {
			p = K[i]; sub(/^\/connections/, "", p)
			if (p ~ /^\/[0-9]+$/) { c++; continue }
			if (p !~ /^\/[0-9]+\/(id|name|strategy)$/) continue
			e = p; sub(/^\//, "", e); sub(/\/.*/, "", e)
			f = p; sub(/.*\//, "", f)
			A[e + 0, f] = V[i]
		}
		for (e = 0; e < c; e++) {
			if (only != "" && (e, "strategy") in A &&
			    A[e, "strategy"] != only) continue
			if (A[e, "id"] !~ /^con_[A-Za-z0-9]+$/) continue
			if (A[e, "name"] == "" || A[e, "name"] ~ /[\t\n]/) continue
			print A[e, "id"] "\t" A[e, "name"]
		}
		print (total ~ /^[0-9]+$/ ? total : -1), c + 0 > count
	}' "$1"
}

# has_clients FILE: whether the answer of GET /connections/{id}/clients in
# FILE lists at least one application.
has_clients() {
	awk "$jflat"'{ s = s $0 "\n" }
	    END { n = jflat(s); for (i = 1; i <= n; i++)
		if (K[i] == "/clients/0") exit 0
		exit 1 }' "$1"
}

# resolve_connection: conid, the id of the connection named cflag, looked
# up by name as auth0-cli does.
resolve_connection() {
	_what="failed to read connection with name \"$cflag\""
	_n=$(cfgq "$cflag")
	api _st "$tmp/conn.json" "$base/api/v2/connections" \
	    "header = \"Authorization: Bearer $token\"
get
data-urlencode = \"name=$_n\"
data = \"per_page=50&include_totals=true\"" "$_what"
	[ "$_st" = 200 ] || apierr "$_st" "$tmp/conn.json" "$_what"
	conid=$(conns_page "$tmp/conn.json" '' | awk -F '\t' -v name="$cflag" '
	    $2 == name { print $1; exit }')
	[ -n "$conid" ] || fail 4 "$_what: 404 Not Found: Connection not found"
}

# check_enabled: the connection conid (named cflag) must be enabled for at
# least one application, or Auth0 will not import into it.
check_enabled() {
	_what="failed to check enabled clients for connection \"$cflag\""
	api _st "$tmp/clients.json" "$base/api/v2/connections/$conid/clients" \
	    "header = \"Authorization: Bearer $token\"" "$_what"
	[ "$_st" = 200 ] || apierr "$_st" "$tmp/clients.json" "$_what"
	has_clients "$tmp/clients.json" ||
	    fail 4 "failed to continue due to the connection with name \"$cflag\" being disabled, enable an application on this connection and try again"
}

# enabled_page LIST: the lines of LIST ("id<TAB>name") whose connection is
# enabled for at least one application, asked in one curl run (one
# connection kept alive for all).  A connection Auth0 refuses to tell
# about (a 4xx answer) is left out with a warning, as auth0-cli leaves it
# out; a rate limit or server error that outlasts the retries ends the
# run (exit 5), since the menu would be short for no reason the user sees.
enabled_page() {
	_cfg="header = \"Authorization: Bearer $token\""
	_qb=$(cfgq "$base") _qt=$(cfgq "$tmp")
	_i=0
	while IFS='	' read -r _id _name; do
		_i=$((_i + 1))
		_cfg="$_cfg
url = \"$_qb/api/v2/connections/$_id/clients\"
output = \"$_qt/cl.$_i\"
write-out = \"%{http_code}\\n\""
	done < "$1"
	[ "$_i" -gt 0 ] || return 0
	curlrun "$_cfg" > "$tmp/cl.codes"
	_i=0
	while IFS='	' read -r _id _name; do
		_i=$((_i + 1))
		_st=$(sed -n "${_i}p" "$tmp/cl.codes")
		if [ "$debug" = true ]; then
			printf '%s: debug: %s -> %s\n' "$prog" \
			    "$base/api/v2/connections/$_id/clients" "$_st" >&2
		fi
		case $_st in
		200)
			! has_clients "$tmp/cl.$_i" ||
			    printf '%s\t%s\n' "$_id" "$_name"
			;;
		000 | '')
			fail 5 "failed to check enabled clients for connection \"$_name\": $(sed -n '$p' "$tmp/curl.err")"
			;;
		429 | 5??)
			apierr "$_st" "$tmp/cl.$_i" \
			    "failed to check enabled clients for connection \"$_name\""
			;;
		*)
			printf '%s: warning: connection "%s" left out of the menu: %s\n' \
			    "$prog" "$_name" "$(apierr_text "$tmp/cl.$_i")" >&2
			;;
		esac
		rm -f "$tmp/cl.$_i"
	done < "$1"
}

# pick_connection: a menu of the tenant's database connections enabled for
# an application, every page of them; sets cflag and conid.
pick_connection() {
	: > "$tmp/conns.txt"
	_page=0 _seen=0
	while :; do
		api _st "$tmp/conns.json" \
		    "$base/api/v2/connections?strategy=auth0&fields=id,name,strategy&include_fields=true&per_page=100&page=$_page&include_totals=true" \
		    "header = \"Authorization: Bearer $token\"" \
		    "list connections"
		[ "$_st" = 200 ] ||
		    apierr "$_st" "$tmp/conns.json" "list connections"
		conns_page "$tmp/conns.json" auth0 > "$tmp/conns.page"
		read -r _total _count < "$tmp/conns.count"
		enabled_page "$tmp/conns.page" >> "$tmp/conns.txt"
		_seen=$((_seen + _count))
		_page=$((_page + 1))
		if [ "$_count" -eq 0 ] || [ "$_seen" -ge "$_total" ] ||
		    { [ "$_total" -lt 0 ] && [ "$_count" -lt 100 ]; }; then
			break
		fi
	done
	[ -s "$tmp/conns.txt" ] ||
	    fail 4 "there are currently no active database connections to choose from"
	cut -f 2 "$tmp/conns.txt" > "$tmp/names.txt"
	choose "Connection Name:" "$tmp/names.txt"
	cflag=$choice
	conid=$(sed -n "${choice_n}p" "$tmp/conns.txt" | cut -f 1)
}

# edit_template: the template menu (unless -t), then the editor on it, as
# auth0-cli; the edited file becomes the input.
edit_template() {
	if [ -z "$tset" ]; then
		printf '%s\n' Empty "Basic Example" "Custom Password Hash Example" \
		    "MFA Factors Example" > "$tmp/templates.txt"
		choose "Template:" "$tmp/templates.txt"
		tflag=$choice
	fi
	mkdir "$tmp/edit" || fail 3 "$tmp/edit: cannot create"
	efile=$tmp/edit/$(printf '%s' "$tflag" | tr -c 'A-Za-z0-9_.-' '-').json
	a0-template "$tflag" > "$efile" || exit $?
	_ed=${VISUAL:-${EDITOR:-vi}}
	sh -c "$_ed \"\$1\"" sh "$efile" ||
	    fail 3 "failed to capture input from the editor: $_ed exited with status $?"
}

# confirm: "Do you want to import these user(s)?", default yes; no ends
# the run quietly.
confirm() {
	while :; do
		printf 'Do you want to import these user(s)? [Y/n] ' >&2
		IFS= read -r _ans || exit 0
		case $_ans in
		'' | [Yy] | [Yy][Ee][Ss]) return ;;
		[Nn] | [Nn][Oo]) exit 0 ;;
		esac
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

# The connection, before the editor, the confirmation and any user sent:
# picked from the menu or looked up by name, then checked to be enabled
# for an application, as auth0-cli does.
get_token
if [ "$interactive" = true ] && [ -z "$cset" ]; then
	pick_connection
else
	resolve_connection
fi
check_enabled

if [ "$interactive" = true ]; then
	[ "$src" != editor ] || edit_template
	confirm
fi
trap 'exit 130' INT

source_input() {
	case $src in
	users) printf '%s' "$uflag" ;;
	stdin) cat ;;
	peeked) cat "$tmp/first" - ;;
	template) a0-template "$tflag" ;;
	editor) cat "$efile" ;;
	esac
}

set -- -C "$conid" --upsert="$upsert" --email-results="$email" \
    -r "$tmp/failed.jsonl"
[ -z "$tenant" ] || set -- "$@" --tenant "$tenant"
[ "$debug" = false ] || set -- "$@" --debug
[ "$nocolor" = false ] || set -- "$@" --no-color
if [ "$debug" = true ]; then
	printf '%s: debug: a0-validate -r %s | a0-chunk -d %s | a0-submit %s\n' \
	    "$prog" "$tmp/rejects.json" "$tmp/chunks" "$*" >&2
fi
mkdir "$tmp/chunks" || fail 3 "$tmp/chunks: cannot create"

# The results: one line per job as it finishes, its chunk file removed so
# that the disk holds only the chunks still in flight; the totals at the
# end for the summary.
# shellcheck disable=SC2016 # awk's $0, not the shell's
fmt='
{
	n = jflat($0)
	id = get(n, "/job_id"); st = get(n, "/status"); f = get(n, "/file")
	if (id == "null") id = ""
	ins = get(n, "/inserted") + 0; upd = get(n, "/updated") + 0
	fl = get(n, "/failed") + 0; tot = get(n, "/total") + 0
	m = get(n, "/error"); if (m == "") m = get(n, "/details")
	sub(/\.$/, "", m)
	if (st == "skipped") next
	if (heading++ == 0)
		printf "\n%s===%s %s started user import job\n\n", faint, off, \
		    tenant > "/dev/stderr"
	if (id != "") {
		jobs++
		printf "%sJob with ID \047%s%s%s\047 successfully started.\n", \
		    arrow, bold, id, off > "/dev/stderr"
	}
	fb = f; sub(/.*\//, "", fb)
	what = (id != "") ? "Job \047" id "\047" : "Chunk " fb
	if (st == "completed")
		printf "%s%s completed: %d inserted, %d updated, " \
		    "%s%d failed%s, %d total.\n", arrow, what, ins, upd, \
		    (fl ? red : ""), fl, (fl ? off : ""), tot > "/dev/stderr"
	else {
		printf "%s%s %s%s%s%s%s.\n", arrow, what, red, \
		    (st == "" ? "failed" : st), (m == "" ? "" : ": "), m, off \
		    > "/dev/stderr"
		if (tot > ins + upd + fl) fl = tot - ins - upd
	}
	fflush("/dev/stderr")
	I += ins; U += upd; F += fl; N += tot
	if (index(f, chunks "/") == 1 && f !~ /\047/)
		system("rm -f \047" f "\047")
}
END { print jobs + 0, I + 0, U + 0, F + 0, N + 0 > totals }
'

# Each stage's exit status goes to a file, so none is lost in the pipe.
{
	source_input
	echo $? > "$tmp/st.src"
} | {
	a0-validate -r "$tmp/rejects.json"
	echo $? > "$tmp/st.val"
} | {
	a0-chunk -d "$tmp/chunks"
	echo $? > "$tmp/st.chk"
} | {
	a0-submit "$@"
	echo $? > "$tmp/st.sub"
} | {
	awk -v arrow="$arrow" -v faint="$c_faint" -v off="$c_off" \
	    -v bold="$c_bold" -v red="$c_red" -v tenant="$tenantname" \
	    -v chunks="$tmp/chunks" -v totals="$tmp/totals" "$jflat$fmt"
	echo $? > "$tmp/st.fmt"
}

# Each failed user and Auth0's reasons, one line per reason.
if [ -s "$tmp/failed.jsonl" ]; then
	awk -v arrow="$arrow" -v red="$c_red" -v off="$c_off" "$jflat"'
	{
		n = jflat($0)
		who = get(n, "/user/email")
		if (who == "") who = get(n, "/user/user_id")
		if (who == "") who = get(n, "/user/username")
		if (who == "") who = "user " NR
		for (e = 0; ; e++) {
			c = get(n, "/errors/" e "/code")
			m = get(n, "/errors/" e "/message")
			if (c == "" && m == "") break
			p = get(n, "/errors/" e "/path")
			printf "%s%sFailed%s: %s: %s: %s%s\n", arrow, red, off, \
			    who, c, m, (p == "" ? "" : " (" p ")") > "/dev/stderr"
		}
		if (e == 0)
			printf "%s%sFailed%s: %s\n", arrow, red, off, who \
			    > "/dev/stderr"
	}' "$tmp/failed.jsonl"
fi

# The records a0-validate left out (it has said why, above).
rejected=0
if [ -s "$tmp/rejects.json" ]; then
	rejected=$(awk '
	{
		s = $0
		while (s != "") {
			if (instr) {
				if (!match(s, /[\\"]/)) break
				c = substr(s, RSTART, 1)
				if (c == "\\") { s = substr(s, RSTART + 2); continue }
				instr = 0; s = substr(s, RSTART + 1); continue
			}
			if (!match(s, /[][{}"]/)) break
			c = substr(s, RSTART, 1); s = substr(s, RSTART + 1)
			if (c == "\"") instr = 1
			else if (c == "{" || c == "[") { if (d++ == 1 && c == "{") n++ }
			else d--
		}
	}
	END { print n + 0 }' "$tmp/rejects.json")
fi

# exit status: each stage's, worst first: 2 (fix the command), 3 (the
# input or disk), 4 (the tenant), 5 (try again), 1 (some users), 0.  A
# stage killed by SIGPIPE because a later one gave up does not count.
status=0
later=0
for stage in fmt sub chk val src; do
	if [ -s "$tmp/st.$stage" ]; then
		s=$(cat "$tmp/st.$stage")
	else
		s=141
	fi
	case $stage in
	src) name="input" ;;
	val) name=a0-validate ;;
	chk) name=a0-chunk ;;
	sub) name=a0-submit ;;
	fmt) name="result reader" ;;
	esac
	if [ "$s" -gt 128 ] && [ "$later" -ne 0 ]; then
		continue
	fi
	case $s in
	[0-5]) ;;
	*)
		printf '%s: %s: exited with status %s\n' "$prog" "$name" "$s" >&2
		s=3
		;;
	esac
	[ "$s" -eq 0 ] || later=1
	for w in 2 3 4 5 1; do
		if [ "$s" -eq "$w" ] || [ "$status" -eq "$w" ]; then
			status=$w
			break
		fi
	done
done

jobs=0 ins=0 upd=0 failed=0 total=0
[ ! -s "$tmp/totals" ] || read -r jobs ins upd failed total < "$tmp/totals"
if [ "$total" -eq 0 ] && [ "$rejected" -eq 0 ]; then
	if [ "$status" -eq 0 ]; then
		printf '%sNothing to import: the input holds no users.\n' \
		    "$arrow" >&2
	fi
	exit "$status"
fi
if [ "$jobs" -gt 0 ] && [ "$email" = true ]; then
	printf '%sResults of your user import job will be sent to your email.\n' \
	    "$arrow" >&2
fi
imported=$((ins + upd))
printf '\n%s===%s %s imported %d of %d users in %d job%s: %d inserted, %d updated, %d failed' \
    "$c_faint" "$c_off" "$tenantname" "$imported" "$((total + rejected))" \
    "$jobs" "$([ "$jobs" -eq 1 ] || echo s)" "$ins" "$upd" "$failed" >&2
if [ "$rejected" -gt 0 ]; then
	printf ', %d rejected by a0-validate' "$rejected" >&2
fi
printf '\n' >&2
exit "$status"
