#!/usr/bin/env python3
"""convert.py: what a0-convert -f csv --hash bcrypt does, as a short
Python script would do it with the csv and json modules: the reference
a0-convert's speed is measured against (bench/run).

usage: convert.py users.csv > users.ndjson

Columns as bench/gen-csv writes them: id, email, first_name, last_name,
email_verified, plan, password.  Each row becomes one Auth0 import record
on a line, the bcrypt hash as custom_password_hash when it is one; the
count of users without one goes to stderr.
"""

import csv
import json
import re
import sys

BCRYPT = re.compile(r"^\$2[aby]\$[0-3][0-9]\$[./A-Za-z0-9]{53}$")


def main():
    resets = 0
    out = sys.stdout
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rec = {"email": row["email"]}
            if row["email_verified"]:
                rec["email_verified"] = row["email_verified"] == "true"
            if row["first_name"]:
                rec["given_name"] = row["first_name"]
            if row["last_name"]:
                rec["family_name"] = row["last_name"]
            rec["user_id"] = row["id"]
            if row["plan"]:
                rec["user_metadata"] = {"plan": row["plan"]}
            rec["app_metadata"] = {"source": "csv", "source_id": row["id"]}
            if BCRYPT.match(row["password"]):
                rec["custom_password_hash"] = {
                    "algorithm": "bcrypt",
                    "hash": {"value": row["password"], "encoding": "utf8"}}
            else:
                resets += 1
            out.write(json.dumps(rec, ensure_ascii=False,
                                 separators=(",", ":")))
            out.write("\n")
    sys.stderr.write("%d users to reset\n" % resets)


if __name__ == "__main__":
    main()
