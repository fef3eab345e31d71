/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The order acsctl show lists a fabric in, for show and report alike. */
#include <stdlib.h>

#include "cli.h"

int cli_tree_walk(const acs_fabric *f, const struct cli_tree_visit *v)
{
	/* depth-first with an explicit stack: one frame per bus being listed */
	struct frame { size_t next, end; } *stack = malloc(CLI_TREE_MAX_DEPTH * sizeof(*stack));
	size_t n = acs_fabric_count(f), i = 0;

	if (!stack)
		return -1;
	while (i < n) {
		const struct acs_func *root = acs_fabric_func(f, i);
		size_t end = i, depth = 0;

		if (acs_fabric_parent(f, root)) {
			i++;
			continue;
		}
		while (end < n && acs_fabric_func(f, end)->domain == root->domain &&
		       acs_fabric_func(f, end)->bus == root->bus)
			end++;
		v->root(v->ctx, root);
		stack[depth++] = (struct frame){ i, end };
		while (depth) {
			struct frame *top = &stack[depth - 1];
			size_t first, count, k;

			if (top->next >= top->end) {
				depth--;
				continue;
			}
			k = top->next++;
			v->func(v->ctx, k, depth - 1, top->next == top->end);
			count = acs_fabric_children(f, acs_fabric_func(f, k), &first);
			if (count && depth < CLI_TREE_MAX_DEPTH)
				stack[depth++] = (struct frame){ first, first + count };
		}
		i = end;
	}
	free(stack);
	return 0;
}
