#!/bin/bash
# The README's layout table names every file of src/: a row whose first
# cell names the file's folder must name the file (`name`), so that a file
# added without a word in the README fails here.
# Usage: readme.sh SOURCE_ROOT
set -u
root=${1:-.}
table=$(sed -n '/^| path | what |/,/^$/p' "$root/README.md")
[ -n "$table" ] || { echo "README.md: no layout table (| path | what |)"; exit 1; }
missing=0 n=0
while IFS= read -r f; do
	n=$((n + 1))
	dir=${f%/*}/ base=${f##*/}
	if ! grep -F -- "| \`$dir" <<<"$table" | grep -qF -- "\`$base\`"; then
		echo "README.md's layout table does not name $f (a row for \`$dir\` naming \`$base\`)"
		missing=$((missing + 1))
	fi
done < <(cd "$root" && { git ls-files src 2>/dev/null || find src -type f; } | sort -u)
echo "layout: $n files of src/, $missing not in the README's table"
[ "$missing" -eq 0 ]
