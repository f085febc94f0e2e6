// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile host for pci-epf-test, for the UML end-to-end run (e2e/init.sh,
 * MODE=hostile). Test-only code of the harness, not part of the series.
 *
 * Bound to the test function in place of pci_endpoint_test (through
 * driver_override: it matches no device by itself), its probe sends
 * "iterations" commands: each one a random command word (every known
 * command, none, several at once, unknown bits) after random and boundary
 * values in the other test registers (interrupt type and number, flags,
 * transfer addresses and sizes, the BAR number of the subrange commands,
 * the doorbell and remote-resource registers the endpoint publishes).
 * Then it prints what it sent and what the endpoint answered, and the
 * state the endpoint publishes: whether a BAR still maps the controller's
 * resources (the remote-resource table or a doorbell).
 *
 * With iterations=0 it only prints that state.
 *
 * Under the UML loopback the host's memory is the kernel's own memory,
 * with no IOMMU in between: the transfer addresses it hands the endpoint
 * are either inside its own buffer (with a size that fits) or outside RAM,
 * and the only location it writes outside the test registers is the
 * doorbell the endpoint has just reported enabled. Before returning it
 * waits for the last command and takes bus mastering away, so that
 * nothing the endpoint still does can reach the buffer once it is freed.
 */

#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/prandom.h>
#include <linux/sizes.h>

/* pci-epf-test's registers (BAR0), as pci_endpoint_test knows them */
#define REG_MAGIC		0x00
#define REG_COMMAND		0x04
#define REG_STATUS		0x08
#define REG_SRC_LO		0x0c
#define REG_SRC_HI		0x10
#define REG_DST_LO		0x14
#define REG_DST_HI		0x18
#define REG_SIZE		0x1c
#define REG_CHECKSUM		0x20
#define REG_IRQ_TYPE		0x24
#define REG_IRQ_NUMBER		0x28
#define REG_FLAGS		0x2c
#define REG_CAPS		0x30
#define REG_DB_BAR		0x34
#define REG_DB_OFFSET		0x38
#define REG_DB_DATA		0x3c
#define REG_RR_BAR		0x40
#define REG_RR_COUNT		0x44
#define REG_RR_TABLE_OFFSET	0x48
#define REG_END			0x4c

#define NR_COMMANDS		12	/* command bits 0-11 */
#define CMD_ENABLE_DOORBELL	BIT(6)
#define CMD_SUBRANGE_SETUP	BIT(8)
#define CMD_SUBRANGE_CLEAR	BIT(9)

#define STATUS_IRQ_RAISED	BIT(6)
#define STATUS_DB_ENABLED	BIT(10)
#define CAP_REMOTE_RESOURCES	BIT(12)
#define NO_BAR			0xffffffff

#define BUF_SIZE		SZ_1M
/* How long the endpoint may take to pick a command up, and to answer it */
#define PICKUP_MS		2000
#define ANSWER_MS		15000

static const char * const cmd_names[NR_COMMANDS] = {
	"raise INTx", "raise MSI", "raise MSI-X", "read", "write", "copy",
	"enable doorbell", "disable doorbell", "subrange setup",
	"subrange clear", "remote resource setup", "remote resource clear",
};

static unsigned int iterations = 10000;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "commands to send (0: only print the state)");

static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "seed of the pseudo-random sequence");

struct hostile {
	struct pci_dev *pdev;
	void __iomem *bar[PCI_STD_NUM_BARS];
	void __iomem *reg;
	void *buf;
	dma_addr_t buf_dma;
	struct rnd_state rnd;
	int nvec;
	atomic_t irqs;
	unsigned long sent[NR_COMMANDS], answered[NR_COMMANDS];
	unsigned long none, several, unknown, not_picked_up, unanswered;
	unsigned long rings;
};

static u32 rnd(struct hostile *h)
{
	return prandom_u32_state(&h->rnd);
}

/* A boundary value three times out of four, anything otherwise */
static u32 pick(struct hostile *h, const u32 *vals, unsigned int n)
{
	if (rnd(h) % 4)
		return vals[rnd(h) % n];
	return rnd(h);
}

#define PICK(h, vals) pick(h, vals, ARRAY_SIZE(vals))

static const u32 bar_vals[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0x7fffffff,
				0x80000000, 0xfffffffe, 0xffffffff };
static const u32 irq_type_vals[] = { 0, 1, 2, 3, 4, 0xffffffff };
static const u32 irq_number_vals[] = { 0, 1, 2, 7, 8, 9, 32, 33, 2048, 2049,
				       0xffff, 0x10000, 0xffffffff };
static const u32 flag_vals[] = { 0, 1, 2, 3, 0x80000000, 0xffffffff };
static const u32 size_vals[] = { 0, 1, SZ_4M, SZ_4M + 1, 0x7fffffff,
				 0x80000000, 0xfffffffe, 0xffffffff };

static irqreturn_t hostile_irq(int irq, void *data)
{
	struct hostile *h = data;

	atomic_inc(&h->irqs);
	return IRQ_HANDLED;
}

static void write64(struct hostile *h, unsigned int lo, u64 val)
{
	writel(lower_32_bits(val), h->reg + lo);
	writel(upper_32_bits(val), h->reg + lo + 4);
}

/* An address that is not RAM: near the top, or far above any memory */
static u64 not_ram(struct hostile *h)
{
	if (rnd(h) % 2)
		return ~0ULL - rnd(h) % SZ_64K;
	return BIT_ULL(60) + rnd(h);
}

/*
 * The transfer registers: a small transfer inside our buffer, or any size
 * at addresses outside RAM.
 */
static void set_transfer(struct hostile *h)
{
	u32 size, max = rnd(h) % 8 ? SZ_4K : SZ_64K;

	if (rnd(h) % 2) {
		size = 1 + rnd(h) % max;
		write64(h, REG_SRC_LO, h->buf_dma + rnd(h) % (BUF_SIZE - size + 1));
		write64(h, REG_DST_LO, h->buf_dma + rnd(h) % (BUF_SIZE - size + 1));
	} else {
		size = PICK(h, size_vals);
		write64(h, REG_SRC_LO, not_ram(h));
		write64(h, REG_DST_LO, not_ram(h));
	}
	writel(size, h->reg + REG_SIZE);
}

/* The command word: every known command, none, several, unknown bits */
static u32 command(struct hostile *h)
{
	u32 r = rnd(h) % 16;

	if (r < NR_COMMANDS)
		return BIT(r);
	if (r == 12)
		return 0;
	if (r == 13)
		return BIT(rnd(h) % NR_COMMANDS) | BIT(rnd(h) % NR_COMMANDS);
	return rnd(h) | BIT(NR_COMMANDS + rnd(h) % (32 - NR_COMMANDS));
}

static void count(struct hostile *h, u32 cmd)
{
	if (!cmd)
		h->none++;
	else if (cmd >= BIT(NR_COMMANDS))
		h->unknown++;
	else if (!is_power_of_2(cmd))
		h->several++;
	else
		h->sent[__ffs(cmd)]++;
}

/*
 * Poll a register until (value & mask) == want, for at most ms, sleeping
 * between reads so that the endpoint's command handler runs. run.sh boots
 * this mode with UML's time-travel clock, which skips ahead when nothing
 * runs: the sleeps, and the endpoint's own polling interval of a tick
 * (HZ=100 on UML), cost no wall-clock time.
 */
static bool wait_reg(struct hostile *h, unsigned int off, u32 mask, u32 want,
		     unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	for (;;) {
		if ((readl(h->reg + off) & mask) == want)
			return true;
		if (time_after(jiffies, end))
			return false;
		usleep_range(20, 50);
	}
}

/* Ring the doorbell the endpoint reports, if it is inside a BAR we mapped */
static void ring(struct hostile *h)
{
	u32 bar = readl(h->reg + REG_DB_BAR);
	u32 off = readl(h->reg + REG_DB_OFFSET);
	resource_size_t len;

	if (bar >= PCI_STD_NUM_BARS || !h->bar[bar])
		return;
	len = pci_resource_len(h->pdev, bar);
	if (len < sizeof(u32) || off > len - sizeof(u32) ||
	    !IS_ALIGNED(off, sizeof(u32)))
		return;

	writel(readl(h->reg + REG_DB_DATA), h->bar[bar] + off);
	h->rings++;
}

static void iteration(struct hostile *h)
{
	unsigned int i, off;
	u32 cmd, irq_type;
	int n;

	cmd = command(h);
	count(h, cmd);

	/* anything into any register but the command, the caps included */
	for (i = rnd(h) % 4; i; i--) {
		off = 4 * (rnd(h) % (REG_END / 4));
		if (off != REG_COMMAND)
			writel(rnd(h), h->reg + off);
	}

	set_transfer(h);
	/* the subrange commands take their BAR number from the size */
	if (cmd == CMD_SUBRANGE_SETUP || cmd == CMD_SUBRANGE_CLEAR)
		writel(PICK(h, bar_vals), h->reg + REG_SIZE);
	writel(PICK(h, irq_type_vals), h->reg + REG_IRQ_TYPE);
	writel(PICK(h, irq_number_vals), h->reg + REG_IRQ_NUMBER);
	writel(PICK(h, flag_vals), h->reg + REG_FLAGS);
	if (rnd(h) % 2)
		writel(PICK(h, bar_vals), h->reg + REG_DB_BAR);
	if (rnd(h) % 4 == 0)
		writel(PICK(h, bar_vals), h->reg + REG_RR_BAR);
	writel(0, h->reg + REG_STATUS);
	irq_type = readl(h->reg + REG_IRQ_TYPE);

	writel(cmd, h->reg + REG_COMMAND);
	if (!cmd)
		return;

	/* the endpoint clears the command when it takes it */
	if (!wait_reg(h, REG_COMMAND, ~0U, 0, PICKUP_MS)) {
		h->not_picked_up++;
		return;
	}

	/* pci-epf-test answers one known command with a known IRQ type */
	if (!is_power_of_2(cmd) || cmd >= BIT(NR_COMMANDS) || irq_type > 2)
		return;

	n = __ffs(cmd);
	if (!wait_reg(h, REG_STATUS, STATUS_IRQ_RAISED, STATUS_IRQ_RAISED,
		      ANSWER_MS)) {
		h->unanswered++;
		return;
	}
	h->answered[n]++;

	if (cmd == CMD_ENABLE_DOORBELL &&
	    (readl(h->reg + REG_STATUS) & STATUS_DB_ENABLED))
		for (i = 1 + rnd(h) % 3; i; i--)
			ring(h);
}

/* What the endpoint publishes now; true if a BAR maps its resources */
static bool state(struct hostile *h, const char *when)
{
	u32 caps = readl(h->reg + REG_CAPS);
	u32 rr = readl(h->reg + REG_RR_BAR);
	u32 db = readl(h->reg + REG_DB_BAR);
	bool mapped = (caps & CAP_REMOTE_RESOURCES) &&
		      (rr != NO_BAR || db != NO_BAR);

	pci_info(h->pdev, "hostile: state %s: caps %#x, table BAR %#x (%u entries), doorbell BAR %#x: %s\n",
		 when, caps, rr, readl(h->reg + REG_RR_COUNT), db,
		 mapped ? "controller resources mapped" : "nothing mapped");

	return mapped;
}

static void report(struct hostile *h)
{
	unsigned long sent = 0, answered = 0;
	unsigned int i;

	for (i = 0; i < NR_COMMANDS; i++) {
		pci_info(h->pdev, "hostile: command %s: sent %lu, answered %lu\n",
			 cmd_names[i], h->sent[i], h->answered[i]);
		sent += h->sent[i];
		answered += h->answered[i];
	}
	pci_info(h->pdev, "hostile: %u iterations: %lu single known commands (%lu answered, %lu unanswered with a valid IRQ type), %lu none, %lu several, %lu unknown, %lu not picked up, %lu doorbell rings, %d interrupts\n",
		 iterations, sent, answered, h->unanswered, h->none,
		 h->several, h->unknown, h->not_picked_up, h->rings,
		 atomic_read(&h->irqs));
}

static int hostile_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	unsigned int i, nreq = 0;
	struct hostile *h;
	int bar, ret;

	h = devm_kzalloc(dev, sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->pdev = pdev;
	prandom_seed_state(&h->rnd, seed);
	atomic_set(&h->irqs, 0);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_request_all_regions(pdev, KBUILD_MODNAME);
	if (ret)
		return ret;
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		if (pci_resource_flags(pdev, bar) & IORESOURCE_MEM)
			h->bar[bar] = pcim_iomap(pdev, bar, 0);
	h->reg = h->bar[0];
	if (!h->reg || pci_resource_len(pdev, 0) < REG_END)
		return -ENODEV;
	pci_set_drvdata(pdev, h);

	if (!iterations) {
		state(h, "now");
		return 0;
	}

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(48));
	if (ret)
		return ret;
	h->buf = dmam_alloc_coherent(dev, BUF_SIZE, &h->buf_dma, GFP_KERNEL);
	if (!h->buf)
		return -ENOMEM;

	h->nvec = pci_alloc_irq_vectors(pdev, 1, 32, PCI_IRQ_MSIX | PCI_IRQ_MSI);
	if (h->nvec < 0)
		return h->nvec;
	for (nreq = 0; nreq < h->nvec; nreq++) {
		ret = request_irq(pci_irq_vector(pdev, nreq), hostile_irq, 0,
				  KBUILD_MODNAME, h);
		if (ret)
			goto out;
	}
	pci_set_master(pdev);

	for (i = 0; i < iterations; i++) {
		iteration(h);
		cond_resched();
	}
	report(h);

out:
	/* whatever the endpoint still does must not reach our memory */
	wait_reg(h, REG_COMMAND, ~0U, 0, PICKUP_MS);
	wait_reg(h, REG_STATUS, STATUS_IRQ_RAISED, STATUS_IRQ_RAISED, ANSWER_MS);
	pci_clear_master(pdev);
	while (nreq--)
		free_irq(pci_irq_vector(pdev, nreq), h);
	pci_free_irq_vectors(pdev);
	if (ret)
		return ret;

	state(h, "after the run");
	return 0;
}

/* Matches nothing: bound only through driver_override */
static const struct pci_device_id hostile_ids[] = {
	{ }
};
MODULE_DEVICE_TABLE(pci, hostile_ids);

static struct pci_driver hostile_driver = {
	.name		= "pci_epf_test_hostile",
	.id_table	= hostile_ids,
	.probe		= hostile_probe,
};
module_pci_driver(hostile_driver);

MODULE_DESCRIPTION("Hostile host for pci-epf-test (end-to-end test only)");
MODULE_LICENSE("GPL");
