/* SPDX-License-Identifier: BSD-3-Clause */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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

static void
write_sysctl(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, "1", 1) != 1)
		tap_bail("cannot set %s: %s", path, strerror(errno));
	close(fd);
}

void
process_private_loopback(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (unshare(CLONE_NEWNET) != 0)
		tap_bail("unshare(CLONE_NEWNET): %s (root needed)", strerror(errno));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		tap_bail("cannot read the flags of lo: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		tap_bail("cannot bring lo up: %s", strerror(errno));
	close(fd);
	write_sysctl("/proc/sys/net/ipv4/conf/lo/route_localnet");
	write_sysctl("/proc/sys/net/ipv4/conf/lo/accept_local");
}
