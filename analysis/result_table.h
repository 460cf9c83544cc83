// Renders job results as an aligned text table or as CSV. One row per
// result: model, input, batch, mode, device, dtype (fp32/bf16/fp16), layout
// (nchw/nhwc), median and p90 latency, IQR as % of the median, throughput
// (items/s), achieved GFLOP/s (cost-model FLOPs / median step), the
// forward:backward latency ratio and FLOP ratio (training), iterations,
// threads, status ("unstable" when IQR/median > 10%). A figure that was not
// measured shows as "-". JSON output is the protobuf JSON mapping and lives
// with the callers.
#ifndef BENCHFLEET_ANALYSIS_RESULT_TABLE_H_
#define BENCHFLEET_ANALYSIS_RESULT_TABLE_H_

#include <string>
#include <vector>

#include "proto/benchmark.pb.h"

namespace benchfleet::analysis {

// Human-readable table with a header row; columns are padded to fit.
// Unstable results carry a "unstable" status so they are never read as clean.
// Below the table, one line per failed job's error and per warning.
std::string RenderResultsTable(const std::vector<v1::JobResult>& results);

// RFC 4180 CSV with a header row; numbers at full precision; the error and
// the warnings (joined by "; ") as the last two columns.
std::string RenderResultsCsv(const std::vector<v1::JobResult>& results);

// A fixed-width text table: every row has the header's number of cells.
std::string RenderTextTable(const std::vector<std::string>& header,
                            const std::vector<std::vector<std::string>>& rows);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_RESULT_TABLE_H_
