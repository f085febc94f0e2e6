// SPDX-License-Identifier: GPL-2.0
/*
 * A helper of the UML end-to-end run (e2e/init.sh): repeat one
 * pci_endpoint_test transfer through the ioctls the kselftest uses, and say
 * how it went. Used for the throughput figures and for single transfers
 * with a fault injected into the emulated eDMA.
 *
 *   xfer DEVICE read|write|copy dma|memcpy SIZE COUNT [auto|intx|msi|msix]
 *   xfer DEVICE unknown-ioctl
 *
 * The second form sends an ioctl of pci_endpoint_test's type 'P' with a
 * number no kernel defines and prints "unknown ioctl: NAME", NAME the errno
 * it ended with (ENOTTY is right; exit status 0 only then).
 *
 * read, write and copy are the host's PCITEST_READ, PCITEST_WRITE and
 * PCITEST_COPY (for PCITEST_READ the endpoint writes host memory). The last
 * argument is how the endpoint signals completion (default auto; intx needs
 * no bus mastering). One line is printed:
 *
 *   OP MODE SIZE xCOUNT: OK/COUNT ok, RATE MB/s, first error NAME
 *
 * where RATE counts the successful transfers over the whole time (the
 * host's setup and CRC included) and NAME is the errno of the first failed
 * ioctl (EIO: the endpoint reported the transfer failed; ETIMEDOUT: it did
 * not answer in time). Exit status: 0 if every transfer succeeded, 1 if
 * one failed, 2 for a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/pcitest.h>

static const char *errno_name(int err)
{
	static char buf[16];

	switch (err) {
	case 0:		return "none";
	case EIO:	return "EIO";
	case ETIMEDOUT:	return "ETIMEDOUT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL:	return "EINVAL";
	case ENOMEM:	return "ENOMEM";
	case ENOSPC:	return "ENOSPC";
	case EINTR:	return "EINTR";
	case ENOTTY:	return "ENOTTY";
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s DEVICE read|write|copy dma|memcpy SIZE COUNT [auto|intx|msi|msix]\n"
		"       %s DEVICE unknown-ioctl\n",
		prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	struct pci_endpoint_test_xfer_param param;
	int irq_type = PCITEST_IRQ_TYPE_AUTO;
	int fd, i, count, ok = 0, first_err = 0;
	struct timespec t0, t1;
	unsigned long request;
	double secs, rate;
	char *end;

	if (argc == 3 && !strcmp(argv[2], "unknown-ioctl")) {
		fd = open(argv[1], O_RDWR);
		if (fd < 0) {
			perror(argv[1]);
			return 2;
		}
		first_err = ioctl(fd, _IO('P', 0x7f)) < 0 ? errno : 0;
		close(fd);
		printf("unknown ioctl: %s\n", errno_name(first_err));
		return first_err == ENOTTY ? 0 : 1;
	}

	if (argc != 6 && argc != 7)
		return usage(argv[0]);

	if (!strcmp(argv[2], "read"))
		request = PCITEST_READ;
	else if (!strcmp(argv[2], "write"))
		request = PCITEST_WRITE;
	else if (!strcmp(argv[2], "copy"))
		request = PCITEST_COPY;
	else
		return usage(argv[0]);

	memset(&param, 0, sizeof(param));
	if (!strcmp(argv[3], "dma"))
		param.flags = PCITEST_FLAGS_USE_DMA;
	else if (strcmp(argv[3], "memcpy"))
		return usage(argv[0]);

	param.size = strtoul(argv[4], &end, 0);
	if (*end || !param.size)
		return usage(argv[0]);
	count = atoi(argv[5]);
	if (count < 1)
		return usage(argv[0]);

	if (argc == 7) {
		if (!strcmp(argv[6], "intx"))
			irq_type = PCITEST_IRQ_TYPE_INTX;
		else if (!strcmp(argv[6], "msi"))
			irq_type = PCITEST_IRQ_TYPE_MSI;
		else if (!strcmp(argv[6], "msix"))
			irq_type = PCITEST_IRQ_TYPE_MSIX;
		else if (strcmp(argv[6], "auto"))
			return usage(argv[0]);
	}

	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (ioctl(fd, PCITEST_SET_IRQTYPE, irq_type) < 0) {
		perror("PCITEST_SET_IRQTYPE");
		close(fd);
		return 2;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		if (ioctl(fd, request, &param) == 0)
			ok++;
		else if (!first_err)
			first_err = errno;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);

	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	rate = secs > 0 ? (double)param.size * ok / secs / 1e6 : 0;
	printf("%s %s %lu x%d: %d/%d ok, %.1f MB/s, first error %s\n",
	       argv[2], argv[3], param.size, count, ok, count, rate,
	       errno_name(first_err));

	return ok == count ? 0 : 1;
}
