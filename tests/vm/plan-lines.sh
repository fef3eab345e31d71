# Sourced: plan_lines prints plans.txt as NAME|KERNEL|CASE|START|PARAMS|REQS
# with the padding trimmed.
plan_lines() {
	grep -v '^#' "$1" | grep -v '^[[:space:]]*$' |
		sed 's/[[:space:]]*|[[:space:]]*/|/g; s/^[[:space:]]*//; s/[[:space:]]*$//'
}
