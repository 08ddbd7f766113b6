#!/usr/bin/env python3
"""Builds testdata/detect/benign-hosts.txt.zst, the real host names the
benign corpus (src/detect/testing/benign_corpus.h) is made of.

Source: the EasyList and EasyPrivacy filter lists and uBlock Origin's own
filters as Debian ships them (package webext-ublock-origin-firefox), which
name tens of thousands of real advertising, analytics, CDN and publisher
hosts: real registered domains with their real, often machine-generated,
subdomains. The malware lists of the same package (urlhaus, badware) are
left out. Names are kept only under a TLD of the bundled root zone, and a
name counts as a host when it has a label left of its registered domain.

Usage: scripts/make-benign-hosts.py [OUT]   (downloads the .deb with apt)
"""
import glob, gzip, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "testdata/detect/benign-hosts.txt.zst")

tmp = tempfile.mkdtemp()
subprocess.run(["apt-get", "download", "webext-ublock-origin-firefox"], cwd=tmp, check=True)
deb = glob.glob(os.path.join(tmp, "*.deb"))[0]
subprocess.run(["dpkg-deb", "-x", deb, os.path.join(tmp, "x")], check=True)
assets = glob.glob(os.path.join(tmp, "x/usr/share/mozilla/extensions/*/uBlock0*/assets"))[0]
lists = [os.path.join(assets, p) for p in (
    "thirdparties/easylist/easylist.txt", "thirdparties/easylist/easyprivacy.txt",
    "ublock/filters.min.txt", "ublock/privacy.min.txt", "ublock/unbreak.min.txt", "ublock/quick-fixes.min.txt")]

tlds = set()
zones = sorted(glob.glob(os.path.join(ROOT, "testdata/rootzone/full/*.zone.gz")))
with gzip.open(zones[-1], "rt") as f:
    for line in f:
        parts = line.split()
        if len(parts) >= 4 and parts[3].upper() == "NS" and parts[0].count(".") == 1:
            tlds.add(parts[0].rstrip(".").lower())

rules, exceptions, wild = set(), set(), set()
for line in open("/usr/share/publicsuffix/public_suffix_list.dat", encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("//"):
        continue
    line = line.encode("idna").decode() if not line.isascii() else line
    if line.startswith("!"):
        exceptions.add(line[1:])
    elif line.startswith("*."):
        wild.add(line[2:])
    else:
        rules.add(line)


def registered(name):
    labels = name.split(".")
    for i in range(len(labels)):
        suffix = ".".join(labels[i:])
        if suffix in exceptions:
            return suffix
        parent = ".".join(labels[i + 1:])
        if suffix in rules or parent in wild:
            return ".".join(labels[i - 1:]) if i > 0 else None
    return ".".join(labels[-2:]) if len(labels) >= 2 else None


host_re = re.compile(r"(?<![a-z0-9._-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(?![a-z0-9-])")
hosts = set()
for path in lists:
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("!"):
            continue
        for m in host_re.finditer(line.lower()):
            name = m.group(1)
            if name.rsplit(".", 1)[-1] in tlds and len(name) <= 253:
                hosts.add(name)

domains = {registered(h) for h in hosts} - {None}
text = "".join(h + "\n" for h in sorted(hosts))
os.makedirs(os.path.dirname(out), exist_ok=True)
subprocess.run(["zstd", "-19", "-q", "-f", "-o", out], input=text.encode(), check=True)
print(f"{out}: {len(hosts)} names, {len(domains)} registered domains")
