// Early-return helpers for absl::Status and absl::StatusOr. Debian's Abseil
// (20220623) ships neither RETURN_IF_ERROR nor ASSIGN_OR_RETURN.
#ifndef BENCHFLEET_BASE_STATUS_MACROS_H_
#define BENCHFLEET_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define BF_CONCAT_INNER_(a, b) a##b
#define BF_CONCAT_(a, b) BF_CONCAT_INNER_(a, b)

// Returns `expr`'s status from the current function when it is not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status bf_status_ = (expr);        \
    if (!bf_status_.ok()) return bf_status_;   \
  } while (0)

// `ASSIGN_OR_RETURN(T v, StatusOr<T>-expr);` declares or assigns `v` from the
// value, or returns the error status from the current function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  BF_ASSIGN_OR_RETURN_IMPL_(BF_CONCAT_(bf_statusor_, __LINE__), lhs, expr)

#define BF_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(statusor).value()

#endif  // BENCHFLEET_BASE_STATUS_MACROS_H_
