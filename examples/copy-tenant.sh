#!/bin/sh
# copy-tenant.sh: copy a database connection's users from one tenant to
# another, then prove the copy whole.
#
#	usage: copy-tenant.sh [-H hashes] [-w dir] src-tenant src-connection
#	           dst-tenant dst-connection
#
# The copy is one pipeline (with the source's records kept in passing):
#
#	a0-export --tenant SRC -c SRC_CONN | a0-validate | a0-chunk -d DIR |
#	    a0-submit --tenant DST -c DST_CONN
#
# then the target is exported in turn, and every source user that is
# missing there, or whose copied fields differ, is reported on stderr.
# The credentials of both tenants come from the credentials file (one
# line per tenant, mode 0600; see a0(7)), or from the environment.  -H
# joins the password hashes Auth0 support provided for the source.  -w
# keeps the work files (the chunks, the two exports, the results) in dir;
# by default they go to a temporary directory, removed at the end.
#
# Exit status: 0 when every source user is in the target as it was, 1
# when some are missing or differ (or were left out of the export), else
# that of the stage that failed (see a0(7)).  It needs jq.

hashes=
work=
while getopts H:w: opt; do
	case $opt in
	H) hashes=$OPTARG ;;
	w) work=$OPTARG ;;
	*) echo "usage: copy-tenant.sh [-H hashes] [-w dir] src-tenant" \
	    "src-connection dst-tenant dst-connection" >&2
	    exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 4 ]; then
	echo "usage: copy-tenant.sh [-H hashes] [-w dir] src-tenant" \
	    "src-connection dst-tenant dst-connection" >&2
	exit 2
fi
src=$1 sconn=$2 dst=$3 dconn=$4
command -v jq > /dev/null || {
	echo "copy-tenant.sh: jq is needed (apt-get install jq)" >&2
	exit 2
}

umask 077
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/copy-tenant.XXXXXX") || exit 3
	trap 'rm -rf "$work"' EXIT
else
	mkdir -p "$work" || exit 3
fi
trap 'exit 130' INT
trap 'exit 143' TERM

# The copy.  Each stage's exit status is kept in a file: a failure
# anywhere is seen, not only the last stage's.
{
	a0-export --tenant "$src" -c "$sconn" ${hashes:+--hashes "$hashes"}
	echo $? > "$work/export.st"
} | tee "$work/source.ndjson" | {
	a0-validate
	echo $? > "$work/validate.st"
} | {
	a0-chunk -d "$work/chunks"
	echo $? > "$work/chunk.st"
} | a0-submit --tenant "$dst" -c "$dconn" -r "$work/failed.jsonl" \
    > "$work/results.jsonl"
echo $? > "$work/submit.st"
# The first stage to fail outright says why (1 is a partial success); a
# stage killed by a signal (SIGPIPE: a later stage stopped) says least.
for pass in status signal; do
	for s in export validate chunk submit; do
		s=$(cat "$work/$s.st")
		case $pass:$s in
		status:[2-5] | signal:*[0-9][0-9]) exit "$s" ;;
		esac
	done
done

# The proof: the target's users, exported, against the source's.
a0-export --tenant "$dst" -c "$dconn" > "$work/target.ndjson"
tst=$?
[ "$tst" -gt 1 ] && exit "$tst"

# One line per user, "user_id<TAB>fields", keys sorted; hashes are left
# out: Auth0 never exports them.
norm() {
	jq -r 'del(.password_hash, .custom_password_hash) |
	    [.user_id, (to_entries | sort_by(.key) | from_entries | tojson)] |
	    @tsv' "$1" | LC_ALL=C sort
}
norm "$work/source.ndjson" > "$work/source.sorted" || exit 3
norm "$work/target.ndjson" > "$work/target.sorted" || exit 3
cut -f 1 "$work/target.sorted" > "$work/target.ids"
LC_ALL=C comm -23 "$work/source.sorted" "$work/target.sorted" |
    cut -f 1 > "$work/wrong.ids"
bad=0
while IFS= read -r id; do
	if grep -Fqx -- "$id" "$work/target.ids"; then
		echo "copy-tenant.sh: $id: differs in the target" >&2
	else
		echo "copy-tenant.sh: $id: missing in the target" >&2
	fi
	bad=$((bad + 1))
done < "$work/wrong.ids"
n=$(wc -l < "$work/source.sorted" | tr -d ' ')
if [ "$bad" -gt 0 ]; then
	echo "copy-tenant.sh: $bad of $n users not copied whole" >&2
	exit 1
fi
echo "copy-tenant.sh: $n users copied from $src to $dst, all whole" >&2
[ "$(cat "$work/export.st")" = 0 ] || exit 1
exit 0
