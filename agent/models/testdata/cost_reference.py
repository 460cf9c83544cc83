"""Independent reference numbers for agent/models/cost_model_test.cc.

Run with Debian's Python (PyTorch 1.13, torchvision 0.14):
    /usr/bin/python3 agent/models/testdata/cost_reference.py

It uses torchvision's own ResNets and nn.Module forward hooks only -- no
operator observation, no code shared with cost_model.cc -- so it checks the
C++ cost model against a second implementation of the same counting rules:

  * convolution: 2 * out.numel() * (C_in / groups) * k_h * k_w (+ out.numel()
    for a bias), the torchvision/fvcore MAC count times two;
  * linear: 2 * out.numel() * in_features + out.numel() for the bias;
  * batch norm: 2 FLOPs per element (inference), 5 (training);
  * ReLU: 1 per element per call; max pool: k_h * k_w per output element;
    adaptive average pool: 1 per input element; the residual add: 1 per
    element of each block's output (torchvision writes it as `out += identity`,
    which no hook sees, so the block's output size stands in for it);
  * activation bytes: torchsummary's rule -- the output of every module call
    except containers and the model itself -- which for ResNet is exactly one
    output per convolution, batch norm, ReLU call, pool, residual add and the
    classifier;
  * footprint: torchsummary's total (input + params + 2 x activations).
"""
import torch
import torchvision
from torch import nn


def reference(name, batch=1, h=224, w=224):
    model = getattr(torchvision.models, name)().eval()
    x = torch.zeros(batch, 3, h, w)
    c = dict(conv=0, linear=0, linear_bias=0, bn_elems=0, relu=0, maxpool=0, avgpool=0,
             add=0, act_elems=0, first_conv=None)
    block_types = (torchvision.models.resnet.BasicBlock,
                   torchvision.models.resnet.Bottleneck)

    def hook(mod, inp, out):
        if not isinstance(mod, (nn.Sequential, nn.ModuleList)) and mod is not model:
            c["act_elems"] += out.numel()
        if isinstance(mod, nn.Conv2d):
            f = 2 * out.numel() * (mod.in_channels // mod.groups) * \
                mod.kernel_size[0] * mod.kernel_size[1]
            if mod.bias is not None:
                f += out.numel()
            c["conv"] += f
            if c["first_conv"] is None:
                c["first_conv"] = f
        elif isinstance(mod, nn.Linear):
            c["linear"] += 2 * out.numel() * mod.in_features + out.numel()
            c["linear_bias"] += out.numel()
        elif isinstance(mod, nn.BatchNorm2d):
            c["bn_elems"] += out.numel()
        elif isinstance(mod, nn.ReLU):
            c["relu"] += out.numel()
        elif isinstance(mod, nn.MaxPool2d):
            c["maxpool"] += out.numel() * mod.kernel_size * mod.kernel_size
        elif isinstance(mod, nn.AdaptiveAvgPool2d):
            c["avgpool"] += inp[0].numel()
        elif isinstance(mod, block_types):
            c["add"] += out.numel()

    for mod in model.modules():
        mod.register_forward_hook(hook)
    with torch.no_grad():
        model(x)
    params = sum(p.numel() for p in model.parameters())
    other = c["relu"] + c["maxpool"] + c["avgpool"] + c["add"]
    fwd_inf = c["conv"] + c["linear"] + 2 * c["bn_elems"] + other
    fwd_train = c["conv"] + c["linear"] + 5 * c["bn_elems"] + other
    # Backward: conv/linear twice their forward multiply-adds (data and
    # weight gradient) plus a bias gradient, except that the first
    # convolution's data gradient is not needed; everything else 1x forward.
    bwd_train = (2 * c["conv"] - c["first_conv"]) + \
        (2 * c["linear"] - c["linear_bias"]) + \
        5 * c["bn_elems"] + other
    act_bytes = 4 * c["act_elems"]
    in_bytes = 4 * x.numel()
    print(f"{name} batch {batch} {h}x{w}:")
    print(f"  convolution FLOPs {c['conv']}  linear FLOPs {c['linear']}")
    print(f"  forward FLOPs inference {fwd_inf}  training {fwd_train}")
    print(f"  backward FLOPs training {bwd_train}")
    print(f"  params {params}  activation bytes {act_bytes}")
    print(f"  footprint bytes {in_bytes + 4 * params + 2 * act_bytes} "
          f"({(in_bytes + 4 * params + 2 * act_bytes) / 2**20:.2f} MiB)")


if __name__ == "__main__":
    reference("resnet18")
    reference("resnet50")
    reference("resnet50", batch=2, h=160, w=128)
