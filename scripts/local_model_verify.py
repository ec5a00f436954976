"""Check the files in the current directory against the sha256 pins of a pip lock file (exit 1 on a mismatch)."""
import hashlib
import pathlib
import re
import sys

def main(lock: str) -> int:
    """Verify every pinned package's downloaded file; print the first mismatch."""
    for line in pathlib.Path(lock).read_text().splitlines():
        m = re.match(r"([A-Za-z0-9_.-]+)==(\S+) --hash=sha256:([0-9a-f]{64})", line)
        if not m:
            continue
        name, version, want = m.groups()
        stem = f"{name.replace('-', '_')}-{version}"
        files = [f for f in pathlib.Path(".").iterdir() if f.name.startswith(stem + "-") or f.name == stem + ".tar.gz"]
        if not files:
            print(f"missing: {name}=={version}", file=sys.stderr)
            return 1
        got = hashlib.sha256(files[0].read_bytes()).hexdigest()
        if got != want:
            print(f"sha256 mismatch: {files[0].name}", file=sys.stderr)
            return 1
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
