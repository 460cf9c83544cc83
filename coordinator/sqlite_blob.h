// Decoding the serialized protos the SqliteStore keeps in BLOB columns.
#ifndef BENCHFLEET_COORDINATOR_SQLITE_BLOB_H_
#define BENCHFLEET_COORDINATOR_SQLITE_BLOB_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace benchfleet::coordinator {

// The message in `blob`; DATA_LOSS naming `what` when it does not parse.
template <typename Message>
absl::StatusOr<Message> ParseBlob(const std::string& blob, absl::string_view what) {
  Message message;
  if (!message.ParseFromString(blob)) {
    return absl::DataLossError(absl::StrCat("corrupt ", what, " in database"));
  }
  return message;
}

}  // namespace benchfleet::coordinator

#endif  // BENCHFLEET_COORDINATOR_SQLITE_BLOB_H_
