#!/bin/sh
# from-keycloak.sh: move a Keycloak realm's users into an Auth0 database
# connection, passwords included, in one pipeline.
#
#	usage: from-keycloak.sh [-c connection] [-R resets] dir | file ...
#
# The input is what "kc.sh export --dir DIR --realm REALM" writes: DIR
# itself (its REALM-realm.json and REALM-users-N.json files are all read;
# with the default --users different_files, the users are in the latter),
# or the files.  The tenant's credentials come from the environment:
# AUTH0_DOMAIN, and AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET or AUTH0_API_TOKEN.
#
# pbkdf2 (sha1, sha256, sha512) and argon2 (id, i) passwords carry over.
# Users without a password credential (federated from LDAP, social only)
# or with one Auth0 cannot verify are imported without it and listed in
# the reset file (default resets.jsonl, mode 0600), one JSON object a line.
#
# Prints a0-submit's result line for each job.  The exit status is the
# highest of the stages' (see a0(7)): 1 when a user was left out or failed.

conn=Username-Password-Authentication
resets=resets.jsonl
usage() {
	echo "usage: from-keycloak.sh [-c connection] [-R resets]" \
	    "dir | file ..." >&2
	exit 2
}
while getopts c:R: opt; do
	case $opt in
	c) conn=$OPTARG ;;
	R) resets=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
if [ $# -eq 1 ] && [ -d "$1" ]; then
	set -- "$1"/*.json
	[ -e "$1" ] || {
		echo "from-keycloak.sh: no .json file in the directory" >&2
		exit 3
	}
fi

st=$(mktemp -d "${TMPDIR:-/tmp}/from-keycloak.XXXXXX") || exit 3
trap 'rm -rf "$st"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Each stage's exit status is kept in a file: a failure anywhere is seen.
{ a0-convert -f keycloak -R "$resets" "$@"; echo $? > "$st/convert"; } |
    { a0-validate; echo $? > "$st/validate"; } |
    { a0-chunk -d "$st/chunks"; echo $? > "$st/chunk"; } |
    a0-submit -c "$conn"
status=$?
for s in convert validate chunk; do
	s=$(cat "$st/$s" 2> /dev/null || echo 3)
	[ "$s" -gt "$status" ] && status=$s
done
exit "$status"
