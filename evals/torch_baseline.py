"""PyTorch's training step of the same 2×512 LSTM, to compare with `ghostpen eval speed`.

Not a ghostpen command and not a dependency: run it where torch is installed (a throwaway
virtual environment is enough); without torch it says so and exits 0.

    python evals/torch_baseline.py --threads 2 --batch 64      # prints chars/s

Same math as `training/step.py`: embedding 64, 2×512 LSTM, dropout 0.4, vocabulary 85,
sequence 100, summed cross-entropy, global-norm clipping at 1.0 per character, gradients
divided by the characters of the step, Adam.
"""

from __future__ import annotations

import argparse
import sys
import time


def measure(threads: int, batch: int, steps: int = 5, seq: int = 100) -> float:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    vocab, embed, hidden, layers = 85, 64, 512, 2

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = torch.nn.Embedding(vocab, embed)
            self.drop = torch.nn.Dropout(0.4)
            self.rnn = torch.nn.LSTM(embed, hidden, layers, dropout=0.4)
            self.dec = torch.nn.Linear(hidden, vocab)

        def forward(self, x, state):
            out, state = self.rnn(self.drop(self.enc(x)), state)  # (seq, batch, hidden)
            return self.dec(self.drop(out).reshape(-1, hidden)), state  # (seq*batch, vocab)

    net = Net()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    x = torch.randint(0, vocab, (seq, batch))
    y = torch.randint(0, vocab, (seq * batch,))
    state = (torch.zeros(layers, batch, hidden), torch.zeros(layers, batch, hidden))

    def step(state):
        state = tuple(s.detach() for s in state)
        opt.zero_grad()
        logits, state = net(x, state)
        loss_fn(logits, y).backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0 * y.numel())
        for p in net.parameters():
            p.grad /= y.numel()
        opt.step()
        return state

    state = step(state)  # the first step allocates
    start = time.perf_counter()
    for _ in range(steps):
        state = step(state)
    return steps * seq * batch / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed: nothing to compare")
        return 0
    speed = measure(args.threads, args.batch)
    print(
        f"torch {torch.__version__} threads={args.threads} batch={args.batch}: {speed:.0f} chars/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
