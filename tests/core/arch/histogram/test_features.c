/* Tests of core/arch/histogram/features.c: the bins of both feature spaces
 * counted by hand on a six-packet flow, windows and their boundaries. */
#include <string.h>

#include "core/arch/histogram/features.h"
#include "core/arch/histogram/histogram.h"
#include "tests/unit.h"

/* Axes with round edges: size 1000 bytes; times 100 and 10,000 us; burst
 * 1000 bytes; surge 100 and 10,000 us. No test value sits on an edge. */
static void small_config(struct pronet_histogram_config *config, uint32_t window)
{
	pronet_histogram_config_default(config);
	config->window = window;
	config->surge_gap_us = 1000;
	config->size = (struct pronet_histogram_axis){100.0f, 10000.0f, 2};
	config->iat = (struct pronet_histogram_axis){1.0f, 1e6f, 3};
	config->burst = (struct pronet_histogram_axis){100.0f, 10000.0f, 2};
	config->surge = (struct pronet_histogram_axis){1.0f, 1e6f, 3};
}

static struct pronet_packet_record packet(uint64_t time, uint8_t direction, uint16_t wire,
                                          uint16_t payload)
{
	struct pronet_packet_record r;

	memset(&r, 0, sizeof(r));
	r.timestamp_us = time;
	r.direction = direction;
	r.wire_length = wire;
	r.payload_length = payload;
	r.l4_protocol = 6;
	return r;
}

/* A TCP flow: SYN, SYN-ACK (no payload), two client data packets (one
 * burst of 1700 bytes), a pure ACK from the server, a server data packet. */
static void tiny_flow(struct pronet_packet_record flow[6])
{
	flow[0] = packet(0, 0, 60, 0);
	flow[1] = packet(50, 1, 60, 0);
	flow[2] = packet(5050, 0, 1200, 1160);
	flow[3] = packet(5100, 0, 500, 460);
	flow[4] = packet(5250, 1, 40, 0);
	flow[5] = packet(30250, 1, 1500, 1460);
}

/* Index of space A's bin (direction, size bin, gap bin) with 2 x 3 bins. */
#define A(sign, size, gap) (((sign)*2 + (size)) * 3 + (gap))
#define B(burst, surge) (12 + (burst)*3 + (surge))

static void test_one_window_counted_by_hand(void)
{
	struct pronet_histogram_config config;
	struct pronet_histogram_layout layout;
	struct pronet_packet_record flow[6];
	float features[64], expected[64] = {0};
	char errbuf[256];

	small_config(&config, 8);
	CU_ASSERT_EQUAL_FATAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(layout.num_features, 12 + 6);
	tiny_flow(flow);
	CU_ASSERT_EQUAL(pronet_histogram_num_windows(&layout, 6), 1);
	pronet_histogram_window_features(&layout, flow, 0, 6, features);
	/* Space A: p0 and p3 (up, small, < 100 us), p1 (down, small, 50 us),
	 * p2 (up, large, 5000 us), p4 (down, small, 150 us), p5 (down, large,
	 * 25,000 us). */
	expected[A(0, 0, 0)] = 2.0f / 6;
	expected[A(1, 0, 0)] = 1.0f / 6;
	expected[A(0, 1, 1)] = 1.0f / 6;
	expected[A(1, 0, 1)] = 1.0f / 6;
	expected[A(1, 1, 2)] = 1.0f / 6;
	/* Space B: surges {p0, p1} 50 us, {p2, p3, p4} 200 us, {p5} 0 us. The
	 * burst p2+p3 (1700 bytes) starts in the 200 us surge; the burst p5
	 * (1500 bytes) in the 0 us one. The ACK p4 does not break the first. */
	expected[B(1, 1)] = 1.0f / 6;
	expected[B(1, 0)] = 1.0f / 6;
	for (size_t i = 0; i < layout.num_features; i++)
		CU_ASSERT_DOUBLE_EQUAL(features[i], expected[i], 1e-7);
}

static void test_second_window_takes_the_gap_from_the_first(void)
{
	struct pronet_histogram_config config;
	struct pronet_histogram_layout layout;
	struct pronet_packet_record flow[6];
	float features[64], expected[64] = {0};
	size_t begin, end;
	char errbuf[256];

	small_config(&config, 4);
	CU_ASSERT_EQUAL_FATAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                      PRONET_OK);
	tiny_flow(flow);
	/* 6 packets, W = 4: one full window and a rest of 2 >= W / 4. */
	CU_ASSERT_EQUAL_FATAL(pronet_histogram_num_windows(&layout, 6), 2);
	pronet_histogram_window_range(&layout, 6, 1, &begin, &end);
	CU_ASSERT_EQUAL(begin, 4);
	CU_ASSERT_EQUAL(end, 6);
	pronet_histogram_window_features(&layout, flow, begin, end, features);
	expected[A(1, 0, 1)] = 0.5f; /* p4: 150 us after p3, in the other window */
	expected[A(1, 1, 2)] = 0.5f;
	expected[B(1, 0)] = 0.5f; /* p5's burst, alone in its surge */
	for (size_t i = 0; i < layout.num_features; i++)
		CU_ASSERT_DOUBLE_EQUAL(features[i], expected[i], 1e-7);
}

static void test_space_b_alone_and_windows(void)
{
	struct pronet_histogram_config config;
	struct pronet_histogram_layout layout;
	struct pronet_packet_record flow[6];
	float features[64];
	char errbuf[256];

	small_config(&config, 8);
	config.spaces = PRONET_HISTOGRAM_SPACE_B;
	CU_ASSERT_EQUAL_FATAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL(layout.num_features, 6);
	tiny_flow(flow);
	pronet_histogram_window_features(&layout, flow, 0, 6, features);
	CU_ASSERT_DOUBLE_EQUAL(features[1 * 3 + 1], 1.0 / 6, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(features[1 * 3 + 0], 1.0 / 6, 1e-7);

	pronet_histogram_config_default(&config);
	CU_ASSERT_EQUAL_FATAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL(layout.num_features, 2 * 7 * 15 + 15 * 8);
	CU_ASSERT_EQUAL(pronet_histogram_num_windows(&layout, 0), 0);
	CU_ASSERT_EQUAL(pronet_histogram_num_windows(&layout, 10), 1);
	CU_ASSERT_EQUAL(pronet_histogram_num_windows(&layout, 2048 + 255), 2);
	CU_ASSERT_EQUAL(pronet_histogram_num_windows(&layout, 2048 + 256), 3);
}

static void test_bins_and_bad_axes(void)
{
	struct pronet_histogram_config config;
	struct pronet_histogram_layout layout;
	char errbuf[256];

	small_config(&config, 8);
	CU_ASSERT_EQUAL_FATAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL(pronet_histogram_bin(&layout.iat, 0.0), 0);
	CU_ASSERT_EQUAL(pronet_histogram_bin(&layout.iat, 99.0), 0);
	CU_ASSERT_EQUAL(pronet_histogram_bin(&layout.iat, 101.0), 1);
	CU_ASSERT_EQUAL(pronet_histogram_bin(&layout.iat, 9999.0), 1);
	CU_ASSERT_EQUAL(pronet_histogram_bin(&layout.iat, 10001.0), 2);
	CU_ASSERT_EQUAL(pronet_histogram_bin(&layout.iat, 1e12), 2);
	config.iat.low = 0.0f;
	CU_ASSERT_EQUAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                PRONET_ERR_LIMIT);
	small_config(&config, 8);
	config.burst.bins = PRONET_HISTOGRAM_MAX_BINS + 1;
	CU_ASSERT_EQUAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                PRONET_ERR_LIMIT);
	small_config(&config, 0);
	CU_ASSERT_EQUAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                PRONET_ERR_LIMIT);
	small_config(&config, 8);
	config.spaces = 4;
	CU_ASSERT_EQUAL(pronet_histogram_layout_init(&config, "test", &layout, errbuf),
	                PRONET_ERR_LIMIT);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"one window counted by hand", test_one_window_counted_by_hand},
	    {"second window takes the gap from the first",
	     test_second_window_takes_the_gap_from_the_first},
	    {"space B alone and window counts", test_space_b_alone_and_windows},
	    {"bins and bad axes", test_bins_and_bad_axes},
	    CU_TEST_INFO_NULL,
	};

	return pronet_unit_run("histogram features", tests);
}
