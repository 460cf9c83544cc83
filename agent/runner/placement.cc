#include "agent/runner/placement.h"

namespace benchfleet::runner {
namespace {

torch::Dtype DtypeOf(v1::Precision p) {
  switch (p) {
    case v1::PRECISION_BF16:
      return torch::kBFloat16;
    case v1::PRECISION_FP16:
      return torch::kHalf;
    default:
      return torch::kFloat;
  }
}

}  // namespace

Placement PlacementFor(const v1::BenchmarkSpec& spec) {
  Placement placement;
  placement.device = spec.device() == v1::DEVICE_KIND_CUDA
                         ? torch::Device(torch::kCUDA)
                         : torch::Device(torch::kCPU);
  placement.dtype = DtypeOf(spec.precision());
  placement.channels_last =
      spec.memory_format() == v1::MEMORY_FORMAT_CHANNELS_LAST;
  return placement;
}

void Place(torch::nn::Module& module, const Placement& placement) {
  module.to(placement.device);
  torch::NoGradGuard no_grad;
  auto convert = [&placement](torch::Tensor& t) {
    torch::Tensor v = t;
    if (v.is_floating_point() && v.scalar_type() != placement.dtype)
      v = v.to(placement.dtype);
    if (placement.channels_last && v.dim() == 4)
      v = v.contiguous(torch::MemoryFormat::ChannelsLast);
    if (!v.is_same(t)) t.set_data(v);
  };
  for (torch::Tensor& p : module.parameters()) convert(p);
  for (torch::Tensor& b : module.buffers()) convert(b);
}

torch::Tensor MakeInput(const v1::BenchmarkSpec& spec,
                        const Placement& placement) {
  const auto& in = spec.input();
  torch::Tensor x =
      torch::randn({spec.batch_size(), in.channels(), in.height(), in.width()});
  x = x.to(placement.device, placement.dtype);
  if (placement.channels_last)
    x = x.contiguous(torch::MemoryFormat::ChannelsLast);
  return x;
}

}  // namespace benchfleet::runner
