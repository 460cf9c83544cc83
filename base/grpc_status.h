// The one place where absl::Status and grpc::Status are converted.
#ifndef BENCHFLEET_BASE_GRPC_STATUS_H_
#define BENCHFLEET_BASE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace benchfleet {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace benchfleet

#endif  // BENCHFLEET_BASE_GRPC_STATUS_H_
