#!/usr/bin/env python3
"""Speed of pronet's model families in PyTorch (CPU), for comparison with
`make bench`'s rows: the same architecture, batch size and thread count, so
the figures compare as a ratio (`make bench-torch` runs both back to back
and prints the ratios).

--arch pronet-cnn (the default) times training only, against the "train"
rows:

Architecture (core/arch/pronet_cnn/pronet_cnn.h, the paper's defaults): byte embedding
257 x m and 3-gram embedding buckets x m (m = 50, 4096 buckets); per view,
convolutions of widths 3, 4, 5 with t = 30 filters, ReLU, global max-pool;
the 6t features concatenated, dropout 0.5, dense to 16 classes; softmax
cross-entropy; Adam (lr 1e-3); batch 128. The inputs are random token ids
(16 bytes, 14 3-grams): training cost does not depend on their values.

--arch deep-packet-cnn, deep-packet-sae, image-cnn (or all) time batched
inference (batch 256, --predict-threads, default 1: the C rows are per CPU
second of one core), one packet per call, and training (batch 128,
--threads, Adam lr 1e-3, cross-entropy, 16 classes) of the networks in
docs/deep-packet.md and docs/image-cnn.md at their defaults, over random
bytes / 255 (1500 of them, or a 32 x 32 image): the cost of these layers
does not depend on the values.
  deep-packet-cnn: conv 200x5 stride 5, ReLU, conv 80x4 stride 4, ReLU,
    average over 2 regions, dropout 0.25, dense 600-500-400-300-200-100-50
    (ReLU), dense 16;
  deep-packet-sae: dense 400-300-200-100-50 (ReLU, dropout 0.25), dense 16
    (the fine-tuning steps; the C rows skip pretraining too);
  image-cnn: conv 3x3x32, ReLU, max-pool 2, conv 3x3x64, ReLU, max-pool 2,
    conv 3x3x64, ReLU, flatten 1024, dense 16 (Table I, valid padding).
--arch flow-cnn times the same for E2E-EACF's flow CNN (docs/flow-cnn.md) over
3000 values a flow, training in the paper's batches of 64 flows: conv 16x3,
ReLU, conv 16x3, ReLU, max-pool 2, dropout 0.2, conv 32x3, ReLU, conv 32x3,
ReLU, max-pool 2, dropout 0.2, flatten 23904, dense 500, 300 (ReLU), dense
16 (valid padding); `make bench-flow-cnn` sets it beside
tests/core/arch/flow_cnn/bench_flow_cnn's rows (--compare-text).

  python3 tools/bench-torch.py [--arch A] [--threads N] [--steps S] [--batch B]
                               [--seconds S] [--compare BENCH_JSON]
                               [--compare-text ROWS] [--json FILE]

Needs python3-torch (Debian 12: apt-get install python3-torch); not run by
`make check` or `make bench`.
"""
import argparse
import json
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("bench-torch.py: PyTorch is not installed (Debian: apt-get install python3-torch)")

PAYLOAD_BYTES = 16
NGRAM_POSITIONS = 14
BYTE_VOCABULARY = 257
WIDTHS = (3, 4, 5)


class ProNetCNN(nn.Module):
    def __init__(self, m=50, t=30, buckets=4096, classes=16, dropout=0.5):
        super().__init__()
        self.byte_embedding = nn.Embedding(BYTE_VOCABULARY, m)
        self.ngram_embedding = nn.Embedding(buckets, m)
        self.convs = nn.ModuleList(
            [nn.Conv1d(m, t, w) for _view in range(2) for w in WIDTHS])
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(6 * t, classes)
        for p in self.parameters():  # N(0, 0.05) as pronet, biases 0
            nn.init.normal_(p, 0.0, 0.05) if p.dim() > 1 else nn.init.zeros_(p)

    def forward(self, byte_ids, ngram_ids):
        views = (self.byte_embedding(byte_ids).transpose(1, 2),
                 self.ngram_embedding(ngram_ids).transpose(1, 2))
        pooled = [F.relu(conv(views[i // len(WIDTHS)])).amax(dim=2)
                  for i, conv in enumerate(self.convs)]
        return self.dense(self.dropout(torch.cat(pooled, dim=1)))


class DeepPacketCNN(nn.Module):
    def __init__(self, classes=16):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 200, 5, stride=5)
        self.conv2 = nn.Conv1d(200, 80, 4, stride=4)
        self.pool = nn.AdaptiveAvgPool1d(2)
        self.dropout = nn.Dropout(0.25)
        widths = (160, 600, 500, 400, 300, 200, 100, 50)
        self.dense = nn.ModuleList(
            [nn.Linear(widths[i], widths[i + 1]) for i in range(len(widths) - 1)])
        self.output = nn.Linear(50, classes)

    def forward(self, x):  # x [B, 1500]
        h = F.relu(self.conv2(F.relu(self.conv1(x.unsqueeze(1)))))
        h = self.dropout(self.pool(h).flatten(1))
        for layer in self.dense:
            h = F.relu(layer(h))
        return self.output(h)


class DeepPacketSAE(nn.Module):
    def __init__(self, classes=16):
        super().__init__()
        widths = (1500, 400, 300, 200, 100, 50)
        self.dense = nn.ModuleList(
            [nn.Linear(widths[i], widths[i + 1]) for i in range(len(widths) - 1)])
        self.dropout = nn.Dropout(0.25)
        self.output = nn.Linear(50, classes)

    def forward(self, x):
        h = x
        for layer in self.dense:
            h = self.dropout(F.relu(layer(h)))
        return self.output(h)


class ImageCNN(nn.Module):
    def __init__(self, classes=16):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.conv3 = nn.Conv2d(64, 64, 3)
        self.dense = nn.Linear(1024, classes)

    def forward(self, x):  # x [B, 1024]
        h = F.max_pool2d(F.relu(self.conv1(x.view(-1, 1, 32, 32))), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.dense(F.relu(self.conv3(h)).flatten(1))


class FlowCNN(nn.Module):
    def __init__(self, classes=16):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv1d(1, 16, 3), nn.Conv1d(16, 16, 3),
                                    nn.Conv1d(16, 32, 3), nn.Conv1d(32, 32, 3)])
        self.dropout = nn.Dropout(0.2)
        self.dense1 = nn.Linear(747 * 32, 500)
        self.dense2 = nn.Linear(500, 300)
        self.output = nn.Linear(300, classes)

    def forward(self, x):  # x [B, 3000]
        h = x.unsqueeze(1)
        for pair in (0, 2):
            h = F.relu(self.convs[pair + 1](F.relu(self.convs[pair](h))))
            h = self.dropout(F.max_pool1d(h, 2))
        # Channels last before flattening, as core/nn/conv1d.h lays them out
        # (the cost is the same either way).
        h = h.transpose(1, 2).flatten(1)
        return self.output(F.relu(self.dense2(F.relu(self.dense1(h)))))


# name: (network, input values, training batch: None for --batch).
FAMILIES = {"deep-packet-cnn": (DeepPacketCNN, 1500, None),
            "deep-packet-sae": (DeepPacketSAE, 1500, None),
            "image-cnn": (ImageCNN, 1024, None),
            "flow-cnn": (FlowCNN, 3000, 64)}
# --arch all: the whole-packet families, which `make bench-torch` compares.
WHOLE_PACKET = ("deep-packet-cnn", "deep-packet-sae", "image-cnn")


def timed(fn, seconds, warmup=3, at_least=1):
    """Calls fn until `seconds` of wall time have passed and at least
    `at_least` times; (calls, wall, cpu)."""
    for _ in range(warmup):
        fn()
    calls, start_wall, start_cpu = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        calls += 1
        wall = time.perf_counter() - start_wall
        if wall >= seconds and calls >= at_least:
            return calls, wall, time.process_time() - start_cpu


def bench_family(name, args):
    make, input_bytes, family_batch = FAMILIES[name]
    batch_size = family_batch or args.batch
    torch.manual_seed(1)
    model = make(classes=args.classes)
    samples = 4096
    x = torch.randint(0, 256, (samples, input_bytes)).float() / 255.0
    labels = torch.randint(0, args.classes, (samples,))
    result = {"arch": name}
    cursor = [0]

    def rows(n):
        lo = cursor[0]
        cursor[0] = (lo + n) % (samples - n)
        return slice(lo, lo + n)

    model.eval()
    torch.set_num_threads(args.predict_threads)
    with torch.no_grad():
        for batch, key in ((256, "predict_batched"), (1, "predict_one")):
            calls, wall, cpu = timed(lambda: model(x[rows(batch)]).argmax(1), args.seconds)
            # Per CPU second, as the C rows: on a shared machine the wall
            # clock counts the other processes' turns.
            result[key] = calls * batch / cpu
            result[key + "_cpu_seconds"] = cpu
            print("torch %s, %s: %d thread(s), batch %d: %.0f predictions per CPU s "
                  "(%.2f s wall, %.2f CPU s)" % (torch.__version__, name, args.predict_threads,
                                                 batch, result[key], wall, cpu))
    torch.set_num_threads(args.threads)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        r = rows(batch_size)
        optimizer.zero_grad()
        F.cross_entropy(model(x[r]), labels[r]).backward()
        optimizer.step()

    calls, wall, cpu = timed(step, args.seconds, at_least=8)  # as the C rows
    result["train"] = calls * batch_size / wall
    print("torch %s, %s: %d thread(s), batch %d: %d steps in %.2f s (%.2f CPU s): "
          "%.0f samples/s" % (torch.__version__, name, args.threads, batch_size, calls, wall,
                              cpu, result["train"]))
    return result


C_ROWS = (("predict_one", "predict, one at a time"), ("predict_batched", "predict, batched (256)"),
          ("train", "train, 2 threads"))


def json_rows(bench_json):
    """make bench's rows from its bench.json: ({name: value}, load average)."""
    with open(bench_json) as f:
        bench = json.load(f)
    return {r["name"]: r["value"] for r in bench["results"]}, bench.get("load_average")


def text_rows(path):
    """Rows printed as "NAME  VALUE  UNIT ..." with NAME in the first 40
    columns (bench_flow_cnn's): ({name: value}, None)."""
    values = {}
    with open(path) as f:
        for line in f:
            fields = line[40:].split()
            if ":" in line[:40] and fields:
                try:
                    values[line[:40].strip()] = float(fields[0])
                except ValueError:
                    pass
    return values, None


def print_ratios(results, values, load, source):
    print("pronet / torch on this machine (C from %s, load average %s at its start):"
          % (source, load))
    print("%-18s %-24s %12s %12s %8s" % ("family", "figure", "pronet", "torch", "ratio"))
    for r in results:
        for key, row in C_ROWS:
            c = values.get("%s: %s" % (r["arch"], row))
            ratio = "%.2f" % (c / r[key]) if c and r.get(key) else "-"
            print("%-18s %-24s %12s %12.0f %8s" % (r["arch"], row,
                                                  "%.0f" % c if c else "-", r[key], ratio))


def bench_pronet(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = ProNetCNN(classes=args.classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    samples = 4096
    byte_ids = torch.randint(0, BYTE_VOCABULARY, (samples, PAYLOAD_BYTES))
    ngram_ids = torch.randint(0, 4096, (samples, NGRAM_POSITIONS))
    labels = torch.randint(0, args.classes, (samples,))

    def step(i):
        lo = (i * args.batch) % (samples - args.batch)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(byte_ids[lo:lo + args.batch],
                                     ngram_ids[lo:lo + args.batch]),
                               labels[lo:lo + args.batch])
        loss.backward()
        optimizer.step()

    model.train()
    for i in range(10):  # warm-up: allocator, thread pool
        step(i)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    for i in range(args.steps):
        step(i)
    wall = time.perf_counter() - start_wall
    cpu = time.process_time() - start_cpu
    result = {
        "torch": torch.__version__,
        "threads": args.threads,
        "batch": args.batch,
        "steps": args.steps,
        "seconds": wall,
        "cpu_seconds": cpu,
        "samples_per_second": args.steps * args.batch / wall,
    }
    print("torch %s, %d thread(s), batch %d: %d steps in %.2f s (%.2f CPU s): "
          "%.0f samples/s" % (torch.__version__, args.threads, args.batch, args.steps,
                              wall, cpu, result["samples_per_second"]))
    return result


def blas_library():
    """The BLAS this process loaded, by its resolved path. Debian's
    python3-torch (BLAS_INFO=generic) runs its dense layers through
    libblas.so.3, whichever package the alternatives system points it at:
    netlib's reference libblas3 makes them ~20 times slower than OpenBLAS
    (docs/evaluation.md), so a ratio is only read beside the BLAS it had."""
    torch.ones(64, 64) @ torch.ones(64, 64)  # loads it
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower()}
    except OSError:
        return "unknown (no /proc/self/maps)"
    found = sorted(os.path.realpath(p) for p in paths if p.startswith("/"))
    return ", ".join(found) if found else "none loaded"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="pronet-cnn",
                        choices=["pronet-cnn", "all"] + sorted(FAMILIES))
    parser.add_argument("--threads", type=int, default=1, help="training threads")
    parser.add_argument("--predict-threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=200, help="pronet-cnn's training steps")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="wall seconds per figure of the other families")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--classes", type=int, default=16)
    parser.add_argument("--compare", metavar="BENCH_JSON",
                        help="print pronet / torch ratios against this bench.json")
    parser.add_argument("--compare-text", metavar="ROWS",
                        help="the same against rows printed as text (bench_flow_cnn's)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    if args.arch == "pronet-cnn":
        result = bench_pronet(args)
    else:
        names = list(WHOLE_PACKET) if args.arch == "all" else [args.arch]
        blas = blas_library()
        print("torch %s, BLAS: %s" % (torch.__version__, blas))
        if "/blas/libblas.so" in blas:
            print("bench-torch.py: torch's dense layers run on netlib's reference BLAS, "
                  "about 20 times slower than its best: apt-get install "
                  "libopenblas0-pthread, run with OPENBLAS_NUM_THREADS=1", file=sys.stderr)
        result = {"torch": torch.__version__, "blas": blas, "threads": args.threads,
                  "predict_threads": args.predict_threads, "batch": args.batch,
                  "families": [bench_family(n, args) for n in names]}
        if args.compare:
            print_ratios(result["families"], *json_rows(args.compare), args.compare)
        if args.compare_text:
            print_ratios(result["families"], *text_rows(args.compare_text),
                         args.compare_text)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(result, f, indent=2)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
