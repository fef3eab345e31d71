/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Many inputs in one run (-F A -F B, -F DIR): each input is run alone, by
 * acsctl itself with the same arguments and that one input
 * (ACSCTL_ONE_INPUT), as many at once as there are cores, so that each
 * answer is exactly the one a run of its own gives. The answers come out
 * in the inputs' order: text under a header per input and a closing
 * summary, -j as JSON lines (one object per input, with "source", and
 * "host" where the input says whose it is: the run of one input puts it
 * into its answer, cli_out_header()), -m
 * with an "input" record before each. The exit status is the worst seen:
 * unreadable (2), then FAIL (1), then UNKNOWN (3).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

struct buf {
	char *v;
	size_t n, cap;
};

struct job {
	const char *input;
	pid_t pid;
	int out, err;             /* pipes, -1 once at their end */
	struct buf o, e;
	int status;               /* exit status, -1 while running */
};

static int buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *v;

		while (cap < b->n + n + 1)
			cap *= 2;
		if (!(v = realloc(b->v, cap)))
			return -1;
		b->v = v;
		b->cap = cap;
	}
	memcpy(b->v + b->n, p, n);
	b->n += n;
	b->v[b->n] = '\0';
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files (not hidden), sorted, appended to list. */
static int expand_dir(const char *dir, char ***list, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = *n;

	if (!d) {
		fprintf(stderr, "acsctl: %s: %s\n", dir, strerror(errno));
		return EXIT_BAD_INPUT;
	}
	while ((e = readdir(d))) {
		char *path;
		struct stat st;
		char **v;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			break;
		if (stat(path, &st) || !S_ISREG(st.st_mode) || !(v = realloc(*list, (*n + 1) * sizeof(*v)))) {
			free(path);
			continue;
		}
		*list = v;
		v[(*n)++] = path;
	}
	closedir(d);
	if (*n > first)
		qsort(*list + first, *n - first, sizeof(**list), name_cmp);
	return 0;
}

int cli_inputs_expand(struct cli *c)
{
	const char *one = getenv("ACSCTL_ONE_INPUT");
	char **list = NULL;
	size_t n = 0;
	int rc = 0;

	if (one) {   /* a run of one input for a multi-input run */
		c->dump = one;
		c->ninputs = 0;
		return 0;
	}
	for (size_t i = 0; !rc && i < c->ninputs; i++) {
		struct stat st;
		char **v;

		if (strcmp(c->inputs[i], "-") && !stat(c->inputs[i], &st) && S_ISDIR(st.st_mode)) {
			rc = expand_dir(c->inputs[i], &list, &n);
			continue;
		}
		if (!(v = realloc(list, (n + 1) * sizeof(*v))) || !(v[n] = strdup(c->inputs[i]))) {
			free(v ? v : list);
			return EXIT_BAD_INPUT;
		}
		list = v;
		n++;
	}
	c->multi = list;
	c->nmulti = n;
	if (!rc && n == 0 && c->ninputs) {
		fprintf(stderr, "acsctl: -F %s: no files in it\n", c->inputs[0]);
		rc = EXIT_BAD_INPUT;
	}
	return rc;
}

bool cli_multi_wanted(const struct cli *c)
{
	return c->ninputs > 1 || (c->ninputs == 1 && (c->nmulti != 1 || strcmp(c->multi[0], c->inputs[0])));
}

static pid_t start(struct job *j, char **argv)
{
	int po[2], pe[2];
	pid_t pid;

	if (pipe(po))
		return -1;
	if (pipe(pe)) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		setenv("ACSCTL_ONE_INPUT", j->input, 1);
		execv("/proc/self/exe", argv);
		_exit(EXIT_BAD_INPUT);
	}
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		close(po[0]);
		close(pe[0]);
		return -1;
	}
	j->pid = pid;
	j->out = po[0];
	j->err = pe[0];
	j->status = -1;
	return pid;
}

/* Read what the running jobs wrote; reap those whose pipes closed. */
static void pump(struct job *jobs, size_t lo, size_t hi)
{
	struct pollfd fds[2 * 64];
	struct job *who[2 * 64];
	size_t nf = 0;
	char chunk[65536];

	for (size_t i = lo; i < hi && nf + 2 <= 2 * 64; i++) {
		if (jobs[i].out >= 0) {
			fds[nf] = (struct pollfd){ jobs[i].out, POLLIN, 0 };
			who[nf++] = &jobs[i];
		}
		if (jobs[i].err >= 0) {
			fds[nf] = (struct pollfd){ jobs[i].err, POLLIN, 0 };
			who[nf++] = &jobs[i];
		}
	}
	if (nf && poll(fds, nf, -1) > 0)
		for (size_t k = 0; k < nf; k++) {
			ssize_t got;
			bool is_out = fds[k].fd == who[k]->out;

			if (!fds[k].revents)
				continue;
			got = read(fds[k].fd, chunk, sizeof(chunk));
			if (got > 0) {
				buf_add(is_out ? &who[k]->o : &who[k]->e, chunk, (size_t)got);
				continue;
			}
			close(fds[k].fd);
			if (is_out)
				who[k]->out = -1;
			else
				who[k]->err = -1;
		}
	for (size_t i = lo; i < hi; i++)
		if (jobs[i].pid > 0 && jobs[i].out < 0 && jobs[i].err < 0 && jobs[i].status < 0) {
			int st = 0;

			waitpid(jobs[i].pid, &st, 0);
			jobs[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_BAD_INPUT;
		}
}

static int rank(int status)
{
	return status == EXIT_BAD_INPUT ? 3 : status == EXIT_CHECK_FAILED ? 2 : status == EXIT_UNKNOWN ? 1 : 0;
}

/* The first line of what a run said on standard error. */
static const char *first_line(struct buf *e, char *line, size_t size)
{
	size_t n = e->n ? strcspn(e->v, "\n") : 0;

	snprintf(line, size, "%.*s", (int)n, e->n ? e->v : "");
	return line;
}

static void print_json_line(struct job *j)
{
	json_object *o = j->o.n ? json_tokener_parse(j->o.v) : NULL;
	char line[512];

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
		json_object_object_add(o, "error", json_object_new_string(first_line(&j->e, line, sizeof(line))));
	}
	json_object_object_add(o, "source", json_object_new_string(j->input));
	json_object_object_add(o, "exit", json_object_new_int(j->status));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void print_one(const struct cli *c, struct job *j)
{
	if (c->json) {
		print_json_line(j);
		if (j->e.n)
			fputs(j->e.v, stderr);
	} else {
		if (c->machine)
			printf("input path=%s exit=%d\n", j->input, j->status);
		else
			printf("== %s (exit %d)\n", j->input, j->status);
		fwrite(j->o.v ? j->o.v : "", 1, j->o.n, stdout);
		if (j->e.n)
			fputs(j->e.v, stderr);
	}
	fflush(stdout);
	fflush(stderr);
}

int cli_multi_run(const struct cli *c, char **argv)
{
	size_t n = c->nmulti, next = 0, done = 0, count[4] = { 0 };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t jobs_max = getenv("ACSCTL_JOBS") ? strtoul(getenv("ACSCTL_JOBS"), NULL, 10) : (size_t)cores;
	struct job *jobs = calloc(n + 1, sizeof(*jobs));
	int worst = EXIT_OK;

	if (!jobs)
		return EXIT_BAD_INPUT;
	if (jobs_max < 1 || jobs_max > 32)
		jobs_max = jobs_max < 1 ? 1 : 32;
	for (size_t i = 0; i < n; i++)
		jobs[i] = (struct job){ .input = c->multi[i], .out = -1, .err = -1, .status = -1 };
	fflush(stdout);
	while (done < n) {
		while (next < n && next - done < jobs_max) {
			if (start(&jobs[next], argv) < 0) {
				jobs[next].status = EXIT_BAD_INPUT;
				buf_add(&jobs[next].e, "could not start a run\n", 22);
			}
			next++;
		}
		pump(jobs, done, next);
		/* in order: the first not printed, once it is done */
		while (done < next && jobs[done].status >= 0) {
			struct job *j = &jobs[done++];

			print_one(c, j);
			count[rank(j->status)]++;
			if (rank(j->status) > rank(worst))
				worst = j->status;
			free(j->o.v);
			free(j->e.v);
		}
	}
	if (!c->json && !c->machine)
		printf("== %zu inputs: %zu OK, %zu FAIL, %zu UNKNOWN, %zu unreadable\n", n, count[0], count[2],
		       count[1], count[3]);
	else if (c->machine)
		printf("inputs count=%zu ok=%zu fail=%zu unknown=%zu unreadable=%zu\n", n, count[0], count[2],
		       count[1], count[3]);
	free(jobs);
	return worst;
}
