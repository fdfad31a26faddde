#!/usr/bin/env python3
"""readout-saturation.py RUN [GOALS] [TAU] [linear|tanh]: rolls some goals' learned
initial states of a finished esn run forward from its model/ folder (the
forward pass of plugins/esn/esn-core.h, in plain Python, no packages) and
prints the share of motor commands beyond |0.9| and their mean |value|.
TAU is the config's generator.tau (paper.cfg 10, seed.cfg 50)."""
import math
import struct
import sys


def npy(path):
    """The shape and float32 values of a little-endian .npy file."""
    data = open(path, 'rb').read()
    header_len = struct.unpack_from('<H', data, 8)[0]
    header = data[10:10 + header_len].decode()
    shape = tuple(int(x) for x in header.split('(')[1].split(')')[0].split(',') if x.strip())
    n = 1
    for s in shape:
        n *= s
    return shape, struct.unpack_from('<%df' % n, data, 10 + header_len)


def main():
    run = sys.argv[1]
    goals = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    tau = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    tanh_out = (sys.argv[4] if len(sys.argv) > 4 else 'tanh') == 'tanh'
    (n, _), wr = npy(run + '/model/w_r.npy')
    (outputs, _), wo = npy(run + '/model/w_o.npy')
    _, br = npy(run + '/model/b_r.npy')
    _, bo = npy(run + '/model/b_o.npy')
    (g, _), h0 = npy(run + '/model/initial_states.npy')
    w_rows = [wr[i * n:(i + 1) * n] for i in range(n)]
    wo_rows = [wo[o * n:(o + 1) * n] for o in range(outputs)]
    beyond = total = 0
    size = 0.0
    for goal in range(0, g, max(1, g // goals)):
        h = list(h0[goal * n:(goal + 1) * n])
        for _ in range(100):
            r = [math.tanh(x) for x in h]
            h = [(1 - 1 / tau) * h[i] + (sum(a * b for a, b in zip(w_rows[i], r)) + br[i]) / tau
                 for i in range(n)]
            r = [math.tanh(x) for x in h]
            for o in range(outputs):
                s = sum(a * b for a, b in zip(wo_rows[o], r)) + bo[o]
                a = math.tanh(s) if tanh_out else s
                beyond += abs(a) > 0.9
                total += 1
                size += abs(a)
    print("commands beyond |0.9|: %.3f, mean |command| %.3f (%d values)"
          % (beyond / total, size / total, total))


if __name__ == '__main__':
    main()
