/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files a command writes (export, snapshot, report, synth -o) appear
 * whole or not at all: the text goes to a temporary file beside the
 * target, which is renamed over it only once everything was written and
 * synced. A failure (full disk, an error while writing) leaves the old
 * file as it was and no temporary behind.
 *
 * As root, a name in /tmp may be someone else's symbolic link: it is
 * refused rather than followed. A snapshot (config space, serial numbers)
 * is made 0600 when new.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "emit.h"

/* Devices, FIFOs and /dev/stdout are written in place: a rename would
 * replace the device node rather than write to it. */
static bool in_place(const char *name)
{
	struct stat st;

	return stat(name, &st) == 0 && !S_ISREG(st.st_mode);
}

/* The mode the file gets: an existing file keeps its own, as editors keep
 * it (a snapshot made 0600 stays private); a new one what open() gives,
 * or 0600 when private. */
static mode_t new_mode(const char *target, bool private)
{
	struct stat st;
	mode_t mask;

	if (stat(target, &st) == 0)
		return st.st_mode & 07777;
	if (private)
		return 0600;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/*
 * The classic /tmp attack: NAME is a symbolic link that another user put
 * in a sticky world-writable directory, so that root writes where they
 * chose. realpath() and stat() follow it whatever fs.protected_symlinks
 * says; the same rule is applied here: such a link is followed only when
 * it is ours or the directory owner's. An unreadable directory counts as
 * unsafe. *uid: the link's owner.
 */
static bool foreign_link(const char *name, uid_t *uid)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(name, '/');
	struct stat l, d;

	if (lstat(name, &l) != 0 || !S_ISLNK(l.st_mode))
		return false;
	*uid = l.st_uid;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == name ? 1 : (int)(slash - name), name);
	if (stat(dir, &d) != 0)
		return true;
	if (!(d.st_mode & S_ISVTX) || !(d.st_mode & S_IWOTH))
		return false;
	return l.st_uid != geteuid() && l.st_uid != d.st_uid;
}

/* An existing file that may not be written is refused, as '>' refuses
 * it: the rename would replace it all the same. */
static bool writable(const char *target)
{
	return access(target, W_OK) == 0 || errno == ENOENT;
}

/* /dev/stdout, /dev/fd/N, /proc/self/fd/N: one of our own descriptors,
 * written as it is open ('>>' appends); through the file it names, a
 * rename would replace what the shell appends to. -1 for other names. */
static int own_descriptor(const char *name)
{
	static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/" };
	char *end;

	if (strcmp(name, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(name, "/dev/stderr") == 0)
		return STDERR_FILENO;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(name, dirs[i], strlen(dirs[i])) == 0 && isdigit((unsigned char)name[strlen(dirs[i])])) {
			long fd = strtol(name + strlen(dirs[i]), &end, 10);

			if (!*end && fd <= INT_MAX && fcntl((int)fd, F_GETFD) >= 0)
				return (int)fd;
		}
	return -1;
}

/* TMP: DIR/BASE.acsctl-XXXXXX beside target; hidden: DIR/.BASE..., a
 * name that readers of a directory who skip dot files (NFD's features.d)
 * never see half written. */
static void temp_name(char *tmp, size_t size, const char *target, bool hidden)
{
	const char *slash = strrchr(target, '/');
	int dir = slash ? (int)(slash - target + 1) : 0;

	snprintf(tmp, size, "%.*s%s%s.acsctl-XXXXXX", dir, target, hidden ? "." : "", target + dir);
}

static int output_open(struct cli_output *o, const char *name, bool private, bool hidden)
{
	char resolved[PATH_MAX];
	uid_t owner;
	int fd;

	*o = (struct cli_output){ .name = name };
	if (foreign_link(name, &owner)) {
		fprintf(stderr, "acsctl: %s: a symbolic link of uid %u in a sticky world-writable directory: "
			"refused (it could point anywhere; remove it or write elsewhere)\n", name, (unsigned)owner);
		return EXIT_BAD_INPUT;
	}
	if ((fd = own_descriptor(name)) >= 0) {
		fflush(stdout);
		fd = dup(fd);
		if (fd >= 0 && !(o->f = fdopen(fd, "w")))
			close(fd);
		goto opened;
	}
	if (strcmp(name, "-") == 0 || in_place(name)) {
		o->f = strcmp(name, "-") == 0 ? stdout : fopen(name, "w");
		goto opened;
	}
	if (strlen(name) >= sizeof(o->target)) {
		errno = ENAMETOOLONG;
		goto failed;
	}
	/* through a symbolic link, the file it names is replaced (realpath()
	 * leaves its buffer undefined when it fails: a new file keeps its name) */
	if (!realpath(name, resolved)) {
		if (errno != ENOENT)
			goto failed;
		snprintf(resolved, sizeof(resolved), "%s", name);
	}
	snprintf(o->target, sizeof(o->target), "%s", resolved);
	if (!writable(o->target))
		goto failed;
	temp_name(o->tmp, sizeof(o->tmp), o->target, hidden);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		o->tmp[0] = '\0';
		goto failed;
	}
	if (fchmod(fd, new_mode(o->target, private)) || !(o->f = fdopen(fd, "w"))) {
		close(fd);
		unlink(o->tmp);
		o->tmp[0] = '\0';
		goto failed;
	}
opened:
	if (o->f)
		return 0;
failed:
	fprintf(stderr, "acsctl: %s: %s\n", name, strerror(errno));
	return EXIT_BAD_INPUT;
}

int cli_output_open(struct cli_output *o, const char *name)
{
	return output_open(o, name, false, false);
}

int cli_output_open_private(struct cli_output *o, const char *name)
{
	return output_open(o, name, true, false);
}

int cli_output_open_hidden(struct cli_output *o, const char *name)
{
	return output_open(o, name, false, true);
}

/* ok: the command produced everything. Returns the exit status. */
int cli_output_close(struct cli_output *o, bool ok)
{
	int err = 0;

	errno = 0;
	if (fflush(o->f) || ferror(o->f))
		err = errno ? errno : EIO;
	if (!err && o->tmp[0] && fsync(fileno(o->f)))
		err = errno;
	if (o->f != stdout && fclose(o->f) && !err)
		err = errno ? errno : EIO;
	o->f = NULL;
	if (o->tmp[0]) {
		if (ok && !err && rename(o->tmp, o->target))
			err = errno;
		if (!ok || err)
			unlink(o->tmp);
	}
	/* (when !ok the command has said why already) */
	if (err && ok) {
		fprintf(stderr, "acsctl: %s: %s%s\n", o->name, strerror(err),
			o->tmp[0] ? "; nothing was written" : "");
		return EXIT_BAD_INPUT;
	}
	return ok ? EXIT_OK : EXIT_BAD_INPUT;
}

int cli_out_file_check(const struct cli *c, const char *command, const char *name)
{
	if (strcmp(name, "-") || (!c->json && !c->machine))
		return 0;
	fprintf(stderr, "acsctl: %s to standard output is the answer itself: %s has nowhere to go (name a FILE)\n",
		command, c->json ? "-j" : "-m");
	return EXIT_BAD_INPUT;
}

int cli_out_written(const struct cli *c, const char *command, const char *format, const char *name, int status)
{
	if (status != EXIT_OK)
		return status;
	return cli_out_written_fabric(c, command, format, name, c->fabric, status);
}

int cli_out_written_fabric(const struct cli *c, const char *command, const char *format, const char *name,
			   const acs_fabric *fabric, int status)
{
	/* standard output holds the file itself; a failure said its line */
	if (status != EXIT_OK || !strcmp(name, "-"))
		return status;
	cli_out_begin(c, command);
	out_str(OUT_ANY, "written", "wrote %s", name);
	out_str(OUT_ANY, "format", " (%s", format);
	out_uint(OUT_ANY, "function_count", ", %s functions)\n", acs_fabric_count(fabric));
	out_str(OUT_DATA, "source", NULL, acs_fabric_origin(fabric));
	return out_end(status);
}
