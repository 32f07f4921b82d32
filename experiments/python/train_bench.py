#!/usr/bin/env python3
"""Training-step throughput of gradroute's benchmark models in PyTorch for Python.

The other side of `./gradroute bench train`: the same three models (the MNIST split autoencoder of
the `cpu` preset with its certificates and penalties, the TinyStories demo transformer, a larger
GPT), the same synthetic data and the same optimisers as the Java side, with gradient routing
written as the paper's formula  m*x + (1-m)*x.detach().

Run as a server: one JSON request per line on stdin, one JSON answer per line on stdout, so that
the Java bench can interleave its own rounds with these in one command:
    {"model": "mnist", "routing": true, "steps": 40, "warmup": 5, "threads": 2}
 -> {"model": "mnist", "routing": true, "steps": 40, "seconds": 1.9, "steps_per_second": 21.0,
     "threads": 2, "torch": "2.10.0", "loss": 0.41}
Models are built once per (model, routing) and keep training across requests, as on the Java side.
`python3 train_bench.py --once mnist` runs one request and prints the answer (a smoke test).
"""

import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------- shared data


def synthetic_images(count, width):
    """Deterministic pixels in [-1, 1]: ((i*7919 + j*104729) mod 255) / 127 - 1, as the Java side."""
    i = torch.arange(count, dtype=torch.int64).unsqueeze(1)
    j = torch.arange(width, dtype=torch.int64).unsqueeze(0)
    return (((i * 7919 + j * 104729) % 255).to(torch.float32) / 127.0) - 1.0


def synthetic_tokens(step, batch, length, vocab):
    """Tokens (b*31 + t*17 + step*7) mod vocab, shape [batch, length], as the Java side."""
    b = torch.arange(batch, dtype=torch.int64).unsqueeze(1)
    t = torch.arange(length, dtype=torch.int64).unsqueeze(0)
    return (b * 31 + t * 17 + step * 7) % vocab


def route(x, m):
    """Gradient routing: the forward value is x, the gradient reaching x is grad * m."""
    return m * x + (1 - m) * x.detach()


# ----------------------------------------------------------------------------- MNIST


def mlp(sizes, last_bias):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], bias=(i < len(sizes) - 2) or last_bias))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class MnistStep:
    """The `cpu` preset (784 -> 512 -> 128 -> 32, batch 256) with config T's losses."""

    IMAGES, WIDTH, BATCH, LATENT, HIDDEN = 2048, 784, 256, 32, [512, 128]
    FIRST_B_DIGIT = 5

    def __init__(self, routing):
        torch.manual_seed(0)
        self.routing = routing
        half = self.LATENT // 2
        rev = list(reversed(self.HIDDEN))
        self.encoder = mlp([self.WIDTH] + self.HIDDEN + [self.LATENT], False)
        self.decoder = mlp([self.LATENT] + rev + [self.WIDTH], True)
        self.cert_a = mlp([half] + rev + [self.WIDTH], True)
        self.cert_b = mlp([half] + rev + [self.WIDTH], True)
        params = [p for m in (self.encoder, self.decoder, self.cert_a, self.cert_b) for p in m.parameters()]
        self.optimizer = torch.optim.Adam(params, lr=1e-3, weight_decay=5e-5)
        self.images = synthetic_images(self.IMAGES, self.WIDTH)
        self.labels = torch.arange(self.IMAGES) % 10
        table = torch.zeros(3, self.LATENT)
        table[0, :half] = 1
        table[1, half:] = 1
        table[2] = 1  # the no-mask row
        self.table = table
        self.steps_per_epoch = self.IMAGES // self.BATCH
        self.step_count = 0
        self.permutation = None

    def step(self):
        batch = self.step_count % self.steps_per_epoch
        if batch == 0:
            self.permutation = torch.randperm(self.IMAGES, generator=torch.Generator().manual_seed(self.step_count))
        index = self.permutation[batch * self.BATCH:(batch + 1) * self.BATCH]
        self.step_count += 1
        x = self.images.index_select(0, index)
        labels = self.labels.index_select(0, index)
        routes = (labels >= self.FIRST_B_DIGIT).long()
        mask_a = (routes == 0).float()
        mask_b = 1 - mask_a
        count_a = int(mask_a.sum().item())
        count_b = x.shape[0] - count_a

        z = self.encoder(x)
        routed = route(z, self.table[routes]) if self.routing else z
        reconstruction = self.decoder(routed)
        frozen = z.detach()
        half = self.LATENT // 2
        cert_a = self.cert_a(frozen[:, :half])
        cert_b = self.cert_b(frozen[:, half:])
        per_image = (reconstruction - x).abs().mean(1)
        good = (per_image * mask_a).sum() / count_a if count_a else per_image.sum() * 0
        bad = (per_image * mask_b).sum() / count_b if count_b else per_image.sum() * 0
        c_a = (cert_a - x).abs().mean()
        c_b = (cert_b - x).abs().mean()
        l1_a = z[:, :half].abs().mean(0).sum()
        l1_b = z[:, half:].abs().mean(0).sum()
        corr = correlation(z)
        total = good + bad + c_a + c_b + 0.003 * l1_a + 0.003 * l1_b + 0.1 * corr
        self.optimizer.zero_grad()
        total.backward()
        self.optimizer.step()
        return total


def correlation(z):
    n, width = z.shape
    half = width // 2
    centred = z - z.mean(0, keepdim=True)
    variance = centred.pow(2).sum(0, keepdim=True) / max(1, n - 1)
    standardised = centred / (variance.sqrt() + 1e-8)
    a, b = standardised[:, :half], standardised[:, half:]
    return (a.t() @ b / n).abs().mean()


# ----------------------------------------------------------------------------- GPT


class Gpt(nn.Module):
    """A GPT in TransformerLens layout (as gradroute.model.Gpt): pre-LN blocks, GELU(tanh) MLP."""

    def __init__(self, layers, d_model, heads, d_head, d_mlp, vocab, n_ctx, attn_scale):
        super().__init__()
        std = 0.8 / math.sqrt(d_model)
        self.heads, self.d_head, self.attn_scale = heads, d_head, attn_scale

        def w(*shape):
            return nn.Parameter(torch.randn(*shape) * std)

        def zeros(*shape):
            return nn.Parameter(torch.zeros(*shape))

        self.W_E, self.W_pos = w(vocab, d_model), w(n_ctx, d_model)
        self.blocks = nn.ModuleList()
        for _ in range(layers):
            b = nn.Module()
            b.ln1, b.ln2 = nn.LayerNorm(d_model, eps=1e-5), nn.LayerNorm(d_model, eps=1e-5)
            b.W_Q, b.W_K, b.W_V = w(heads, d_model, d_head), w(heads, d_model, d_head), w(heads, d_model, d_head)
            b.b_Q, b.b_K, b.b_V = zeros(heads, d_head), zeros(heads, d_head), zeros(heads, d_head)
            b.W_O, b.b_O = w(heads, d_head, d_model), zeros(d_model)
            b.W_in, b.b_in = w(d_model, d_mlp), zeros(d_mlp)
            b.W_out, b.b_out = w(d_mlp, d_model), zeros(d_model)
            self.blocks.append(b)
        self.ln_final = nn.LayerNorm(d_model, eps=1e-5)
        self.W_U, self.b_U = w(d_model, vocab), zeros(vocab)
        self.register_buffer("causal", torch.ones(n_ctx, n_ctx, dtype=torch.bool).triu(1), persistent=False)

    def heads_of(self, x, w, b):
        batch, length, d = x.shape
        return (x @ w.permute(1, 0, 2).reshape(d, -1) + b.reshape(-1)).view(batch, length, self.heads, self.d_head)

    def forward(self, tokens, route_mask=None):
        batch, length = tokens.shape
        resid = F.embedding(tokens, self.W_E) + self.W_pos[:length].unsqueeze(0)
        for b in self.blocks:
            x = b.ln1(resid)
            q, k, v = self.heads_of(x, b.W_Q, b.b_Q), self.heads_of(x, b.W_K, b.b_K), self.heads_of(x, b.W_V, b.b_V)
            scores = q.permute(0, 2, 1, 3) @ k.permute(0, 2, 3, 1)
            if self.attn_scale:
                scores = scores / math.sqrt(self.d_head)
            scores = scores.masked_fill(self.causal[:length, :length], float("-inf"))
            z = (scores.softmax(-1) @ v.permute(0, 2, 1, 3)).permute(0, 2, 1, 3)
            attn_out = z.reshape(batch, length, -1) @ b.W_O.reshape(-1, b.W_O.shape[-1]) + b.b_O
            resid = resid + attn_out
            y = b.ln2(resid)
            resid = resid + F.gelu(y @ b.W_in + b.b_in, approximate="tanh") @ b.W_out + b.b_out
            if route_mask is not None:
                resid = route(resid, route_mask)
        return self.ln_final(resid) @ self.W_U + self.b_U


class GptStep:
    SHAPES = {
        # layers, d_model, heads, d_head, d_mlp, vocab, n_ctx, attention scaling, batch
        "tinystories": (4, 64, 4, 16, 256, 1000, 64, False, 32),
        "gpt": (6, 256, 8, 32, 1024, 1000, 256, True, 16),
    }

    def __init__(self, name, routing):
        torch.manual_seed(0)
        layers, d, heads, dh, dmlp, vocab, ctx, scale, batch = self.SHAPES[name]
        self.model = Gpt(layers, d, heads, dh, dmlp, vocab, ctx, scale)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=1e-3, betas=(0.9, 0.999), weight_decay=0.01)
        self.batch, self.ctx, self.vocab = batch, ctx, vocab
        self.route_mask = None
        if routing:
            # even stories send their gradient into the first half of the residual stream only
            m = torch.ones(batch, 1, d)
            m[0::2, :, d // 2:] = 0
            self.route_mask = m
        self.step_count = 0

    def step(self):
        tokens = synthetic_tokens(self.step_count, self.batch, self.ctx + 1, self.vocab)
        self.step_count += 1
        inputs, targets = tokens[:, :-1], tokens[:, 1:]
        logits = self.model(inputs, self.route_mask)
        losses = -logits.log_softmax(-1).gather(2, targets.unsqueeze(2)).squeeze(2)
        loss = losses.sum() / targets.numel()
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss


# ----------------------------------------------------------------------------- server


MODELS = ("mnist", "tinystories", "gpt")


def build(model, routing):
    if model == "mnist":
        return MnistStep(routing)
    if model in GptStep.SHAPES:
        return GptStep(model, routing)
    raise ValueError(f"unknown model '{model}' (expected one of {', '.join(MODELS)})")


def answer(request, cache):
    model, routing = request["model"], bool(request.get("routing", True))
    threads = int(request.get("threads", 0))
    if threads > 0:
        torch.set_num_threads(threads)
    key = (model, routing)
    if key not in cache:
        cache[key] = build(model, routing)
    runner = cache[key]
    for _ in range(int(request.get("warmup", 3))):
        runner.step()
    steps = int(request["steps"])
    start = time.perf_counter()
    loss = None
    for _ in range(steps):
        loss = runner.step()
    seconds = time.perf_counter() - start
    return {"model": model, "routing": routing, "steps": steps, "seconds": seconds,
            "steps_per_second": steps / seconds, "threads": torch.get_num_threads(),
            "torch": torch.__version__.split("+")[0], "loss": loss.item()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--once", choices=MODELS, help="run one request for this model and exit")
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    cache = {}
    if args.once:
        print(json.dumps(answer({"model": args.once, "steps": args.steps}, cache)))
        return
    print(json.dumps({"ready": True, "torch": torch.__version__.split("+")[0], "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            reply = answer(json.loads(line), cache)
        except Exception as e:  # the Java side reports it and stops
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
