#!/bin/sh
# from-django.sh: move a Django site's users into an Auth0 database
# connection, passwords included, in one pipeline.
#
#	usage: from-django.sh [-c connection] [-a accounts] [-R resets]
#	    [users.json]
#
# users.json is what "./manage.py dumpdata auth.user" writes (standard
# input when absent).  The tenant's credentials come from the environment:
# AUTH0_DOMAIN, and AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET or AUTH0_API_TOKEN.
#
# Users whose password hash Auth0 cannot verify (bcrypt_sha256, crypt, an
# unusable password, ...) are imported without one and listed in the reset
# file (default resets.jsonl, mode 0600), one JSON object a line: send
# each a password reset, e.g. jq -r .user.email resets.jsonl.  With -a, the
# test accounts in that file (email TAB plaintext) are proven first, as
# Auth0 would compute them; nothing is sent unless every one matches.
#
# Prints a0-submit's result line for each job.  The exit status is the
# highest of the stages' (see a0(7)): 1 when a user was left out or failed.

conn=Username-Password-Authentication
accounts=
resets=resets.jsonl
while getopts a:c:R: opt; do
	case $opt in
	a) accounts=$OPTARG ;;
	c) conn=$OPTARG ;;
	R) resets=$OPTARG ;;
	*)
		echo "usage: from-django.sh [-c connection] [-a accounts]" \
		    "[-R resets] [users.json]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 1 ] || { [ -n "$accounts" ] && [ $# -eq 0 ]; }; then
	echo "usage: from-django.sh [-c connection] [-a accounts]" \
	    "[-R resets] [users.json]" >&2
	exit 2
fi

st=$(mktemp -d "${TMPDIR:-/tmp}/from-django.XXXXXX") || exit 3
trap 'rm -rf "$st"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The proof: a0-convert --check prints a line per account, ok or not.
if [ -n "$accounts" ] &&
    a0-convert -f django --check "$accounts" "$1" 2>&1 > /dev/null |
    grep -e ': mismatch: ' -e ': not in the input$' -e ': no hash to check' \
    -e ': cannot compute ' >&2; then
	echo "from-django.sh: a test account would not log in: nothing was" \
	    "sent" >&2
	exit 1
fi

# Each stage's exit status is kept in a file: a failure anywhere is seen.
{ a0-convert -f django -R "$resets" ${1+"$1"}; echo $? > "$st/convert"; } |
    { a0-validate; echo $? > "$st/validate"; } |
    { a0-chunk -d "$st/chunks"; echo $? > "$st/chunk"; } |
    a0-submit -c "$conn"
status=$?
for s in convert validate chunk; do
	s=$(cat "$st/$s" 2> /dev/null || echo 3)
	[ "$s" -gt "$status" ] && status=$s
done
exit "$status"
