#!/usr/bin/env bash
# Build the collection artifact into build/dist/ and check its content.
#
# Lists the tarball and fails if anything that is not collection content
# (tooling, simulator, simulator/integration tests, local state) got in, if a
# shipped file is unknown to git (ignored junk such as caches), or if the
# essentials are missing.
set -euo pipefail

cd "$(dirname "$0")/.."
bin=$PWD/.venv/bin
out=build/dist

rm -rf "$out"
mkdir -p "$out"
"$bin/ansible-galaxy" collection build --force --output-path "$out" .
tarball=$(ls "$out"/keyfactor-command-*.tar.gz)

echo ">> content of $tarball"
tar -tzf "$tarball" | LC_ALL=C sort | tee "$out/content.txt"

status=0
forbidden='^(\.venv|\.ci|\.ansible|build|requirements|scripts|simulator|tests/(simulator|integration|output))(/|$)|^(Makefile|\.gitignore|\.ansible-lint)$|(^|/)(__pycache__|\.state|\.git|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.tox|\.nox)(/|$)|\.(pyc|tar\.gz)$'
if grep -E "$forbidden" "$out/content.txt"; then
    echo "ERROR: the files above are not collection content; extend build_ignore in galaxy.yml" >&2
    status=1
fi
# Every shipped file must be one git knows (committed or new, not ignored).
git ls-files --cached --others --exclude-standard | LC_ALL=C sort > "$out/git-files.txt"
grep -v -e '/$' -e '^MANIFEST.json$' -e '^FILES.json$' "$out/content.txt" \
    | LC_ALL=C comm -23 - "$out/git-files.txt" > "$out/unknown.txt" || true
if [[ -s $out/unknown.txt ]]; then
    cat "$out/unknown.txt"
    echo "ERROR: the files above are ignored by git or unknown to it; extend build_ignore in galaxy.yml" >&2
    status=1
fi
for required in MANIFEST.json FILES.json README.md LICENSE meta/runtime.yml \
                 changelogs/changelog.yaml plugins/modules/store_certificate.py; do
    if ! grep -qx "$required" "$out/content.txt"; then
        echo "ERROR: $required is missing from $tarball" >&2
        status=1
    fi
done
exit "$status"
