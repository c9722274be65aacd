#!/bin/sh
# a0-validate on every JSONTestSuite parsing document placed as a metadata
# value: y_ documents are accepted as JSON (exit 0, or 1 for a rule such
# as a '.' in a key or a key given twice), n_ documents stop the run with
# exit 3 and a position.
. "${0%/*}/lib.sh"

D=$A0_JSONTESTSUITE/test_parsing
[ -d "$D" ] || skip_all "no JSONTestSuite at $D"

for f in "$D"/y_*.json "$D"/n_*.json; do
	b=${f##*/}
	{
		printf '[{"email":"a@example.com","user_metadata":{"v":'
		cat "$f"
		printf '}}]\n'
	} > "$T/in.json"
	a0-validate -n "$T/in.json" > "$T/out" 2> "$T/err"
	rc=$?
	case $b in
	y_*)
		ok "$b accepted" sh -c '
		    [ "$1" -eq 0 ] && ! [ -s "$2" ] && exit 0
		    [ "$1" -eq 1 ] &&
		    ! grep -Ev ": (METADATA_KEY|DUPLICATE_KEY): " "$2" && exit 0
		    sed "s/^/#   /" "$2"; exit 1' sh "$rc" "$T/err"
		;;
	n_*)
		ok "$b refused" sh -c '
		    [ "$1" -eq 3 ] && grep -q "^a0-validate: .*in.json:[0-9]*:[0-9]*: " "$2" &&
		    exit 0
		    echo "#   exit $1"; sed "s/^/#   /" "$2"; exit 1' sh "$rc" "$T/err"
		;;
	esac
done

done_testing
