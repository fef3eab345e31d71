/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fabric in lspci -t's order: each root bus, then depth first below
 * each bridge, SR-IOV VFs below their PF's parent bridge (on the virtual
 * buses the kernel's own walks step over, which acs_fabric_children()
 * does not list).
 */
#include <stdlib.h>

#include "acsctl/fabric.h"
#include "internal.h"

/* Every function's children: those whose parent it is, which besides its
 * secondary bus holds SR-IOV VFs on virtual buses below it. */
struct kids {
	size_t *start;   /* children of i: list[start[i] .. start[i+1]-1] */
	size_t *list;
};

static int kids_build(const acs_fabric *f, struct kids *k)
{
	size_t n = acs_fabric_count(f), *fill;

	k->start = calloc(n + 2, sizeof(*k->start));
	k->list = malloc((n + 1) * sizeof(*k->list));
	fill = calloc(n + 1, sizeof(*fill));
	if (!k->start || !k->list || !fill) {
		free(fill);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *p = acs_fabric_parent(f, acs_fabric_func(f, i));

		if (p)
			k->start[acs_fabric_index(f, p) + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		k->start[i + 1] += k->start[i];
	for (size_t i = 0; i < n; i++) {
		const struct acs_func *p = acs_fabric_parent(f, acs_fabric_func(f, i));

		if (p) {
			size_t pi = acs_fabric_index(f, p);

			k->list[k->start[pi] + fill[pi]++] = i;
		}
	}
	free(fill);
	return 0;
}

int acs_fabric_tree_walk(const acs_fabric *f, const struct acs_tree_visit *v)
{
	/* depth-first with an explicit stack: one frame per bus being listed;
	 * a root bus is a run of indices, a bridge's children a list */
	struct frame { size_t next, end; const size_t *list; } *stack = malloc(ACS_TREE_MAX_DEPTH * sizeof(*stack));
	size_t n = acs_fabric_count(f), i = 0;
	struct kids k = { NULL, NULL };

	if (!stack || kids_build(f, &k)) {
		free(stack);
		free(k.start);
		free(k.list);
		return acs_error_set(ACS_ENOMEM, "out of memory walking the PCI tree");
	}
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
		stack[depth++] = (struct frame){ i, end, NULL };
		while (depth) {
			struct frame *top = &stack[depth - 1];
			size_t at;

			if (top->next >= top->end) {
				depth--;
				continue;
			}
			at = top->list ? top->list[top->next] : top->next;
			top->next++;
			v->func(v->ctx, at, depth - 1, top->next == top->end);
			if (k.start[at + 1] > k.start[at] && depth < ACS_TREE_MAX_DEPTH)
				stack[depth++] = (struct frame){ 0, k.start[at + 1] - k.start[at], k.list + k.start[at] };
		}
		i = end;
	}
	free(stack);
	free(k.start);
	free(k.list);
	return 0;
}
