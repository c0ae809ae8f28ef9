/* SPDX-License-Identifier: BSD-3-Clause */
#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

void
child_start(struct child *c, char *const argv[], const char *log_path)
{
	int in[2], log_fd;

	if (pipe(in) != 0)
		tap_bail("pipe failed");
	log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (log_fd < 0)
		tap_bail("cannot open %s", log_path);
	c->pid = fork();
	if (c->pid < 0)
		tap_bail("fork failed");
	if (c->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(log_fd, STDOUT_FILENO);
		dup2(log_fd, STDERR_FILENO);
		close(in[0]);
		close(in[1]);
		close(log_fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(log_fd);
	c->stdin_fd = in[1];
}

void
child_stop(struct child *c)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int status, i;

	if (c->pid <= 0)
		return;
	kill(c->pid, SIGTERM);
	for (i = 0; i < 200 && waitpid(c->pid, &status, WNOHANG) == 0; i++)
		nanosleep(&tick, NULL);
	if (i == 200) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, 0);
	}
	if (c->stdin_fd >= 0)
		close(c->stdin_fd);
	c->pid = -1;
	c->stdin_fd = -1;
}
