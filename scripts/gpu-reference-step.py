"""Full-size CogVideoX training-step measurements on one GPU with the reference implementation (diffusers v0.32.2
CogVideoXTransformer3DModel, random weights), for docs/distributed.md: step time split into forward / backward /
optimizer, peak GPU memory, and the bytes a data-parallel all-reduce would move per step.

The optimizer mirrors CogForge's trainer: trainable weights in the model dtype (bf16), AdamW moments in float32,
update computed in float32 and written back. `--own-fraction F` keeps moments for only the first F of the trainable
bytes (what one rank holds with ZeRO-1 sharding over 1/F ranks; the other ranks' parameters are not updated here).

One configuration per process (so one run's allocator state never colours the next):
  python3 gpu-reference-step.py --model 2b --rank 128
  python3 gpu-reference-step.py --model 5b --rank 0 --own-fraction 0.5
Needs diffusers v0.32.2's src/diffusers on PYTHONPATH (see the README of ../shared/reference for how to extract it).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

MODELS = {
    # the official transformer/config.json values that matter for cost
    "2b": dict(num_attention_heads=30, attention_head_dim=64, num_layers=30, use_rotary_positional_embeddings=False),
    "5b": dict(num_attention_heads=48, attention_head_dim=64, num_layers=42, use_rotary_positional_embeddings=True),
}
LORA_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")


class LoraLinear(torch.nn.Module):
    """base(x) + B(A(x)) * alpha / r with alpha = r, LoRA weights kept in float32 like the factory's cast_training_params."""

    def __init__(self, base, r):
        super().__init__()
        self.base_layer = base
        self.lora_A = torch.nn.Linear(base.in_features, r, bias=False, device=base.weight.device, dtype=torch.float32)
        self.lora_B = torch.nn.Linear(r, base.out_features, bias=False, device=base.weight.device, dtype=torch.float32)
        torch.nn.init.zeros_(self.lora_B.weight)

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(x.float())).to(x.dtype)


class Float32MomentAdamW:
    """AdamW with float32 moments and float32 arithmetic on parameters of any dtype (the CogForge trainer's rule)."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=1e-4, master=False):
        self.params, self.lr, self.betas, self.eps, self.wd = params, lr, betas, eps, weight_decay
        self.m = [torch.zeros_like(p, dtype=torch.float32) for p in params]
        self.v = [torch.zeros_like(p, dtype=torch.float32) for p in params]
        # float32 master copies of bf16 weights, so that updates below bf16's resolution are not rounded away
        self.master = [p.detach().float() for p in params] if master else None
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        bc1, bc2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for i, (p, m, v) in enumerate(zip(self.params, self.m, self.v)):
            if p.grad is None:
                continue
            g = p.grad.float()
            p32 = self.master[i] if self.master is not None else p.float()
            p32.mul_(1 - self.lr * self.wd)
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            p32.addcdiv_(m, v.sqrt().div_(bc2 ** 0.5).add_(self.eps), value=-self.lr / bc1)
            p.copy_(p32)

    def state_bytes(self):
        return sum(t.numel() * 4 for t in self.m + self.v + (self.master or []))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=sorted(MODELS), required=True)
    ap.add_argument("--rank", type=int, default=128, help="LoRA rank; 0 = full fine-tuning")
    ap.add_argument("--own-fraction", type=float, default=1.0)
    ap.add_argument("--frames", type=int, default=49)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--width", type=int, default=720)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--master", action="store_true", help="keep float32 master weights in the optimizer state")
    ap.add_argument("--json", default=None)
    ap.add_argument("--device", default="cuda", help="cpu only for a dry run of this script at tiny sizes")
    ap.add_argument("--layers", type=int, default=0, help="override num_layers (dry runs)")
    a = ap.parse_args()

    # The GPU image's peft/accelerate would pull in the real huggingface_hub, which this offline run replaces with the
    # reference stub; the bare model needs neither.
    import diffusers.utils as du
    import diffusers.utils.constants as dc
    import diffusers.utils.import_utils as iu
    iu._accelerate_available = False
    iu._peft_available = False
    iu._transformers_available = False
    du.USE_PEFT_BACKEND = dc.USE_PEFT_BACKEND = False
    from diffusers import CogVideoXTransformer3DModel
    from diffusers.models.embeddings import get_3d_rotary_pos_embed

    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    torch.manual_seed(0)
    lat_f, lat_h, lat_w = (a.frames - 1) // 4 + 1, a.height // 8, a.width // 8
    cfg = dict(MODELS[a.model], in_channels=16, out_channels=16, time_embed_dim=512, text_embed_dim=4096,
               sample_frames=a.frames, sample_height=lat_h, sample_width=lat_w, patch_size=2,
               temporal_compression_ratio=4, max_text_seq_length=226)
    if a.layers:
        cfg["num_layers"] = a.layers
    if cuda:
        with dev:  # initialise on the GPU: 5b's random init on the CPU takes minutes
            model = CogVideoXTransformer3DModel(**cfg)
    else:
        model = CogVideoXTransformer3DModel(**cfg)
    model.to(torch.bfloat16)
    model.enable_gradient_checkpointing()
    model.train()
    if a.rank > 0:
        model.requires_grad_(False)
        for blk in model.transformer_blocks:
            att = blk.attn1
            att.to_q, att.to_k, att.to_v = (LoraLinear(att.to_q, a.rank), LoraLinear(att.to_k, a.rank),
                                            LoraLinear(att.to_v, a.rank))
            att.to_out[0] = LoraLinear(att.to_out[0], a.rank)
    trainable = [p for p in model.parameters() if p.requires_grad]
    total_bytes = sum(p.numel() * p.element_size() for p in trainable)
    owned, acc = [], 0
    for p in trainable:
        if acc >= a.own_fraction * total_bytes:
            break
        owned.append(p)
        acc += p.numel() * p.element_size()
    opt = Float32MomentAdamW(owned, master=a.master)

    rot = None
    if cfg["use_rotary_positional_embeddings"]:
        gh, gw = lat_h // 2, lat_w // 2
        cos, sin = get_3d_rotary_pos_embed(64, ((0, 0), (gh, gw)), (gh, gw), lat_f, use_real=True)
        rot = (cos.to(dev), sin.to(dev))
    x = torch.randn(a.batch, lat_f, 16, lat_h, lat_w, device=dev, dtype=torch.bfloat16)
    text = torch.randn(a.batch, 226, 4096, device=dev, dtype=torch.bfloat16)
    target = torch.randn_like(x)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    def timed(fn):
        sync()
        t0 = time.perf_counter()
        r = fn()
        sync()
        return r, time.perf_counter() - t0

    rows = []
    for i in range(a.warmup + a.steps):
        t = torch.randint(0, 1000, (a.batch,), device=dev)
        out, fwd = timed(lambda: model(hidden_states=x, encoder_hidden_states=text, timestep=t, image_rotary_emb=rot,
                                       return_dict=False)[0])
        loss = F.mse_loss(out.float(), target.float())
        _, bwd = timed(loss.backward)
        _, clip = timed(lambda: torch.nn.utils.clip_grad_norm_(trainable, 1.0))
        _, step = timed(opt.step)
        for p in trainable:
            p.grad = None
        del out, loss
        if i >= a.warmup:
            rows.append((fwd, bwd, clip + step))
        print(f"step {i}: forward {fwd:.3f} s, backward {bwd:.3f} s, clip+optimizer {clip + step:.3f} s", flush=True)

    grad_bytes = sum(p.numel() * p.element_size() for p in trainable)
    res = {
        "model": a.model, "lora_rank": a.rank, "own_fraction": a.own_fraction, "batch": a.batch,
        "master_weights": a.master,
        "latents": [lat_f, 16, lat_h, lat_w], "tokens": lat_f * (lat_h // 2) * (lat_w // 2) + 226,
        "trainable_params": sum(p.numel() for p in trainable), "gradient_bytes_per_step": grad_bytes,
        "optimizer_state_bytes": opt.state_bytes(),
        "forward_s": statistics.median(r[0] for r in rows), "backward_s": statistics.median(r[1] for r in rows),
        "optimizer_s": statistics.median(r[2] for r in rows), "step_s": statistics.median(sum(r) for r in rows),
        "peak_gib": torch.cuda.max_memory_allocated() / 2 ** 30 if cuda else None,
        "device": torch.cuda.get_device_name() if cuda else "cpu", "torch": torch.__version__,
    }
    print(json.dumps(res), flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    try:
        main()
    except getattr(torch, "OutOfMemoryError", MemoryError) as e:
        print(json.dumps({"argv": sys.argv[1:], "oom": True,
                          "peak_gib": torch.cuda.max_memory_allocated() / 2 ** 30,
                          "message": str(e).splitlines()[0]}), flush=True)
        sys.exit(3)
