#!/usr/bin/env python3
"""Training speed of ProNet's CNN in PyTorch (CPU), for comparison with
`make bench`'s "train" rows: the same architecture, batch size and thread
count, so the samples/s figures compare as a ratio.

Architecture (core/arch/pronet_cnn/pronet_cnn.h, the paper's defaults): byte embedding
257 x m and 3-gram embedding buckets x m (m = 50, 4096 buckets); per view,
convolutions of widths 3, 4, 5 with t = 30 filters, ReLU, global max-pool;
the 6t features concatenated, dropout 0.5, dense to 16 classes; softmax
cross-entropy; Adam (lr 1e-3); batch 128. The inputs are random token ids
(16 bytes, 14 3-grams): training cost does not depend on their values.

  python3 tools/bench-torch.py [--threads N] [--steps S] [--batch B] [--json FILE]

Needs python3-torch (Debian 12: apt-get install python3-torch); not run by
`make check` or `make bench`.
"""
import argparse
import json
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--classes", type=int, default=16)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

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
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(result, f, indent=2)
        import os
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
