// RFC 4180 CSV records, for every table the project writes as CSV.
#ifndef BENCHFLEET_ANALYSIS_CSV_H_
#define BENCHFLEET_ANALYSIS_CSV_H_

#include <string>
#include <vector>

namespace benchfleet::analysis {

// One CSV field, quoted (inner quotes doubled) when it holds a comma, quote
// or line break.
std::string CsvField(const std::string& field);

// One CSV record, newline-terminated.
std::string CsvLine(const std::vector<std::string>& cells);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_CSV_H_
