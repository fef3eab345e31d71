/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Many inputs in one run (-F A -F B, -F DIR): each input is run alone, as
 * a run of its own would run it (ACSCTL_ONE_INPUT, the same arguments,
 * cli_main() from the start), so that each answer is exactly the one a
 * run of its own gives. The runs go to worker processes, one a core,
 * forked once: each loops over the inputs the parent hands it, its
 * standard output and error in memory files the parent reads after each
 * input (and after a worker that died: its input exits 2, and a new
 * worker takes the next). No exec, no dynamic loading, no fresh heap per
 * input; what does not depend on the input (pci.ids, once asked for) is
 * loaded once a worker.
 *
 * The answers come out in the inputs' order: text under a header per
 * input and a closing summary, -j as JSON lines (one object per input,
 * with "source", and "host" where the input says whose it is: the run of
 * one input puts it into its answer, cli_out_header()), -m with an
 * "input" record before each. The exit status is the worst seen:
 * unreadable (2), then FAIL (1), then UNKNOWN (3).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "emit.h"

struct buf {
	char *v;
	size_t n, cap;
};

struct job {
	const char *input;
	struct buf o, e;          /* what its run wrote: stdout (with -j the
				   * JSON line, once made), stderr */
	bool line;                /* o is the JSON line already */
	int status;               /* exit status, -1 while not done */
};

/* A worker: a process that runs inputs one after another. */
struct worker {
	pid_t pid;                /* 0: none */
	int sock;                 /* the parent's end: indices out, results in */
	int out, err;             /* memory files: its stdout and stderr */
	long job;                 /* the input it runs, -1 none */
};

/* What a worker says after each input. */
struct result {
	uint32_t job;
	int32_t status;
	int32_t line;             /* -j: stdout holds the JSON line */
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

static int rank(int status)
{
	return status == EXIT_BAD_INPUT ? 3 : status == EXIT_CHECK_FAILED ? 2 : status == EXIT_UNKNOWN ? 1 : 0;
}

/* The first line of what a run said on standard error. */
static const char *first_line(const struct buf *e, char *line, size_t size)
{
	size_t n = e->n ? strcspn(e->v, "\n") : 0;

	snprintf(line, size, "%.*s", (int)n, e->n ? e->v : "");
	return line;
}

/* One input's JSON line: its answer with "source" and "exit", or, where
 * it gave no JSON object, the first line of its error. */
static char *json_line(const struct job *j)
{
	json_object *o = j->o.n ? json_tokener_parse(j->o.v) : NULL;
	char line[512], *text;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
		json_object_object_add(o, "error", json_object_new_string(first_line(&j->e, line, sizeof(line))));
	}
	json_object_object_add(o, "source", json_object_new_string(j->input));
	json_object_object_add(o, "exit", json_object_new_int(j->status));
	if (asprintf(&text, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		text = NULL;
	json_object_put(o);
	return text;
}

static void print_one(const struct cli *c, struct job *j)
{
	if (c->json) {
		char *line = j->line ? NULL : json_line(j);

		fputs(j->line ? (j->o.v ? j->o.v : "") : line ? line : "", stdout);
		free(line);
	} else {
		if (c->machine)
			printf("input path=%s exit=%d\n", j->input, j->status);
		else
			printf("== %s (exit %d)\n", j->input, j->status);
		fwrite(j->o.v ? j->o.v : "", 1, j->o.n, stdout);
	}
	if (j->e.n)
		fputs(j->e.v, stderr);
	fflush(stdout);
	fflush(stderr);
}

/* ---- the worker ---- */

static void rewind_file(int fd)
{
	if (ftruncate(fd, 0) == 0)
		lseek(fd, 0, SEEK_SET);
}

/* A memory file's content, whole, into b (emptied first). */
static int slurp(int fd, struct buf *b)
{
	char chunk[65536];
	off_t at = 0;
	ssize_t got;

	b->n = 0;
	if (b->v)
		b->v[0] = '\0';
	while ((got = pread(fd, chunk, sizeof(chunk), at)) > 0) {
		if (buf_add(b, chunk, (size_t)got))
			return -1;
		at += got;
	}
	return got < 0 ? -1 : 0;
}

static int send_all(int sock, const void *p, size_t n)
{
	while (n) {
		ssize_t put = send(sock, p, n, MSG_NOSIGNAL);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		p = (const char *)p + put;
		n -= (size_t)put;
	}
	return 0;
}

/* The JSON answers of the run in progress, as out_end() hands them over
 * (out_json_sink()), with where in standard output each would be. */
#define MAX_ANSWERS 4
static struct {
	json_object *v[MAX_ANSWERS];
	long at[MAX_ANSWERS];
	size_t n;
} answers;

static void keep_answer(json_object *root, long offset)
{
	if (answers.n < MAX_ANSWERS) {
		answers.v[answers.n] = json_object_get(root);
		answers.at[answers.n++] = offset;
	} else {
		answers.at[0] = -1;   /* more than kept: print them after all */
	}
}

/* Standard output as a run of its own prints it: what was written, each
 * answer put back as out_end() prints it. */
static int put_back(struct buf *o)
{
	struct buf t = { 0 };
	size_t from = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < answers.n; i++) {
		size_t at = (size_t)answers.at[i] < o->n ? (size_t)answers.at[i] : o->n;
		const char *text = json_object_to_json_string_ext(answers.v[i], JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

		rc = buf_add(&t, o->v ? o->v + from : "", at - from) || buf_add(&t, text, strlen(text)) ||
		     buf_add(&t, "\n", 1);
		from = at;
	}
	if (!rc)
		rc = buf_add(&t, o->v ? o->v + from : "", o->n - from);
	free(o->v);
	*o = t;
	return rc;
}

/*
 * The JSON line, made in the worker (in parallel: the parent only copies
 * it). Where the run's one answer was all it printed, that answer gets
 * "source" and "exit" as it is: no text printed and parsed again (a
 * quarter of a run); otherwise standard output, put back together, is
 * parsed as the parent would parse it.
 */
static bool worker_json_line(struct job *j)
{
	char *line = NULL;
	bool ok = false, lost = answers.n && answers.at[0] < 0;

	if (slurp(STDOUT_FILENO, &j->o))
		goto done;
	if (answers.n == 1 && !lost && j->o.n == 0) {
		json_object *o = answers.v[0];

		json_object_object_add(o, "source", json_object_new_string(j->input));
		json_object_object_add(o, "exit", json_object_new_int(j->status));
		if (asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									     JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
			line = NULL;
	} else if (!lost && !put_back(&j->o)) {
		line = json_line(j);
	}
	if (!line)
		goto done;
	rewind_file(STDOUT_FILENO);
	ok = fputs(line, stdout) >= 0 && fflush(stdout) == 0;
done:
	free(line);
	for (size_t i = 0; i < answers.n; i++)
		json_object_put(answers.v[i]);
	answers.n = 0;
	return ok;
}

/* Runs the inputs the parent sends, until it closes the socket. */
static void worker_loop(const struct cli *c, int sock, int argc, char **argv)
{
	struct job j = { 0 };
	uint32_t k;

	if (c->json)
		out_json_sink(keep_answer);
	while (recv(sock, &k, sizeof(k), MSG_WAITALL) == (ssize_t)sizeof(k) && k < c->nmulti) {
		struct result r = { .job = k };

		rewind_file(STDOUT_FILENO);
		rewind_file(STDERR_FILENO);
		setenv("ACSCTL_ONE_INPUT", c->multi[k], 1);
		optind = 0;   /* getopt starts over */
#ifdef ACSCTL_FAULT_INJECTION
		/* tests only: a run that crashes half way */
		if (getenv("ACSCTL_FAULT_WORKER") && !strcmp(getenv("ACSCTL_FAULT_WORKER"), c->multi[k])) {
			fputs("acsctl: ACSCTL_FAULT_WORKER: killed\n", stderr);
			kill(getpid(), SIGKILL);
		}
#endif
		r.status = cli_main(argc, argv);
		fflush(stdout);
		fflush(stderr);
		if (c->json) {
			j.input = c->multi[k];
			j.status = r.status;
			r.line = !slurp(STDERR_FILENO, &j.e) && worker_json_line(&j);
		}
		if (send_all(sock, &r, sizeof(r)))
			break;
	}
	free(j.o.v);
	free(j.e.v);
	cli_names_cleanup();
}

static void close_worker(struct worker *w)
{
	if (w->sock >= 0)
		close(w->sock);
	if (w->out >= 0)
		close(w->out);
	if (w->err >= 0)
		close(w->err);
	w->sock = w->out = w->err = -1;
}

/* Fork worker w; the other workers' descriptors are closed in it. */
static int start_worker(const struct cli *c, struct worker *ws, size_t nw, size_t w, int argc, char **argv)
{
	struct worker *me = &ws[w];
	int sv[2];
	pid_t pid;

	*me = (struct worker){ .sock = -1, .out = -1, .err = -1, .job = -1 };
	me->out = memfd_create("acsctl-stdout", MFD_CLOEXEC);
	me->err = memfd_create("acsctl-stderr", MFD_CLOEXEC);
	if (me->out < 0 || me->err < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		close_worker(me);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		for (size_t i = 0; i < nw; i++)
			if (i != w)
				close_worker(&ws[i]);
		if (dup2(me->out, STDOUT_FILENO) < 0 || dup2(me->err, STDERR_FILENO) < 0)
			_exit(EXIT_BAD_INPUT);
		worker_loop(c, sv[1], argc, argv);
		fflush(stdout);
		_exit(0);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		close_worker(me);
		return -1;
	}
	me->pid = pid;
	me->sock = sv[0];
	return 0;
}

/* ---- the parent ---- */

/* What worker w's input wrote, once it is done (status), or once the
 * worker died (its exit status, 2 for a signal, as a run of its own). */
static void collect(struct worker *w, struct job *jobs, int status, bool line)
{
	struct job *j = &jobs[w->job];

	if (slurp(w->out, &j->o) || slurp(w->err, &j->e))
		buf_add(&j->e, "acsctl: could not read a run's answer\n", 38);
	j->status = status;
	j->line = line;
	w->job = -1;
}

static void worker_died(struct worker *w, struct job *jobs)
{
	int st = 0;

	if (w->sock >= 0)
		close(w->sock);
	w->sock = -1;
	waitpid(w->pid, &st, 0);
	w->pid = 0;
	if (w->job >= 0)
		collect(w, jobs, WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_BAD_INPUT, false);
	close_worker(w);
}

/* A result from each worker that has one; workers that died are reaped. */
static void pump(struct worker *ws, size_t nw, struct job *jobs)
{
	struct pollfd fds[64];
	size_t who[64], nf = 0;

	for (size_t i = 0; i < nw; i++)
		if (ws[i].pid > 0 && ws[i].job >= 0) {
			fds[nf] = (struct pollfd){ ws[i].sock, POLLIN, 0 };
			who[nf++] = i;
		}
	if (!nf || poll(fds, nf, -1) <= 0)
		return;
	for (size_t k = 0; k < nf; k++) {
		struct worker *w = &ws[who[k]];
		struct result r;

		if (!fds[k].revents)
			continue;
		if (recv(w->sock, &r, sizeof(r), MSG_WAITALL) == (ssize_t)sizeof(r) && (long)r.job == w->job)
			collect(w, jobs, r.status, r.line);
		else
			worker_died(w, jobs);
	}
}

/* Hand inputs to idle workers (starting one where none is left), no
 * further ahead of the first not printed than window. */
static void assign(const struct cli *c, struct worker *ws, size_t nw, struct job *jobs, size_t *next, size_t done,
		   size_t window, int argc, char **argv)
{
	for (size_t i = 0; i < nw && *next < c->nmulti && *next - done < window; i++) {
		uint32_t k = (uint32_t)*next;

		if (ws[i].job >= 0)
			continue;
		if (!ws[i].pid && start_worker(c, ws, nw, i, argc, argv)) {
			jobs[k].status = EXIT_BAD_INPUT;
			buf_add(&jobs[k].e, "could not start a run\n", 22);
			(*next)++;
			continue;
		}
		ws[i].job = (long)k;
		if (send_all(ws[i].sock, &k, sizeof(k)))
			worker_died(&ws[i], jobs);
		(*next)++;
	}
}

int cli_multi_run(const struct cli *c, char **argv)
{
	size_t n = c->nmulti, next = 0, done = 0, count[4] = { 0 };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nw = getenv("ACSCTL_JOBS") ? strtoul(getenv("ACSCTL_JOBS"), NULL, 10) : (size_t)cores;
	struct job *jobs = calloc(n + 1, sizeof(*jobs));
	struct worker ws[32];
	int worst = EXIT_OK, argc = 0;

	if (!jobs)
		return EXIT_BAD_INPUT;
	while (argv[argc])
		argc++;
	if (nw < 1 || nw > 32)
		nw = nw < 1 ? 1 : 32;
	nw = nw < n ? nw : n;
	for (size_t i = 0; i < nw; i++)
		ws[i] = (struct worker){ .sock = -1, .out = -1, .err = -1, .job = -1 };
	for (size_t i = 0; i < n; i++)
		jobs[i] = (struct job){ .input = c->multi[i], .status = -1 };
	while (done < n) {
		assign(c, ws, nw, jobs, &next, done, 4 * nw, argc, argv);
		pump(ws, nw, jobs);
		/* in order: the first not printed, once it is done */
		while (done < next && jobs[done].status >= 0) {
			struct job *j = &jobs[done++];

			print_one(c, j);
			count[rank(j->status)]++;
			if (rank(j->status) > rank(worst))
				worst = j->status;
			free(j->o.v);
			free(j->e.v);
			j->o = j->e = (struct buf){ 0 };
		}
	}
	for (size_t i = 0; i < nw; i++)
		if (ws[i].pid > 0) {
			close(ws[i].sock);   /* the worker's end of the loop */
			ws[i].sock = -1;
			waitpid(ws[i].pid, NULL, 0);
			close_worker(&ws[i]);
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
