#!/usr/bin/env python3
# reader-gen.py: write a JSON array of varied user records (escapes,
# non-ASCII names, nested metadata), one record per line, of about the
# size given in megabytes (default 150), to stdout.
import json
import random
import sys

size = int(sys.argv[1]) if len(sys.argv) > 1 else 150
rnd = random.Random(1)
first = ["Ana", "José", "Zoë", "Łukasz", "Ærin", "李", "Мария", "Søren",
         "Chloé", "O'Brien", "Nguyễn", "Ω"]
last = ["García", "Müller", "Smith", "Dubois", "Kowalski", "Иванов",
        "O\"Hara", "Tanaka", "Nørgaard", "van\\Dijk"]
tags = ["beta", "vip", "legacy", "trial", "emoji-😀", "tab\there"]
out = sys.stdout
out.write("[\n")
n = 0
total = 0
limit = size * 1000 * 1000
while total < limit:
    f, l = rnd.choice(first), rnd.choice(last)
    u = {
        "email": "user%d@example%d.com" % (n, n % 97),
        "email_verified": rnd.random() < 0.5,
        "given_name": f,
        "family_name": l,
        "name": f + " " + l,
        "nickname": "u%d" % n,
        "user_id": "import|%08x" % rnd.getrandbits(32),
        "blocked": False,
        "picture": "https://example.com/p/%d.png?r=pg" % n,
        "user_metadata": {
            "bio": "Line one\nLine \"two\" <b>" + f + "</b>\tend",
            "plan": rnd.choice(["free", "pro", "team"]),
            "score": rnd.randint(-1000, 100000),
            "ratio": round(rnd.random() * 100, 4),
            "tags": rnd.sample(tags, 3),
            "address": {"city": rnd.choice(["Zürich", "São Paulo", "Kraków",
                                            "Reykjavík", "東京"]),
                        "zip": "%05d" % rnd.randint(0, 99999)},
        },
        "app_metadata": {"roles": ["user"], "signup": 1.5e9 + n,
                         "flags": [True, None, 0]},
    }
    s = json.dumps(u, ensure_ascii=rnd.random() < 0.3)
    out.write(("" if n == 0 else ",\n") + s)
    total += len(s) + 2
    n += 1
out.write("\n]\n")
