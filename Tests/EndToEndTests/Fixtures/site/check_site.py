#!/usr/bin/env python3
"""Checks a built course site: every HTML page parses with html5lib (the WHATWG parser) without errors, every
internal link and asset exists (anchors included), and the search index finds the given words.

    check_site.py SITE_DIR WORD [WORD...]        prints 'ok: N pages, M links' or the problems, exit 1
    check_site.py --png FILE.png                 exit 1 if the screenshot is blank (one colour)
    check_site.py --gradebook FILE.sqlite        writes a small gradebook (GRDB schema v1) for the grades pages
"""
import json, os, re, sqlite3, sys, urllib.parse

def check_site(root, words):
    import html5lib
    problems, pages, links = [], 0, 0
    ids = {}
    hrefs = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".html"):
                continue
            path = os.path.join(dirpath, f)
            pages += 1
            parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
            doc = parser.parse(open(path, "rb").read())
            for pos, code, data in parser.errors:
                problems.append(f"{path}:{pos[0]}: html5lib: {code} {data}")
            ids[os.path.abspath(path)] = {e.get("id") for e in doc.iter() if e.get("id")}
            for e in doc.iter():
                for attr in ("href", "src"):
                    v = e.get(attr)
                    if v:
                        hrefs.append((path, v))
    for page, v in hrefs:
        u = urllib.parse.urlparse(v)
        if u.scheme or v.startswith("//"):
            problems.append(f"{page}: external link {v} (the site must work offline)")
            continue
        links += 1
        target = os.path.abspath(os.path.join(os.path.dirname(page), urllib.parse.unquote(u.path))) if u.path else os.path.abspath(page)
        if not os.path.exists(target):
            problems.append(f"{page}: broken link {v}")
        elif u.fragment and target.endswith(".html") and u.fragment not in ids.get(target, set()):
            problems.append(f"{page}: link {v}: no element with id {u.fragment}")
    index = open(os.path.join(root, "assets/search-index.js"), encoding="utf-8").read()
    docs = json.loads(index[index.index("["):index.rindex("]") + 1])
    for w in words:
        if not any(w.lower() in d["x"] or w.lower() in d["t"].lower() for d in docs):
            problems.append(f"search index: no section contains '{w}'")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"ok: {pages} pages, {links} internal links")
    return 0

def check_png(path):
    from PIL import Image
    im = Image.open(path).convert("RGB")
    colours = im.getcolors(maxcolors=1 << 16)
    n = len(colours) if colours is not None else 1 << 16
    print(f"{path}: {im.size[0]}x{im.size[1]}, {n} colours")
    return 0 if n > 8 else 1

def make_gradebook(path):
    db = sqlite3.connect(path)
    db.executescript("""
    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
    INSERT INTO grdb_migrations VALUES ('v1');
    CREATE TABLE lab (id TEXT PRIMARY KEY, title TEXT, due TEXT, late_per_day REAL, late_max REAL, max_score REAL NOT NULL);
    CREATE TABLE student (id TEXT PRIMARY KEY);
    CREATE TABLE submission (student_id TEXT NOT NULL REFERENCES student(id), lab_id TEXT NOT NULL REFERENCES lab(id),
        submitted_at TEXT, graded_at TEXT NOT NULL, input_hash TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
        build_ok INTEGER NOT NULL, seconds REAL NOT NULL, PRIMARY KEY (student_id, lab_id));
    CREATE TABLE test_result (student_id TEXT NOT NULL, lab_id TEXT NOT NULL, test_id TEXT NOT NULL, position INTEGER NOT NULL,
        status TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, visibility TEXT NOT NULL, message TEXT NOT NULL,
        seconds REAL NOT NULL, PRIMARY KEY (student_id, lab_id, test_id));
    CREATE TABLE override (student_id TEXT NOT NULL, lab_id TEXT NOT NULL, test_id TEXT NOT NULL DEFAULT '', score REAL NOT NULL,
        reason TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (student_id, lab_id, test_id));
    INSERT INTO lab VALUES ('1', 'Counting tokens', '2026-11-20T23:59:00Z', 0.1, 0.5, 3);
    """)
    # alice: full marks on time; bob: misses the hard test, a day late; carol: misses both, one test overridden.
    for sid, at, scores in [("alice", "2026-11-20T10:00:00Z", (1, 2)), ("bob", "2026-11-21T12:00:00Z", (1, 0)),
                            ("carol", "2026-11-19T09:00:00Z", (0, 0))]:
        db.execute("INSERT INTO student VALUES (?)", (sid,))
        db.execute("INSERT INTO submission VALUES (?, '1', ?, '2026-11-22T00:00:00Z', 'h', ?, 3, 1, 1.0)", (sid, at, sum(scores)))
        for pos, (tid, mx) in enumerate([("CountTests/testEasy", 1), ("CountTests/testHardZebra", 2)]):
            db.execute("INSERT INTO test_result VALUES (?, '1', ?, ?, ?, ?, ?, 'visible', '', 0.1)",
                       (sid, tid, pos, "passed" if scores[pos] == mx else "failed", scores[pos], mx))
    db.execute("INSERT INTO override VALUES ('carol', '1', 'CountTests/testEasy', 1, 'regrade', '2026-11-23T00:00:00Z')")
    db.commit()
    return 0

if __name__ == "__main__":
    if sys.argv[1] == "--png":
        sys.exit(check_png(sys.argv[2]))
    if sys.argv[1] == "--gradebook":
        sys.exit(make_gradebook(sys.argv[2]))
    sys.exit(check_site(sys.argv[1], sys.argv[2:]))
