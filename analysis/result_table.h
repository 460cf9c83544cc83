// Renders job results as an aligned text table or as CSV. One row per
// result: model, input, batch, mode, device, median and p90 latency,
// throughput, iterations, status. JSON output is the protobuf JSON mapping
// and lives with the callers.
#ifndef BENCHFLEET_ANALYSIS_RESULT_TABLE_H_
#define BENCHFLEET_ANALYSIS_RESULT_TABLE_H_

#include <string>
#include <vector>

#include "proto/benchmark.pb.h"

namespace benchfleet::analysis {

// Human-readable table with a header row; columns are padded to fit.
// Unstable results carry a "unstable" status so they are never read as clean.
std::string RenderResultsTable(const std::vector<v1::JobResult>& results);

// RFC 4180 CSV with a header row; numbers at full precision.
std::string RenderResultsCsv(const std::vector<v1::JobResult>& results);

// A fixed-width text table: every row has the header's number of cells.
std::string RenderTextTable(const std::vector<std::string>& header,
                            const std::vector<std::vector<std::string>>& rows);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_RESULT_TABLE_H_
