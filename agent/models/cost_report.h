// Text and JSON renderings of analytic model costs (v1::ModelCost from
// cost_model.h's ComputeModelCost): the zoo table of `agent models` and the
// per-kind and per-module breakdown of `agent model NAME --breakdown`.
// Pure: strings in, strings out, no LibTorch, so the coordinator can reuse
// it. Every format has a golden test (cost_report_test.cc).
//
// Units: GFLOPs are 1e9 FLOPs (a multiply-add is 2 FLOPs); "MiB" is 2^20
// bytes, the unit torchsummary and the seed study call "MB" (ResNet-50's
// 384.62 MB footprint is 403,308,512 bytes); intensity is FLOP/byte.
// Figures below 1 get enough decimals for four significant digits.
//
// Usage:
//   v1::ModelCostList list = ...;  // one ComputeModelCost per model
//   std::cout << models::RenderModelCostTable(list);
#ifndef BENCHFLEET_AGENT_MODELS_COST_REPORT_H_
#define BENCHFLEET_AGENT_MODELS_COST_REPORT_H_

#include <string>

#include "proto/benchmark.pb.h"

namespace benchfleet::models {

// One row per model, in the list's order: model, input (CxHxW), batch,
// params, forward GFLOPs (inference), training GFLOPs (training forward +
// backward), traffic MiB, footprint MiB and intensity (all three of the
// inference forward). Operators counted with zero FLOPs are listed under
// the table, per model. Ends with a newline.
std::string RenderModelCostTable(const v1::ModelCostList& list);

// The cost of `cost` in `mode` (MODE_TRAINING: cost.training, else
// cost.inference): a summary line, then the per-kind table (kind, forward
// and backward GFLOPs, share % of forward + backward FLOPs, params,
// activation MiB, calls) with a total row, then the same columns per module
// and kind (module path, "(root)" for the model itself), in order of first
// call, then any operators counted with zero FLOPs. Ends with a newline.
std::string RenderCostBreakdown(const v1::ModelCost& cost, v1::Mode mode);

// The protobuf JSON mapping of `message` (a ModelCost or ModelCostList),
// indented, fields at their defaults included. Ends with a newline.
std::string RenderCostJson(const google::protobuf::Message& message);

// Clears the per-kind and per-module lists of both modes (a zoo listing
// does not need them); keeps totals and unknown_ops.
void ClearBreakdowns(v1::ModelCost& cost);

}  // namespace benchfleet::models

#endif  // BENCHFLEET_AGENT_MODELS_COST_REPORT_H_
