#!/bin/sh
# migrate-export.sh: import an Auth0 user export (NDJSON, one user per line,
# as Auth0's export job writes it, gzipped or not) into another tenant's
# database connection.
#
#	usage: migrate-export.sh [-U] [-c connection] [export.ndjson[.gz] ...]
#
# The target tenant's credentials come from the environment: AUTH0_DOMAIN,
# and AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET or AUTH0_API_TOKEN.  -U updates
# users that already exist (--upsert).  With no file, the export is read
# from the standard input.
#
# Each user keeps only the fields Auth0's import schema allows (an export
# also has created_at, identities, logins_count, last_login, ...), and its
# user_id loses the "auth0|" prefix that Auth0 adds.  Users of other
# connections (a user_id such as "google-oauth2|...") are left out: they
# cannot live in a database connection.  An export holds no password
# hashes: the imported users set their password through a reset.
#
# The exit status is a0-import's (see a0(7)), or 3 when the export cannot
# be read or is not JSON.

conn=Username-Password-Authentication
upsert=false
while getopts c:U opt; do
	case $opt in
	c) conn=$OPTARG ;;
	U) upsert=true ;;
	*)
		echo "usage: migrate-export.sh [-U] [-c connection]" \
		    "[export.ndjson[.gz] ...]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))

command -v jq > /dev/null || {
	echo "migrate-export.sh: jq is needed (apt-get install jq)" >&2
	exit 2
}

st=$(mktemp -d "${TMPDIR:-/tmp}/migrate-export.XXXXXX") || exit 3
trap 'rm -rf "$st"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The fields of Auth0's user import schema; everything else is dropped.
filter='
def keep: ["email", "email_verified", "user_id", "username", "given_name",
    "family_name", "name", "nickname", "picture", "blocked",
    "password_hash", "custom_password_hash", "app_metadata",
    "user_metadata", "mfa_factors"];
select(type == "object")
| select((.user_id // "auth0|") | type != "string" or startswith("auth0|"))
| if .user_id then .user_id |= sub("^auth0\\|"; "") else . end
| with_entries(select(.key as $k | any(keep[]; . == $k)))
'

# Each stage's exit status is kept in a file: a failure anywhere is seen.
{
	if [ $# -eq 0 ]; then
		cat
	else
		for f; do
			case $f in
			*.gz) gzip -dc -- "$f" ;;
			*) cat -- "$f" ;;
			esac || exit
		done
	fi
	echo $? > "$st/read"
} | {
	jq -c "$filter"
	echo $? > "$st/jq"
} | a0-import -c "$conn" --no-input --upsert="$upsert" --email-results=false
status=$?

# A reader that stopped early while a0-import finished: the export was
# cut short (unreadable, or not JSON).  When a0-import failed, its status
# says more.
if [ "$status" -le 1 ]; then
	for s in read jq; do
		if [ "$(cat "$st/$s" 2> /dev/null)" != 0 ]; then
			echo "migrate-export.sh: the export could not be read" \
			    "or is not JSON" >&2
			status=3
			break
		fi
	done
fi
exit "$status"
